// One-shot timers whose callbacks run on the agent's event loop. Behind an
// interface so that tests fire them by moving a fake clock instead of
// sleeping (FakeTimers).
#pragma once

#include <chrono>
#include <functional>
#include <memory>

namespace fleetset::agent {

class Timer {
 public:
  virtual ~Timer() = default;
  // Runs `fire` on the loop once `delay` has passed, in place of whatever
  // was armed before. Destroying the timer cancels it.
  virtual void Arm(std::chrono::steady_clock::duration delay, std::function<void()> fire) = 0;
  virtual void Cancel() = 0;
};

class TimerFactory {
 public:
  virtual ~TimerFactory() = default;
  virtual std::unique_ptr<Timer> MakeTimer() = 0;
};

}  // namespace fleetset::agent
