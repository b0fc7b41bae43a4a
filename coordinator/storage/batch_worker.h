// A thread that takes everything queued to it at once: the shape of group
// commit (the SQLite store writes each batch in one transaction) and of
// in-order completion (the memory store runs `done` callbacks off the
// caller's thread).
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "daemon/thread_name.h"

namespace fleetset::coordinator::storage {

template <typename Item>
class BatchWorker {
 public:
  // `process` runs on the worker's thread, named `thread_name`, with every
  // item queued since the previous batch, oldest first.
  BatchWorker(std::string thread_name, std::function<void(std::vector<Item>&)> process)
      : thread_name_(std::move(thread_name)),
        process_(std::move(process)),
        thread_([this] { Run(); }) {}
  BatchWorker(const BatchWorker&) = delete;
  BatchWorker& operator=(const BatchWorker&) = delete;
  // Processes what is queued, then stops.
  ~BatchWorker() { Stop(); }

  void Push(Item item) {
    {
      std::lock_guard lock(mutex_);
      queue_.push_back(std::move(item));
    }
    wake_.notify_one();
  }

  // Processes what is queued, then joins the thread; nothing may be pushed
  // afterwards. Idempotent.
  void Stop() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_one();
    if (thread_.joinable()) thread_.join();
  }

 private:
  void Run() {
    NameCurrentThread(thread_name_);
    std::vector<Item> batch;
    std::unique_lock lock(mutex_);
    while (true) {
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // Stopping with nothing left.
      batch.swap(queue_);
      lock.unlock();
      process_(batch);
      batch.clear();
      lock.lock();
    }
  }

  const std::string thread_name_;
  std::function<void(std::vector<Item>&)> process_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<Item> queue_;
  bool stopping_ = false;
  // Last: started once everything it uses exists.
  std::thread thread_;
};

}  // namespace fleetset::coordinator::storage
