// The coordinator's store on an etcd v3 cluster, for running several
// coordinators on one state: every key lives under a prefix in etcd, every
// transaction is an etcd Txn, and the revisions are etcd's own.
//
// Where it differs from the SQLite store:
//  * Revisions are the cluster's. Every write to the cluster advances them,
//    other coordinators' and other prefixes' included, so a store sees gaps
//    between its own revisions, and a new store starts at whatever revision
//    the cluster has reached (at least 1: etcd's first write is revision 2).
//  * Throughput comes from keeping several requests in flight, and from
//    sending the transactions that waited for one as one etcd Txn of
//    nested ones (see etcd_commit_pipeline.h): those that write share one
//    revision. Transactions that share a key reach etcd in queue order;
//    ones that share none may be ordered by etcd differently from the
//    queue, and `done` callbacks then run in etcd's order, which is the
//    order of their revisions. Stats counts one batch per request sent.
//  * kFailed after a lost answer (the deadline passed, the connection broke
//    after sending) means the outcome is unknown, as with any etcd client:
//    the transaction may still have been applied. Its watch event tells.
//    A transaction refused before sending (an empty key, a key written
//    twice) or by a member without a leader was certainly not applied.
//  * Watches are served from one etcd watch over the whole prefix, kept by
//    the store (etcd_watch_feed.h), with a window of the most recent events
//    for watches that start in the past, as on SQLite: a watch from before
//    the store was opened, or older than the window, is compacted even when
//    etcd still has that history. When etcd compacts history the store's
//    own watch had not read yet, the store lists again and its watchers are
//    given the difference as events rather than an error.
//  * Reads are linearizable quorum reads: a store cut off from the quorum
//    fails them with StorageError ("etcd unavailable: ...").
//
// Choose a prefix that no other user of the cluster has as the start of
// theirs ("/fleetset" and "/fleetset-b" would see each other's keys).
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "coordinator/storage/etcd_client.h"
#include "coordinator/storage/storage.h"
#include "coordinator/storage/watch_hub.h"

namespace fleetset::coordinator::storage {

inline constexpr char kDefaultEtcdPrefix[] = "/fleetset";

struct EtcdOptions {
  // Client URLs of the members (kube-apiserver's --etcd-servers):
  // http://host:port or https://host:port.
  std::vector<std::string> servers;
  // For https: --etcd-cafile, --etcd-certfile, --etcd-keyfile (PEM).
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  // Put in front of every key (--etcd-prefix); List and Watch take it off.
  std::string prefix = kDefaultEtcdPrefix;
  // The deadline of one read or transaction, every member it is tried on
  // included.
  std::chrono::milliseconds request_timeout{5000};
  // How long the store's watch waits before reconnecting after its stream
  // broke (doubling, up to 5 s or this, while no member answers).
  std::chrono::milliseconds watch_retry_interval{200};
  // Requests in flight at once; 1 sends each after the previous one's
  // answer. Transactions that wait for a slot go together in the next.
  // Much of etcd's cost is per request, so fewer, larger ones spare it
  // CPU (bench/README.md has the figures).
  size_t max_in_flight = 2;
  // How many of the most recent events a watch may start from.
  size_t watch_history_events = kDefaultWatchHistoryEvents;
};

// The client settings within `options`, for another client of the same
// cluster (the leader election's).
EtcdClientOptions ClientOptions(const EtcdOptions& options);

// Connects, reads the prefix and starts the store's watch; throws
// StorageError when the options are wrong or etcd cannot be read.
std::unique_ptr<Storage> OpenEtcdStorage(EtcdOptions options);

}  // namespace fleetset::coordinator::storage
