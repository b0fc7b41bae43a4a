// The store as the leader's controllers see it: every transaction carries
// the leader's fence, so a write still on its way when leadership moved
// (the leader was paused, or cut off) is refused by the store, never
// applied behind the new leader's back. A coordinator that does not lead
// has no fence and every write it tries is refused the same way.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <utility>

#include "coordinator/storage/storage.h"

namespace fleetset::coordinator {

class FencedStorage final : public storage::Storage {
 public:
  // `fence` answers the leader key and the revision that wrote it while
  // this coordinator leads, nullopt otherwise (LeaderElection::Fence).
  FencedStorage(storage::Storage& inner, std::string leader_key,
                std::function<std::optional<storage::Compare>()> fence)
      : inner_(inner), leader_key_(std::move(leader_key)), fence_(std::move(fence)) {}

  std::optional<storage::KeyValue> Get(const std::string& key) override { return inner_.Get(key); }
  storage::ListResult List(const std::string& prefix) override { return inner_.List(prefix); }
  storage::Revision CurrentRevision() override { return inner_.CurrentRevision(); }
  storage::CommitStats Stats() override { return inner_.Stats(); }
  std::unique_ptr<storage::WatchHandle> Watch(const std::string& prefix, storage::Revision from,
                                              storage::WatchCallback callback) override {
    return inner_.Watch(prefix, from, std::move(callback));
  }

  void CommitAsync(storage::Transaction transaction,
                   std::function<void(const storage::TransactionResult&)> done) override {
    // Without leadership the fence names no revision the key can have, so
    // the store refuses the write (from its own thread, as `done` must run).
    transaction.fence = fence_().value_or(storage::Compare::ModRevision(leader_key_, kNotHeld));
    inner_.CommitAsync(std::move(transaction), std::move(done));
  }

  static constexpr storage::Revision kNotHeld = -1;

 private:
  storage::Storage& inner_;
  const std::string leader_key_;
  const std::function<std::optional<storage::Compare>()> fence_;
};

}  // namespace fleetset::coordinator
