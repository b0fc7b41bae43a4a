// A store that hands every call to another one: the base of decorators
// that change one behaviour (timing commits for metrics, failing them in
// tests) and leave the rest alone.
#pragma once

#include <memory>
#include <utility>

#include "coordinator/storage/storage.h"

namespace fleetset::coordinator::storage {

class ForwardingStorage : public Storage {
 public:
  explicit ForwardingStorage(std::unique_ptr<Storage> inner) : inner_(std::move(inner)) {}

  std::optional<KeyValue> Get(const std::string& key) override { return inner_->Get(key); }
  ListResult List(const std::string& prefix) override { return inner_->List(prefix); }
  Revision CurrentRevision() override { return inner_->CurrentRevision(); }
  CommitStats Stats() override { return inner_->Stats(); }
  void CommitAsync(Transaction transaction,
                   std::function<void(const TransactionResult&)> done) override {
    inner_->CommitAsync(std::move(transaction), std::move(done));
  }
  std::unique_ptr<WatchHandle> Watch(const std::string& prefix, Revision from,
                                     WatchCallback callback) override {
    return inner_->Watch(prefix, from, std::move(callback));
  }

 protected:
  Storage& inner() { return *inner_; }

 private:
  std::unique_ptr<Storage> inner_;
};

}  // namespace fleetset::coordinator::storage
