// Keeps etcd's history from growing without end, as kube-apiserver does
// (--etcd-compaction-interval): etcd keeps every revision of every key
// until it is compacted, and Debian's etcd does not compact on its own, so
// a fleet's lease renewals alone would fill its 2 GiB quota within hours.
//
// Every coordinator takes a step each interval. A step is a transaction
// on a shared key that bumps the key's version only when it still has the
// version this coordinator last saw; the coordinator whose transaction
// bumps it compacts etcd to the revision it saw one step earlier. Whatever
// the number of coordinators, etcd is compacted about once an interval,
// and the last interval's history stays for watches that fell behind
// (those that fell further behind list again).
#pragma once

#include <cstdint>
#include <string>

#include "coordinator/storage/etcd_client.h"

namespace fleetset::coordinator::storage {

class EtcdCompactor {
 public:
  // `key`: the shared key, with the store's prefix. `client` (one kept
  // for maintenance, apart from the store's) must outlive this.
  EtcdCompactor(EtcdClient& client, std::string key);

  // One interval's step. Returns the revision etcd was compacted to, or 0
  // when this step compacted nothing: it was this coordinator's first, or
  // another coordinator took this interval's turn. Throws EtcdError when
  // etcd cannot be reached; the next step starts over from what it sees.
  int64_t Step();

 private:
  EtcdClient& client_;
  const std::string key_;
  // The shared key's version when this coordinator last looked (the
  // cluster's logical clock), and etcd's revision then.
  int64_t seen_version_ = 0;
  int64_t seen_revision_ = 0;
};

}  // namespace fleetset::coordinator::storage
