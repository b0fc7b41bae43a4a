#include "coordinator/storage/etcd_transaction_limit.h"

namespace fleetset::coordinator::storage {

void CheckTransactionLimit(EtcdClient& client, const std::string& key) {
  etcdserverpb::TxnRequest request;
  for (size_t i = 0; i < kMaxTxnOperations; ++i) {
    etcdserverpb::RangeRequest& range = *request.add_success()->mutable_request_range();
    range.set_key(key);
    range.set_count_only(true);
  }
  try {
    client.Txn(request);
  } catch (const EtcdError& error) {
    // etcd's ErrGRPCTooManyOps.
    if (error.code() != grpc::StatusCode::INVALID_ARGUMENT ||
        std::string(error.what()).find("too many operations") == std::string::npos) {
      throw;
    }
    const std::string limit = std::to_string(kMaxTxnOperations);
    throw StorageError("a transaction of " + limit + " operations was refused (" + error.what() +
                       "): the coordinator groups up to " + limit +
                       " writes in one; start etcd with --max-txn-ops=" + limit +
                       " or more (its default)");
  }
}

}  // namespace fleetset::coordinator::storage
