// etcd's transaction semantics, written once for every store: validation,
// compares, puts and deletes, the revision rule and the watch events they
// produce. A store supplies only how to read and write one key of its own
// state (a std::map, or SQLite rows inside an open write transaction).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "coordinator/storage/storage.h"

namespace fleetset::coordinator::storage {

// One store's keys as the transaction being applied sees them: reads
// return the writes made before them.
class KeySpace {
 public:
  virtual ~KeySpace() = default;
  virtual std::optional<KeyValue> Find(const std::string& key) = 0;
  virtual void Put(const KeyValue& kv) = 0;
  virtual void Erase(const std::string& key) = 0;
};

// Why every store refuses `transaction` unapplied (kFailed), nullopt when
// it may go. etcd refuses the same requests, so that code written against
// one store keeps working on etcd: an empty key, and one key written twice
// (the order of the two writes would otherwise decide the outcome
// silently).
std::optional<std::string> InvalidTransaction(const Transaction& transaction);

// Applies `transaction` to `keys` when its compares hold. `revision` is the
// store's revision before it and is advanced by one when the transaction
// writes something; the events it wrote are appended to `events`. What
// `keys` throws (a SQLite failure) propagates: the caller rolls back.
TransactionResult ApplyTransaction(const Transaction& transaction, KeySpace& keys,
                                   Revision& revision, std::vector<WatchEvent>& events);

}  // namespace fleetset::coordinator::storage
