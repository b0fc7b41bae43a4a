// Abseil's run-time lock-order checking, which gRPC's mutexes go through.
#pragma once

namespace fleetset {

// Turns off Abseil's deadlock detection for the whole process. Debian's
// Abseil is built without NDEBUG, so the detection is on by default: every
// lock of an absl::Mutex (gRPC takes several per message) looks the mutex
// up in a global graph whose hash chains grow with the number of mutexes,
// that is with the number of connections. With thousands of agent streams
// that lookup alone took a quarter of a process's CPU. It finds lock-order
// cycles inside gRPC, which is not this project's to debug in production.
// Call before starting threads.
void DisableMutexDeadlockDetection();

}  // namespace fleetset
