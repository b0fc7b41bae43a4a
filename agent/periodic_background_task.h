// Housekeeping that runs every period without holding up the event loop
// (container log rotation, image garbage collection): on the loop, when
// the period is up, `prepare` snapshots what the work needs from the
// loop's state; the work itself (file I/O, CRI calls) runs on the
// executor; what it returns runs back on the loop, where it may change
// loop state. One run at a time: the next period starts counting when the
// previous run's result is back, so a slow run never piles up behind
// itself.
#pragma once

#include <chrono>
#include <functional>
#include <memory>

#include "agent/executor.h"
#include "agent/timer.h"

namespace fleetset::agent {

class PeriodicBackgroundTask {
 public:
  // Runs on the loop with the work's result.
  using LoopTask = std::function<void()>;
  // Runs on the executor; returns what to run back on the loop.
  using BackgroundWork = std::function<LoopTask()>;
  // Runs on the loop; returns the work for this run.
  using Prepare = std::function<BackgroundWork()>;

  struct Seams {
    TimerFactory* timers = nullptr;
    Executor* executor = nullptr;
    // Brings the result back onto the loop.
    std::function<void(std::function<void()>)> post_to_loop;
  };

  PeriodicBackgroundTask(Seams seams, std::chrono::milliseconds period, Prepare prepare);
  ~PeriodicBackgroundTask();
  PeriodicBackgroundTask(const PeriodicBackgroundTask&) = delete;
  PeriodicBackgroundTask& operator=(const PeriodicBackgroundTask&) = delete;

  // The first run comes one period from now. Loop.
  void Start();
  // Runs now, unless a run is under way. Loop.
  void RunNow();
  bool running() const { return running_; }

 private:
  void Finished(const LoopTask& then);

  const Seams seams_;
  const std::chrono::milliseconds period_;
  const Prepare prepare_;
  std::unique_ptr<Timer> timer_;
  bool running_ = false;
  // Shared with runs in flight, whose results are dropped once the task
  // is gone.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace fleetset::agent
