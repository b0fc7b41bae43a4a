#include "coordinator/storage/etcd_mapping.h"

#include "coordinator/storage/transaction_apply.h"

namespace fleetset::coordinator::storage {
std::string PrefixRangeEnd(const std::string& prefix) {
  std::string end = prefix;
  while (!end.empty()) {
    if (static_cast<unsigned char>(end.back()) != 0xff) {
      end.back() = static_cast<char>(static_cast<unsigned char>(end.back()) + 1);
      return end;
    }
    end.pop_back();
  }
  return std::string(1, '\0');
}

KeyValue EtcdKeyMapping::FromEtcd(const mvccpb::KeyValue& kv) const {
  return {FromEtcd(kv.key()), kv.value(), kv.create_revision(), kv.mod_revision()};
}

WatchEvent EtcdKeyMapping::FromEtcd(const mvccpb::Event& event) const {
  WatchEvent converted;
  converted.type =
      event.type() == mvccpb::Event::DELETE ? WatchEvent::Type::kDelete : WatchEvent::Type::kPut;
  converted.kv = FromEtcd(event.kv());
  if (converted.type == WatchEvent::Type::kDelete) {
    converted.kv.value.clear();
    converted.kv.create_revision = 0;
  }
  if (event.has_prev_kv()) converted.previous = FromEtcd(event.prev_kv());
  return converted;
}

etcdserverpb::RangeRequest EtcdKeyMapping::ListRequest(const std::string& prefix) const {
  etcdserverpb::RangeRequest request;
  request.set_key(ToEtcd(prefix));
  request.set_range_end(PrefixRangeEnd(ToEtcd(prefix)));
  return request;
}

etcdserverpb::TxnRequest EtcdKeyMapping::TxnRequest(const Transaction& transaction) const {
  etcdserverpb::TxnRequest request;
  auto add_compare = [&](const Compare& compare) {
    etcdserverpb::Compare& etcd = *request.add_compare();
    etcd.set_key(ToEtcd(compare.key));
    etcd.set_target(etcdserverpb::Compare::MOD);
    etcd.set_result(etcdserverpb::Compare::EQUAL);
    etcd.set_mod_revision(compare.mod_revision);
  };
  if (transaction.fence) {
    add_compare(*transaction.fence);
    // When a compare fails, the fence key as it is now tells a deposed
    // leader from a conflict.
    request.add_failure()->mutable_request_range()->set_key(ToEtcd(transaction.fence->key));
  }
  for (const Compare& compare : transaction.compares) add_compare(compare);
  for (const Operation& operation : transaction.operations) {
    etcdserverpb::RequestOp& op = *request.add_success();
    if (operation.type == Operation::Type::kPut) {
      op.mutable_request_put()->set_key(ToEtcd(operation.key));
      op.mutable_request_put()->set_value(operation.value);
    } else {
      op.mutable_request_delete_range()->set_key(ToEtcd(operation.key));
    }
  }
  return request;
}

etcdserverpb::TxnRequest EtcdKeyMapping::BatchRequest(const std::vector<Transaction>& batch) const {
  if (batch.size() == 1) return TxnRequest(batch.front());
  etcdserverpb::TxnRequest request;
  for (const Transaction& transaction : batch) {
    *request.add_success()->mutable_request_txn() = TxnRequest(transaction);
  }
  return request;
}

std::string RefusedTransaction(const Transaction& transaction) {
  return InvalidTransaction(transaction).value_or("");
}

namespace {

// `response` answered a transaction with `fence`; a nested Txn's answer has
// no header of its own, so the revision is its parent's.
TransactionResult OutcomeAt(const etcdserverpb::TxnResponse& response, Revision revision,
                            const std::optional<Compare>& fence, bool& wrote) {
  wrote = false;
  if (!response.succeeded()) {
    if (fence && !response.responses().empty()) {
      const auto& holder = response.responses(0).response_range().kvs();
      if (holder.empty() || holder[0].mod_revision() != fence->mod_revision) {
        return {TransactionResult::Status::kFenced, revision, FencedError(*fence)};
      }
    }
    return {TransactionResult::Status::kCompareFailed, revision, {}};
  }
  for (const etcdserverpb::ResponseOp& op : response.responses()) {
    if (op.has_response_put() ||
        (op.has_response_delete_range() && op.response_delete_range().deleted() > 0)) {
      wrote = true;
    }
  }
  return {TransactionResult::Status::kCommitted, revision, {}};
}

}  // namespace

TransactionResult TransactionOutcome(const etcdserverpb::TxnResponse& response,
                                     const std::optional<Compare>& fence, bool& wrote) {
  return OutcomeAt(response, response.header().revision(), fence, wrote);
}

std::vector<CommitPipeline::Outcome> BatchOutcomes(
    const etcdserverpb::TxnResponse& response, const std::vector<std::optional<Compare>>& fences) {
  std::vector<CommitPipeline::Outcome> outcomes(fences.size());
  if (fences.size() == 1) {
    outcomes[0].result = TransactionOutcome(response, fences[0], outcomes[0].wrote);
    return outcomes;
  }
  const Revision revision = response.header().revision();
  if (!response.succeeded() || response.responses_size() != static_cast<int>(fences.size())) {
    // Not what was asked for: whatever it means, nobody is told it worked.
    const TransactionResult failed{TransactionResult::Status::kFailed, revision,
                                   "etcd answered " + std::to_string(response.responses_size()) +
                                       " of " + std::to_string(fences.size()) +
                                       " transactions sent together"};
    for (CommitPipeline::Outcome& outcome : outcomes) outcome.result = failed;
    return outcomes;
  }
  for (size_t i = 0; i < fences.size(); ++i) {
    outcomes[i].result = OutcomeAt(response.responses(static_cast<int>(i)).response_txn(), revision,
                                   fences[i], outcomes[i].wrote);
  }
  return outcomes;
}

}  // namespace fleetset::coordinator::storage
