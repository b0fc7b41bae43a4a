#include "coordinator/storage/thread_priority.h"

#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace fleetset::coordinator::storage {

void YieldCallingThreadTo(int niceness) {
  const id_t thread = static_cast<id_t>(gettid());
  // -1 is also a valid nice value: errno tells a failure apart.
  errno = 0;
  const int current = getpriority(PRIO_PROCESS, thread);
  if (errno != 0) {
    spdlog::warn("cannot read thread {}'s priority: {}", thread, std::strerror(errno));
    return;
  }
  if (current >= niceness) return;
  if (setpriority(PRIO_PROCESS, thread, niceness) != 0) {
    spdlog::warn("cannot lower thread {}'s priority to nice {}: {}", thread, niceness,
                 std::strerror(errno));
  }
}

}  // namespace fleetset::coordinator::storage
