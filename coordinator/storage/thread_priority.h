// The scheduling priority of the store's watch threads.
//
// When every core is busy (a fleet-wide apply: thousands of states to
// build and send while the same agents report their pods back), what the
// watch carries is mostly those reports: pods decoded into every cache.
// None of it is waited on by an agent, while the states are. At a lower
// priority the watch takes the cores the streams leave free: the caches
// and the status run behind by as long as the burst lasts, and the states
// go out first. On an idle machine the priority changes nothing.
#pragma once

namespace fleetset::coordinator::storage {

// Linux's nice value (-20 to 19, higher yields more) of a thread that
// carries watch events: the scheduler still gives it about 1.5% of a
// normal thread's share while they compete, so it runs behind, never
// stops. The lowest: the one run at 10 (a tenth of a share) gained less
// in the coordinator bench's fleet-wide apply (bench/README.md,
// thirteenth stage).
inline constexpr int kWatchThreadNiceness = 19;

// Makes the calling thread at least as nice as `niceness` (Linux keeps a
// nice value per thread); one already nicer is left alone. A refusal is
// logged, not thrown: the thread still works, only with its old priority.
void YieldCallingThreadTo(int niceness);

}  // namespace fleetset::coordinator::storage
