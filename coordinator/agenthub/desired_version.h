// Numbering of the desired states the coordinator hands to agents.
#pragma once

#include <chrono>
#include <cstdint>

namespace fleetset::coordinator {

// The first version a starting coordinator hands out: (epoch << 32), where
// the epoch is above the stored one and at least the start's wall-clock
// second. Counting up from there, versions increase across restarts while
// the store is written once per start, and they stay above what agents hold
// even when the database comes back from a backup, as long as the clock
// moves forward (agents follow a new stream's first state regardless).
uint64_t FirstDesiredVersion(uint64_t stored_version, std::chrono::system_clock::time_point now);

}  // namespace fleetset::coordinator
