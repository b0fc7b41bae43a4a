#include "coordinator/storage/etcd_compactor.h"

namespace fleetset::coordinator::storage {

EtcdCompactor::EtcdCompactor(EtcdClient& client, std::string key)
    : client_(client), key_(std::move(key)) {}

int64_t EtcdCompactor::Step() {
  etcdserverpb::TxnRequest txn;
  etcdserverpb::Compare* unchanged = txn.add_compare();
  unchanged->set_result(etcdserverpb::Compare::EQUAL);
  unchanged->set_target(etcdserverpb::Compare::VERSION);
  unchanged->set_key(key_);
  unchanged->set_version(seen_version_);
  // The value is for people reading etcd; the version is what counts.
  etcdserverpb::PutRequest* put = txn.add_success()->mutable_request_put();
  put->set_key(key_);
  put->set_value(std::to_string(seen_revision_));
  txn.add_failure()->mutable_request_range()->set_key(key_);
  const etcdserverpb::TxnResponse response = client_.Txn(txn);

  const int64_t previous_revision = seen_revision_;
  seen_revision_ = response.header().revision();
  if (!response.succeeded()) {
    // Another coordinator's turn. A deleted key starts the clock again.
    const auto& kvs = response.responses(0).response_range().kvs();
    seen_version_ = kvs.empty() ? 0 : kvs[0].version();
    return 0;
  }
  ++seen_version_;
  // The first turn only notes where history is; the next compacts to it.
  if (previous_revision == 0) return 0;
  try {
    client_.Compact(previous_revision, /*physical=*/false);
  } catch (const EtcdError& error) {
    // etcd was compacted further already (its own --auto-compaction, or an
    // operator): nothing is left to do.
    if (error.code() == grpc::StatusCode::OUT_OF_RANGE) return 0;
    throw;
  }
  return previous_revision;
}

}  // namespace fleetset::coordinator::storage
