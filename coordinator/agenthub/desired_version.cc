#include "coordinator/agenthub/desired_version.h"

#include <algorithm>

namespace fleetset::coordinator {

uint64_t FirstDesiredVersion(uint64_t stored_version, std::chrono::system_clock::time_point now) {
  const int64_t seconds =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  const uint64_t clock_epoch = seconds > 0 ? static_cast<uint64_t>(seconds) : 0;
  const uint64_t epoch = std::max((stored_version >> 32) + 1, clock_epoch);
  return epoch << 32;
}

}  // namespace fleetset::coordinator
