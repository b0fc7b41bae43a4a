// A store that plays a concurrent writer: after each of the next
// `interferences` reads of a key containing `fragment`, it writes the key
// again as it was read, so the reader's resourceVersion is out of date by
// the time it writes.
#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <utility>

#include "coordinator/storage/forwarding_storage.h"
#include "coordinator/storage/memory_storage.h"

namespace fleetset::testing {

class InterferingStore final : public coordinator::storage::ForwardingStorage {
 public:
  explicit InterferingStore(std::string fragment)
      : ForwardingStorage(coordinator::storage::OpenMemoryStorage()),
        fragment_(std::move(fragment)) {}

  std::optional<coordinator::storage::KeyValue> Get(const std::string& key) override {
    std::optional<coordinator::storage::KeyValue> kv = ForwardingStorage::Get(key);
    if (kv && interferences > 0 && key.find(fragment_) != std::string::npos) {
      --interferences;
      coordinator::storage::Transaction rewrite;
      rewrite.operations.push_back(coordinator::storage::Operation::Put(key, kv->value));
      EXPECT_TRUE(inner().Commit(std::move(rewrite)).committed());
    }
    return kv;
  }

  int interferences = 0;

 private:
  const std::string fragment_;
};

}  // namespace fleetset::testing
