// Timers on a FakeClock: they fire, in deadline order and on the test's
// thread, when the test advances the clock past their deadlines. Tests of
// timing logic move time instead of sleeping.
#pragma once

#include <algorithm>
#include <functional>
#include <optional>
#include <vector>

#include "agent/timer.h"
#include "fleetset/clock.h"

namespace fleetset::testing {

class FakeTimers final : public agent::TimerFactory {
 public:
  explicit FakeTimers(FakeClock& clock) : clock_(clock) {}

  std::unique_ptr<agent::Timer> MakeTimer() override { return std::make_unique<FakeTimer>(*this); }

  // Moves the clock forward by `by`, firing each timer that falls due on
  // the way at its deadline (what a fired timer arms is fired too, if due).
  void Advance(std::chrono::steady_clock::duration by) {
    const auto until = clock_.Now() + by;
    while (FakeTimer* next = NextDue(until)) {
      if (next->deadline_ > clock_.Now()) clock_.Advance(*next->deadline_ - clock_.Now());
      next->deadline_.reset();
      std::function<void()> fire = std::move(next->fire_);
      fire();
    }
    if (until > clock_.Now()) clock_.Advance(until - clock_.Now());
  }
  // How many timers are armed.
  size_t armed() const {
    return std::count_if(timers_.begin(), timers_.end(),
                         [](const FakeTimer* timer) { return timer->deadline_.has_value(); });
  }

 private:
  class FakeTimer final : public agent::Timer {
   public:
    explicit FakeTimer(FakeTimers& owner) : owner_(owner) { owner_.timers_.push_back(this); }
    ~FakeTimer() override { std::erase(owner_.timers_, this); }
    void Arm(std::chrono::steady_clock::duration delay, std::function<void()> fire) override {
      deadline_ = owner_.clock_.Now() + delay;
      fire_ = std::move(fire);
    }
    void Cancel() override { deadline_.reset(); }

    FakeTimers& owner_;
    std::optional<std::chrono::steady_clock::time_point> deadline_;
    std::function<void()> fire_;
  };

  FakeTimer* NextDue(std::chrono::steady_clock::time_point until) const {
    FakeTimer* next = nullptr;
    for (FakeTimer* timer : timers_) {
      if (!timer->deadline_ || *timer->deadline_ > until) continue;
      if (next == nullptr || *timer->deadline_ < *next->deadline_) next = timer;
    }
    return next;
  }

  FakeClock& clock_;
  std::vector<FakeTimer*> timers_;
};

}  // namespace fleetset::testing
