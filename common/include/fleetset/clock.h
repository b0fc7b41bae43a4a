// Time behind an interface so tests can move it: back-off, probe periods,
// tolerationSeconds, heartbeats and node grace periods all read it.
#pragma once

#include <chrono>

namespace fleetset {

class Clock {
 public:
  virtual ~Clock() = default;
  // For durations: never goes backwards.
  virtual std::chrono::steady_clock::time_point Now() const = 0;
  // For timestamps shown to people and reported to the coordinator.
  virtual std::chrono::system_clock::time_point WallNow() const = 0;
};

class RealClock final : public Clock {
 public:
  std::chrono::steady_clock::time_point Now() const override {
    return std::chrono::steady_clock::now();
  }
  std::chrono::system_clock::time_point WallNow() const override {
    return std::chrono::system_clock::now();
  }
};

// Moves only when told to.
class FakeClock final : public Clock {
 public:
  std::chrono::steady_clock::time_point Now() const override { return now_; }
  std::chrono::system_clock::time_point WallNow() const override {
    return wall_start_ + (now_ - std::chrono::steady_clock::time_point{});
  }
  void Advance(std::chrono::steady_clock::duration by) { now_ += by; }

 private:
  std::chrono::steady_clock::time_point now_{std::chrono::hours(1000)};
  std::chrono::system_clock::time_point wall_start_{std::chrono::seconds(1700000000)};
};

}  // namespace fleetset
