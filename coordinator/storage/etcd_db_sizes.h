// How large each etcd member's database file is, polled as kube-apiserver
// polls it (--etcd-db-metric-poll-interval) for its
// apiserver_storage_db_total_size_in_bytes. etcd refuses every write once
// a member's file reaches its quota (--quota-backend-bytes, 2 GiB by
// default) until the operator compacts, defragments and disarms the
// alarm; the size, and how much of it is in use (the rest freed by
// compaction, returned only by a defragmentation), is what an operator
// alerts on long before that (docs/operations.md, "Sizing").
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "coordinator/storage/etcd_client.h"

namespace fleetset::coordinator::storage {

struct EtcdMemberDbSize {
  // The member's URL, as --etcd-servers names it.
  std::string endpoint;
  int64_t total_bytes = 0;
  int64_t in_use_bytes = 0;
};

class EtcdDbSizes {
 public:
  // `client` (its own, or one shared with other maintenance) must outlive
  // this.
  explicit EtcdDbSizes(EtcdClient& client) : client_(client) {}

  // Asks every member for its status, one after the other (each within
  // the client's request timeout). A member that does not answer is left
  // out until it does, as a scrape should not show a size it no longer
  // knows. Returns how many answered.
  size_t Poll();
  // What the last Poll found, in the order of --etcd-servers. Any thread.
  std::vector<EtcdMemberDbSize> Latest() const;

 private:
  EtcdClient& client_;
  mutable std::mutex mu_;
  std::vector<EtcdMemberDbSize> latest_;
};

}  // namespace fleetset::coordinator::storage
