// Housekeeping's pacing: a run every period, its work on the executor and
// its result back on the loop, never two runs at once. Time is a FakeClock
// moved through FakeTimers; the executor and the loop run when the test
// says.
#include "agent/periodic_background_task.h"

#include <gtest/gtest.h>

#include <deque>

#include "fakes/fake_timers.h"
#include "fakes/manual_executor.h"

namespace fleetset::testing {
namespace {

using agent::PeriodicBackgroundTask;
using namespace std::chrono_literals;

class PeriodicBackgroundTaskTest : public ::testing::Test {
 protected:
  std::unique_ptr<PeriodicBackgroundTask> MakeTask() {
    PeriodicBackgroundTask::Seams seams;
    seams.timers = &timers_;
    seams.executor = &executor_;
    seams.post_to_loop = [this](std::function<void()> task) { loop_.push_back(std::move(task)); };
    return std::make_unique<PeriodicBackgroundTask>(
        seams, 10s, [this]() -> PeriodicBackgroundTask::BackgroundWork {
          ++prepared_;
          return [this, run = prepared_]() -> PeriodicBackgroundTask::LoopTask {
            ++worked_;
            return [this, run] { finished_.push_back(run); };
          };
        });
  }

  // Runs what the executor holds, then what it posted to the loop.
  void RunWorkAndLoop() {
    executor_.RunAll();
    while (!loop_.empty()) {
      std::function<void()> task = std::move(loop_.front());
      loop_.pop_front();
      task();
    }
  }

  FakeClock clock_;
  FakeTimers timers_{clock_};
  ManualExecutor executor_;
  std::deque<std::function<void()>> loop_;
  int prepared_ = 0;
  int worked_ = 0;
  std::vector<int> finished_;
};

TEST_F(PeriodicBackgroundTaskTest, RunsEveryPeriodWithItsResultOnTheLoop) {
  auto task = MakeTask();
  task->Start();
  timers_.Advance(9s);
  EXPECT_EQ(prepared_, 0);
  timers_.Advance(1s);
  // Prepared on the loop; the work waits for the executor.
  EXPECT_EQ(prepared_, 1);
  EXPECT_EQ(worked_, 0);
  EXPECT_TRUE(task->running());
  RunWorkAndLoop();
  EXPECT_EQ(finished_, std::vector<int>{1});
  EXPECT_FALSE(task->running());
  timers_.Advance(10s);
  RunWorkAndLoop();
  EXPECT_EQ(finished_, (std::vector<int>{1, 2}));
}

TEST_F(PeriodicBackgroundTaskTest, ASlowRunIsNotJoinedByAnother) {
  auto task = MakeTask();
  task->RunNow();
  // The work has not run yet: periods pass and a RunNow comes, no new run.
  timers_.Advance(35s);
  task->RunNow();
  EXPECT_EQ(prepared_, 1);
  RunWorkAndLoop();
  // The next period counts from the end of the slow run.
  timers_.Advance(9s);
  EXPECT_EQ(prepared_, 1);
  timers_.Advance(1s);
  EXPECT_EQ(prepared_, 2);
}

TEST_F(PeriodicBackgroundTaskTest, AResultArrivingAfterTheTaskIsGoneIsDropped) {
  auto task = MakeTask();
  task->RunNow();
  executor_.RunAll();
  task.reset();
  RunWorkAndLoop();
  EXPECT_TRUE(finished_.empty());
  EXPECT_EQ(timers_.armed(), 0u);
}

}  // namespace
}  // namespace fleetset::testing
