#include "storage_test_util.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>

namespace fleetset::testing {
namespace {

// Long enough never to be reached on a loaded machine; only a bug waits it
// out.
constexpr auto kDeadline = std::chrono::seconds(30);

}  // namespace

ScratchDirectory::ScratchDirectory(const std::string& name) {
  std::string pattern = ::testing::TempDir() + name + "-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) ADD_FAILURE() << "cannot create " << pattern;
  path_ = pattern;
}

ScratchDirectory::~ScratchDirectory() { std::filesystem::remove_all(path_); }

storage::Transaction PutTransaction(const std::string& key, const std::string& value) {
  return {{}, {storage::Operation::Put(key, value)}};
}

storage::Transaction DeleteTransaction(const std::string& key) {
  return {{}, {storage::Operation::Delete(key)}};
}

storage::TransactionResult Put(storage::Storage& store, const std::string& key,
                               const std::string& value) {
  storage::TransactionResult result = store.Commit(PutTransaction(key, value));
  EXPECT_TRUE(result.committed()) << key << ": " << result.error;
  return result;
}

storage::WatchCallback WatchRecorder::Callback() {
  return [this](const std::vector<storage::WatchEvent>& events) {
    {
      std::lock_guard lock(mutex_);
      batches_.push_back(events);
      received_ += events.size();
    }
    changed_.notify_all();
  };
}

std::vector<storage::WatchEvent> WatchRecorder::WaitFor(size_t count) {
  std::unique_lock lock(mutex_);
  if (!changed_.wait_for(lock, kDeadline, [&] { return received_ >= count; })) {
    ADD_FAILURE() << "received " << received_ << " watch events, expected " << count;
  }
  std::vector<storage::WatchEvent> events;
  for (const auto& batch : batches_) events.insert(events.end(), batch.begin(), batch.end());
  return events;
}

std::vector<std::vector<storage::WatchEvent>> WatchRecorder::batches() {
  std::lock_guard lock(mutex_);
  return batches_;
}

CommitGate::CommitGate(storage::Storage& store, const std::string& key) {
  store.CommitAsync(PutTransaction(key, "gate"), [this, released = release_.get_future().share()](
                                                     const storage::TransactionResult&) {
    entered_.set_value();
    released.wait();
  });
  if (entered_.get_future().wait_for(kDeadline) != std::future_status::ready) {
    ADD_FAILURE() << "the commit thread never reached the gate";
  }
}

CommitGate::~CommitGate() { Release(); }

void CommitGate::Release() {
  if (released_) return;
  released_ = true;
  release_.set_value();
}

std::vector<storage::TransactionResult> CommitAll(storage::Storage& store,
                                                  std::vector<storage::Transaction> transactions,
                                                  CommitGate* gate) {
  std::vector<std::future<storage::TransactionResult>> futures;
  for (storage::Transaction& transaction : transactions) {
    auto promise = std::make_shared<std::promise<storage::TransactionResult>>();
    futures.push_back(promise->get_future());
    store.CommitAsync(std::move(transaction), [promise](const storage::TransactionResult& result) {
      promise->set_value(result);
    });
  }
  if (gate) gate->Release();
  std::vector<storage::TransactionResult> results;
  for (auto& future : futures) results.push_back(future.get());
  return results;
}

std::vector<std::string> Describe(const std::vector<storage::WatchEvent>& events) {
  std::vector<std::string> described;
  for (const storage::WatchEvent& event : events) {
    const bool put = event.type == storage::WatchEvent::Type::kPut;
    described.push_back((put ? "put " : "delete ") + event.kv.key);
  }
  return described;
}

}  // namespace fleetset::testing
