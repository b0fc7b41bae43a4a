// The real Executor: a pool that grows a thread when work arrives and every
// thread is busy, up to a bound, and lets a thread go after it has been
// idle a while. A pod's slow call (a ten-minute pull, a StopContainer that
// waits out a 30 s grace period) holds one thread only, so other pods'
// work starts at once, while an idle agent keeps few threads (and so
// little memory).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "agent/executor.h"

namespace fleetset::agent {

class ThreadPoolExecutor final : public Executor {
 public:
  explicit ThreadPoolExecutor(size_t max_threads,
                              std::chrono::milliseconds idle_timeout = std::chrono::seconds(10));
  // Join()s.
  ~ThreadPoolExecutor() override;
  ThreadPoolExecutor(const ThreadPoolExecutor&) = delete;
  ThreadPoolExecutor& operator=(const ThreadPoolExecutor&) = delete;

  void Post(std::function<void()> work) override;
  // Runs what was posted (and what that posts) to the end, then stops the
  // threads; later posts are dropped. Not from a pool thread.
  void Join();

  size_t threads() const;

 private:
  void Work();
  // Must hold mu_: joins the threads that have exited.
  void ReapLocked(std::vector<std::thread>& reaped);

  const size_t max_threads_;
  const std::chrono::milliseconds idle_timeout_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::condition_variable drained_;
  std::deque<std::function<void()>> queue_;
  std::vector<std::thread> threads_;
  std::vector<std::thread::id> exited_;
  size_t idle_ = 0;
  size_t running_ = 0;
  bool stopped_ = false;
};

}  // namespace fleetset::agent
