#include "daemon/lock_order_checks.h"

#include <absl/synchronization/mutex.h>

namespace fleetset {

void DisableMutexDeadlockDetection() {
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
}

}  // namespace fleetset
