// An Executor whose work runs only when the test says so, on the test's own
// thread: pod passes, relists and kills happen exactly when a test steps
// them, with nothing running behind its back.
#pragma once

#include <cstddef>
#include <deque>
#include <functional>

#include "agent/executor.h"

namespace fleetset::testing {

class ManualExecutor final : public agent::Executor {
 public:
  void Post(std::function<void()> work) override { queue_.push_back(std::move(work)); }

  // Runs the oldest waiting work; false when there is none.
  bool RunOne() {
    if (queue_.empty()) return false;
    std::function<void()> work = std::move(queue_.front());
    queue_.pop_front();
    work();
    return true;
  }
  // Runs everything waiting, including what that posts; returns how many ran.
  size_t RunAll() {
    size_t ran = 0;
    while (RunOne()) ++ran;
    return ran;
  }
  size_t pending() const { return queue_.size(); }

 private:
  std::deque<std::function<void()>> queue_;
};

}  // namespace fleetset::testing
