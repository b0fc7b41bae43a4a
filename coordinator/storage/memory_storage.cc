// Transactions are applied under the map's lock as they are queued, which
// fixes their order and revisions at once; their `done` callbacks and
// watch events then go to a worker thread, so that nothing a caller passed
// in runs inside CommitAsync.
#include "coordinator/storage/memory_storage.h"

#include <atomic>
#include <map>
#include <mutex>

#include "coordinator/storage/batch_worker.h"
#include "coordinator/storage/transaction_apply.h"

namespace fleetset::coordinator::storage {
namespace {

class MapKeySpace final : public KeySpace {
 public:
  explicit MapKeySpace(std::map<std::string, KeyValue>& map) : map_(map) {}

  std::optional<KeyValue> Find(const std::string& key) override {
    auto found = map_.find(key);
    if (found == map_.end()) return std::nullopt;
    return found->second;
  }
  void Put(const KeyValue& kv) override { map_.insert_or_assign(kv.key, kv); }
  void Erase(const std::string& key) override { map_.erase(key); }

 private:
  std::map<std::string, KeyValue>& map_;
};

// A transaction applied, waiting for its caller to be told.
struct Completion {
  std::function<void(const TransactionResult&)> done;
  TransactionResult result;
  std::vector<WatchEvent> events;
};

class MemoryStorage final : public Storage {
 public:
  explicit MemoryStorage(const MemoryStorageOptions& options)
      : hub_(0, options.watch_history_events, [this] { return CurrentRevision(); }),
        completions_("store-complete",
                     [this](std::vector<Completion>& batch) { Complete(batch); }) {}

  ~MemoryStorage() override {
    completions_.Stop();
    hub_.Close();
  }

  std::optional<KeyValue> Get(const std::string& key) override {
    std::lock_guard lock(mutex_);
    return MapKeySpace(keys_).Find(key);
  }

  ListResult List(const std::string& prefix) override {
    ListResult result;
    std::lock_guard lock(mutex_);
    for (auto it = keys_.lower_bound(prefix); it != keys_.end() && it->first.starts_with(prefix);
         ++it) {
      result.items.push_back(it->second);
    }
    result.revision = revision_;
    return result;
  }

  Revision CurrentRevision() override {
    std::lock_guard lock(mutex_);
    return revision_;
  }

  void CommitAsync(Transaction transaction,
                   std::function<void(const TransactionResult&)> done) override {
    Completion completion{std::move(done), {}, {}};
    std::lock_guard lock(mutex_);
    MapKeySpace keys(keys_);
    completion.result = ApplyTransaction(transaction, keys, revision_, completion.events);
    // Queued under the lock, so that completions keep the revision order.
    completions_.Push(std::move(completion));
  }

  CommitStats Stats() override {
    const uint64_t transactions = transactions_.load();
    return {transactions, transactions};
  }

  std::unique_ptr<WatchHandle> Watch(const std::string& prefix, Revision from,
                                     WatchCallback callback) override {
    return hub_.Watch(prefix, from, std::move(callback));
  }

 private:
  void Complete(std::vector<Completion>& batch) {
    for (Completion& completion : batch) {
      transactions_.fetch_add(1);
      if (completion.done) completion.done(completion.result);
      hub_.Publish(std::move(completion.events));
    }
  }

  std::mutex mutex_;
  std::map<std::string, KeyValue> keys_;
  Revision revision_ = 0;
  std::atomic<uint64_t> transactions_ = 0;
  WatchHub hub_;
  // Last: its thread stops before anything it uses goes away.
  BatchWorker<Completion> completions_;
};

}  // namespace

std::unique_ptr<Storage> OpenMemoryStorage(MemoryStorageOptions options) {
  return std::make_unique<MemoryStorage>(options);
}

}  // namespace fleetset::coordinator::storage
