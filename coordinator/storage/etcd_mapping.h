// How the store's keys, transactions and events map onto etcd's: every key
// lives under the store's prefix, a Compare becomes etcd's compare on the
// key's mod_revision, a Transaction becomes a Txn whose success branch holds
// its operations (and whose failure branch reads the fence key, when there
// is a fence), several transactions sent together become one Txn of nested
// ones, and etcd's records come back with the prefix removed.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "coordinator/storage/etcd_commit_pipeline.h"
#include "coordinator/storage/storage.h"
#include "etcd/etcdserverpb/rpc.pb.h"

namespace fleetset::coordinator::storage {

// The end of etcd's range of every key starting with `prefix`: the prefix
// with its last byte raised by one (trailing 0xff bytes dropped first); "\0"
// (every key) when nothing is left.
std::string PrefixRangeEnd(const std::string& prefix);

class EtcdKeyMapping {
 public:
  explicit EtcdKeyMapping(std::string prefix) : prefix_(std::move(prefix)) {}

  const std::string& prefix() const { return prefix_; }
  std::string ToEtcd(const std::string& key) const { return prefix_ + key; }
  // `key` is one of the store's (it starts with the prefix).
  std::string FromEtcd(const std::string& key) const { return key.substr(prefix_.size()); }

  KeyValue FromEtcd(const mvccpb::KeyValue& kv) const;
  WatchEvent FromEtcd(const mvccpb::Event& event) const;

  // Every key under `prefix` (relative), in key order.
  etcdserverpb::RangeRequest ListRequest(const std::string& prefix) const;

  // A mod_revision compare of 0 holds for a missing key too: etcd compares
  // a missing key as a record whose numbers are all 0, as Compare::Absent
  // means.
  etcdserverpb::TxnRequest TxnRequest(const Transaction& transaction) const;
  // The request for transactions sent together: one goes as TxnRequest()
  // makes it; several as one Txn without compares whose success branch
  // holds each one's Txn, so that each is applied or not on its own.
  etcdserverpb::TxnRequest BatchRequest(const std::vector<Transaction>& batch) const;

 private:
  std::string prefix_;
};

// Why the store refuses `transaction` before sending it (an empty key, a
// key written twice), in the words every store uses; "" when it may go.
std::string RefusedTransaction(const Transaction& transaction);

// What etcd's answer to TxnRequest() means for the caller, given the
// transaction's fence. `wrote` says whether the transaction took a
// revision of its own.
TransactionResult TransactionOutcome(const etcdserverpb::TxnResponse& response,
                                     const std::optional<Compare>& fence, bool& wrote);

// What etcd's answer to BatchRequest(batch) means for each transaction of
// the batch, in order, given their fences.
std::vector<CommitPipeline::Outcome> BatchOutcomes(
    const etcdserverpb::TxnResponse& response, const std::vector<std::optional<Compare>>& fences);

}  // namespace fleetset::coordinator::storage
