#include "coordinator/storage/etcd_db_sizes.h"

#include <spdlog/spdlog.h>

namespace fleetset::coordinator::storage {

size_t EtcdDbSizes::Poll() {
  std::vector<EtcdMemberDbSize> sizes;
  for (size_t i = 0; i < client_.endpoint_count(); ++i) {
    try {
      const etcdserverpb::StatusResponse status = client_.Status(i);
      sizes.push_back({client_.endpoint_url(i), status.dbsize(), status.dbsizeinuse()});
    } catch (const EtcdError& error) {
      // Already said by the store when it matters for writes; here it only
      // costs the member its sample.
      spdlog::debug("etcd member {} gave no status: {}", client_.endpoint_url(i), error.what());
    }
  }
  const size_t answered = sizes.size();
  std::lock_guard lock(mu_);
  latest_ = std::move(sizes);
  return answered;
}

std::vector<EtcdMemberDbSize> EtcdDbSizes::Latest() const {
  std::lock_guard lock(mu_);
  return latest_;
}

}  // namespace fleetset::coordinator::storage
