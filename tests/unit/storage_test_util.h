// Helpers shared by the storage tests: a scratch directory, transactions in
// one line, a watch that records what it is given, and a way to hold a
// store's commit thread so that transactions queue up behind it.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "coordinator/storage/storage.h"

namespace fleetset::testing {

namespace storage = coordinator::storage;

// A fresh directory under the test's temporary directory, removed with
// everything in it on destruction.
class ScratchDirectory {
 public:
  explicit ScratchDirectory(const std::string& name);
  ScratchDirectory(const ScratchDirectory&) = delete;
  ScratchDirectory& operator=(const ScratchDirectory&) = delete;
  ~ScratchDirectory();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

storage::Transaction PutTransaction(const std::string& key, const std::string& value);
storage::Transaction DeleteTransaction(const std::string& key);

// Commits one put; the test fails unless it is committed.
storage::TransactionResult Put(storage::Storage& store, const std::string& key,
                               const std::string& value);

// Records the events a watch is given, and waits for them.
class WatchRecorder {
 public:
  storage::WatchCallback Callback();
  // Every event received once there are at least `count` (the test fails
  // after a generous deadline); the batches they came in are in batches().
  std::vector<storage::WatchEvent> WaitFor(size_t count);
  std::vector<std::vector<storage::WatchEvent>> batches();

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::vector<storage::WatchEvent>> batches_;
  size_t received_ = 0;
};

// Holds the store's commit thread inside the `done` callback of one
// transaction until Release(): whatever is queued meanwhile is taken as one
// batch afterwards.
class CommitGate {
 public:
  // Queues a put of `key` whose `done` blocks; returns once it blocks.
  CommitGate(storage::Storage& store, const std::string& key);
  CommitGate(const CommitGate&) = delete;
  CommitGate& operator=(const CommitGate&) = delete;
  // Releases when the test did not.
  ~CommitGate();
  void Release();

 private:
  std::promise<void> entered_;
  std::promise<void> release_;
  bool released_ = false;
};

// The store's results of `transactions`, queued all at once, in order;
// `gate`, when given, is released once they are all queued.
std::vector<storage::TransactionResult> CommitAll(storage::Storage& store,
                                                  std::vector<storage::Transaction> transactions,
                                                  CommitGate* gate = nullptr);

// The keys of `events`, with "put " or "delete " in front.
std::vector<std::string> Describe(const std::vector<storage::WatchEvent>& events);

}  // namespace fleetset::testing
