#include "coordinator/controllers/control_loop.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

namespace fleetset::coordinator {
namespace {

class SwitchedGate final : public LeaderGate {
 public:
  explicit SwitchedGate(bool leading) : leading_(leading) {}
  bool IsLeader() const override { return leading_; }

 private:
  std::atomic<bool> leading_;
};

// Counts what the loop ran, and lets the test wait for a count.
class Calls {
 public:
  void Add(int& counter) {
    {
      std::lock_guard lock(mu_);
      ++counter;
    }
    changed_.notify_all();
  }
  // Waits (bounded, so that a broken loop fails instead of hanging) until
  // `counter` reaches `at_least`; returns the pass and follow counts then.
  std::pair<int, int> WaitFor(const int& counter, int at_least) {
    std::unique_lock lock(mu_);
    changed_.wait_for(lock, std::chrono::seconds(30), [&] { return counter >= at_least; });
    return {passes, follows};
  }

  int passes = 0;
  int follows = 0;

 private:
  std::mutex mu_;
  std::condition_variable changed_;
};

ControlLoopOptions OptionsCounting(Calls& calls) {
  ControlLoopOptions options;
  options.batch_window = std::chrono::milliseconds(0);
  options.while_following = [&calls] { calls.Add(calls.follows); };
  return options;
}

// Wakes a loop once and waits until what its gate calls for ran (the pass
// when it leads, the upkeep when it does not); returns how often each ran.
std::pair<int, int> WakeOnce(bool leading) {
  Calls calls;
  SwitchedGate gate(leading);
  ControlLoop loop(
      "test",
      [&calls]() -> std::optional<std::chrono::milliseconds> {
        calls.Add(calls.passes);
        return std::nullopt;
      },
      gate, OptionsCounting(calls));
  loop.Start();
  loop.Wake();
  const std::pair<int, int> counts = calls.WaitFor(leading ? calls.passes : calls.follows, 1);
  loop.Stop();
  return counts;
}

TEST(ControlLoopTest, ALoopThatDoesNotLeadKeepsUpInsteadOfPassing) {
  const auto [passes, follows] = WakeOnce(/*leading=*/false);
  EXPECT_GE(follows, 1);
  EXPECT_EQ(passes, 0);
}

TEST(ControlLoopTest, ALoopThatLeadsPassesWithoutTheFollowersUpkeep) {
  const auto [passes, follows] = WakeOnce(/*leading=*/true);
  EXPECT_GE(passes, 1);
  EXPECT_EQ(follows, 0);
}

}  // namespace
}  // namespace fleetset::coordinator
