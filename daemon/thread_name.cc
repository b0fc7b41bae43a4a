#include "daemon/thread_name.h"

#include <pthread.h>

namespace fleetset {

namespace {
// The kernel's TASK_COMM_LEN, less the terminating NUL.
constexpr size_t kMaxThreadName = 15;
}  // namespace

void NameCurrentThread(std::string_view name) {
  const std::string kept(name.substr(0, kMaxThreadName));
  pthread_setname_np(pthread_self(), kept.c_str());
}

std::string CurrentThreadName() {
  char name[kMaxThreadName + 1] = {};
  if (pthread_getname_np(pthread_self(), name, sizeof name) != 0) return {};
  return name;
}

}  // namespace fleetset
