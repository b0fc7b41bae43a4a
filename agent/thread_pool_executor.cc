#include "agent/thread_pool_executor.h"

#include <algorithm>

#include "daemon/thread_name.h"

namespace fleetset::agent {

ThreadPoolExecutor::ThreadPoolExecutor(size_t max_threads, std::chrono::milliseconds idle_timeout)
    : max_threads_(std::max<size_t>(1, max_threads)), idle_timeout_(idle_timeout) {}

ThreadPoolExecutor::~ThreadPoolExecutor() { Join(); }

void ThreadPoolExecutor::Post(std::function<void()> work) {
  std::vector<std::thread> reaped;
  {
    std::lock_guard lock(mu_);
    if (stopped_) return;
    queue_.push_back(std::move(work));
    ReapLocked(reaped);
    if (idle_ > 0) {
      wake_.notify_one();
    } else if (threads_.size() < max_threads_) {
      threads_.emplace_back([this] { Work(); });
    }
  }
  // Threads that retired after idling have returned already; joining them
  // outside the lock takes no time.
  for (std::thread& thread : reaped) thread.join();
}

void ThreadPoolExecutor::Join() {
  std::vector<std::thread> threads;
  {
    std::unique_lock lock(mu_);
    drained_.wait(lock, [this] { return queue_.empty() && running_ == 0; });
    stopped_ = true;
    threads = std::move(threads_);
    threads_.clear();
    exited_.clear();
  }
  wake_.notify_all();
  for (std::thread& thread : threads) thread.join();
}

size_t ThreadPoolExecutor::threads() const {
  std::lock_guard lock(mu_);
  return threads_.size() - exited_.size();
}

void ThreadPoolExecutor::ReapLocked(std::vector<std::thread>& reaped) {
  for (const std::thread::id id : exited_) {
    auto it = std::find_if(threads_.begin(), threads_.end(),
                           [id](const std::thread& thread) { return thread.get_id() == id; });
    if (it == threads_.end()) continue;
    reaped.push_back(std::move(*it));
    threads_.erase(it);
  }
  exited_.clear();
}

void ThreadPoolExecutor::Work() {
  NameCurrentThread("agent-worker");
  std::unique_lock lock(mu_);
  while (true) {
    if (queue_.empty()) {
      if (stopped_) return;
      ++idle_;
      const bool woken =
          wake_.wait_for(lock, idle_timeout_, [this] { return !queue_.empty() || stopped_; });
      --idle_;
      if (stopped_ && queue_.empty()) return;
      if (!woken) break;  // idle too long: retire
      continue;
    }
    std::function<void()> work = std::move(queue_.front());
    queue_.pop_front();
    ++running_;
    lock.unlock();
    work();
    // The work's captures go before the lock is taken again.
    work = nullptr;
    lock.lock();
    --running_;
    if (queue_.empty() && running_ == 0) drained_.notify_all();
  }
  exited_.push_back(std::this_thread::get_id());
}

}  // namespace fleetset::agent
