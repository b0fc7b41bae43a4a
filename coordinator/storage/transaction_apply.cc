#include "coordinator/storage/transaction_apply.h"

#include <set>

namespace fleetset::coordinator::storage {
namespace {

bool Holds(const Compare& compare, KeySpace& keys) {
  const std::optional<KeyValue> current = keys.Find(compare.key);
  return (current ? current->mod_revision : 0) == compare.mod_revision;
}

}  // namespace

std::optional<std::string> InvalidTransaction(const Transaction& transaction) {
  std::set<std::string_view> keys;
  for (const Operation& operation : transaction.operations) {
    if (operation.key.empty()) return "a transaction operation has an empty key";
    if (!keys.insert(operation.key).second) {
      return "key " + operation.key + " is written twice in one transaction";
    }
  }
  for (const Compare& compare : transaction.compares) {
    if (compare.key.empty()) return "a transaction compare has an empty key";
  }
  if (transaction.fence && transaction.fence->key.empty()) return "the fence has an empty key";
  return std::nullopt;
}

TransactionResult ApplyTransaction(const Transaction& transaction, KeySpace& keys,
                                   Revision& revision, std::vector<WatchEvent>& events) {
  if (std::optional<std::string> error = InvalidTransaction(transaction)) {
    return {TransactionResult::Status::kFailed, revision, std::move(*error)};
  }
  if (transaction.fence && !Holds(*transaction.fence, keys)) {
    return {TransactionResult::Status::kFenced, revision, FencedError(*transaction.fence)};
  }
  for (const Compare& compare : transaction.compares) {
    if (!Holds(compare, keys)) return {TransactionResult::Status::kCompareFailed, revision, {}};
  }
  const Revision next = revision + 1;
  bool wrote = false;
  for (const Operation& operation : transaction.operations) {
    std::optional<KeyValue> previous = keys.Find(operation.key);
    WatchEvent event;
    if (operation.type == Operation::Type::kPut) {
      event.type = WatchEvent::Type::kPut;
      event.kv = {operation.key, operation.value, previous ? previous->create_revision : next,
                  next};
      keys.Put(event.kv);
    } else {
      if (!previous) continue;  // Deleting a missing key changes nothing.
      event.type = WatchEvent::Type::kDelete;
      event.kv = {operation.key, {}, 0, next};
      keys.Erase(operation.key);
    }
    event.previous = std::move(previous);
    events.push_back(std::move(event));
    wrote = true;
  }
  if (wrote) revision = next;
  return {TransactionResult::Status::kCommitted, revision, {}};
}

}  // namespace fleetset::coordinator::storage
