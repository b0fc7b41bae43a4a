#include "coordinator/leader/etcd_leader_lease_store.h"

namespace fleetset::coordinator {

namespace {

LeaderRecord RecordOf(const mvccpb::KeyValue& kv) {
  return {kv.value(), kv.mod_revision(), kv.lease()};
}

}  // namespace

EtcdLeaderLeaseStore::EtcdLeaderLeaseStore(std::unique_ptr<storage::EtcdClient> client,
                                           std::string prefix)
    : client_(std::move(client)), prefix_(std::move(prefix)) {}

int64_t EtcdLeaderLeaseStore::GrantLease(std::chrono::seconds ttl) {
  return client_->LeaseGrant(ttl.count()).id();
}

std::chrono::seconds EtcdLeaderLeaseStore::RenewLease(int64_t lease) {
  return std::chrono::seconds(std::max<int64_t>(0, client_->LeaseKeepAliveOnce(lease)));
}

void EtcdLeaderLeaseStore::RevokeLease(int64_t lease) { client_->LeaseRevoke(lease); }

LeaderRecord EtcdLeaderLeaseStore::Acquire(const std::string& key, const std::string& identity,
                                           int64_t lease) {
  const std::string full_key = prefix_ + key;
  etcdserverpb::TxnRequest txn;
  etcdserverpb::Compare* absent = txn.add_compare();
  absent->set_result(etcdserverpb::Compare::EQUAL);
  absent->set_target(etcdserverpb::Compare::CREATE);
  absent->set_key(full_key);
  absent->set_create_revision(0);
  etcdserverpb::PutRequest* put = txn.add_success()->mutable_request_put();
  put->set_key(full_key);
  put->set_value(identity);
  put->set_lease(lease);
  txn.add_failure()->mutable_request_range()->set_key(full_key);
  const etcdserverpb::TxnResponse response = client_->Txn(txn);
  if (response.succeeded()) return {identity, response.header().revision(), lease};
  const auto& range = response.responses(0).response_range();
  // Deleted again between the compare and the read: nobody holds it.
  return range.kvs().empty() ? LeaderRecord{} : RecordOf(range.kvs(0));
}

LeaderRecord EtcdLeaderLeaseStore::Holder(const std::string& key) {
  etcdserverpb::RangeRequest request;
  request.set_key(prefix_ + key);
  const etcdserverpb::RangeResponse response = client_->Range(request);
  return response.kvs().empty() ? LeaderRecord{} : RecordOf(response.kvs(0));
}

}  // namespace fleetset::coordinator
