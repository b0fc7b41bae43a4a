// The real executor: slow work holds one thread only, the pool never grows
// past its bound, idle threads retire, and Join finishes what was posted.
#include "agent/thread_pool_executor.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

namespace fleetset::testing {
namespace {

using agent::ThreadPoolExecutor;
using namespace std::chrono_literals;

constexpr auto kPatience = 10s;

TEST(ThreadPoolExecutorTest, SlowWorkDoesNotHoldUpOtherWork) {
  ThreadPoolExecutor executor(4);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> slow_started;
  executor.Post([&, released] {
    slow_started.set_value();
    released.wait();
  });
  ASSERT_EQ(slow_started.get_future().wait_for(kPatience), std::future_status::ready);
  std::promise<void> quick_done;
  executor.Post([&] { quick_done.set_value(); });
  EXPECT_EQ(quick_done.get_future().wait_for(kPatience), std::future_status::ready)
      << "quick work waited for slow work";
  release.set_value();
  executor.Join();
}

TEST(ThreadPoolExecutorTest, NeverMoreThreadsThanItsBound) {
  ThreadPoolExecutor executor(2);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<int> started{0};
  std::promise<void> two_started;
  std::promise<void> third_started;
  for (int i = 0; i < 3; ++i) {
    executor.Post([&, released, i] {
      if (i == 2) third_started.set_value();
      if (++started == 2) two_started.set_value();
      if (i < 2) released.wait();
    });
  }
  ASSERT_EQ(two_started.get_future().wait_for(kPatience), std::future_status::ready);
  EXPECT_EQ(executor.threads(), 2u);
  // Both threads are blocked, so the third task cannot have started.
  std::future<void> third = third_started.get_future();
  EXPECT_NE(third.wait_for(0s), std::future_status::ready);
  release.set_value();
  EXPECT_EQ(third.wait_for(kPatience), std::future_status::ready);
  executor.Join();
}

TEST(ThreadPoolExecutorTest, JoinRunsWhatIsLeftIncludingWhatItPosts) {
  ThreadPoolExecutor executor(1);
  std::atomic<int> ran{0};
  executor.Post([&] {
    ++ran;
    executor.Post([&] { ++ran; });
  });
  executor.Join();
  EXPECT_EQ(ran, 2);
  executor.Post([&] { ++ran; });
  EXPECT_EQ(ran, 2) << "work posted after Join is dropped";
}

TEST(ThreadPoolExecutorTest, IdleThreadsRetire) {
  ThreadPoolExecutor executor(4, /*idle_timeout=*/1ms);
  std::promise<void> done;
  executor.Post([&] { done.set_value(); });
  ASSERT_EQ(done.get_future().wait_for(kPatience), std::future_status::ready);
  const auto deadline = std::chrono::steady_clock::now() + kPatience;
  while (executor.threads() != 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  EXPECT_EQ(executor.threads(), 0u);
  // And work posted afterwards still runs, on a new thread.
  std::promise<void> again;
  executor.Post([&] { again.set_value(); });
  EXPECT_EQ(again.get_future().wait_for(kPatience), std::future_status::ready);
}

}  // namespace
}  // namespace fleetset::testing
