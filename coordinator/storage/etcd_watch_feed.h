// One etcd watch over the whole of a store's prefix, kept open for as long
// as the store is: the single source of the store's watch events, which the
// store fans out to its own watchers (as kube-apiserver's watch cache does),
// so that a coordinator holds one etcd watch however many informers it
// runs, and its watchers see every revision in one order.
//
// The feed keeps a mirror of the keys under the prefix (read once when it
// starts, then kept current by the events). Each event's previous value
// comes from the mirror rather than from etcd (the watch asks for no
// prev_kv), which spares etcd a read and half the bytes of every event it
// sends each coordinator. When its stream breaks (the
// member died, lost its leader, or the connection dropped) it reconnects,
// to the next member, from the revision after the last one it passed on:
// nothing is lost and nothing repeated. When that revision has been
// compacted meanwhile, the changes it missed can no longer be replayed;
// the feed then lists the prefix again and passes on the difference from
// its mirror as events (a put for every key created or changed, with the
// value it had before; a delete, at the listed revision, for every key
// gone), the way client-go's reflector re-lists, so that watchers catch up
// instead of failing. What they miss are only the intermediate values.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "coordinator/storage/etcd_client.h"
#include "coordinator/storage/etcd_mapping.h"
#include "coordinator/storage/storage.h"

namespace fleetset::coordinator::storage {

class EtcdWatchFeed {
 public:
  // Events of whole revisions, oldest first, keys without the prefix; on
  // the feed's thread.
  using Sink = std::function<void(std::vector<WatchEvent> events)>;

  // Lists the prefix (throws EtcdError when etcd cannot be read); Start
  // watches from the next revision.
  EtcdWatchFeed(EtcdClient& client, const EtcdKeyMapping& keys,
                std::chrono::milliseconds retry_interval, Sink sink);
  EtcdWatchFeed(const EtcdWatchFeed&) = delete;
  EtcdWatchFeed& operator=(const EtcdWatchFeed&) = delete;
  ~EtcdWatchFeed();

  // The revision the first list was read at: the feed passes on every
  // change after it.
  Revision start_revision() const { return start_revision_; }
  // Starts the feed's thread.
  void Start();
  // The keys as the feed last saw them, at the last revision it passed
  // on: what the store answers reads with when etcd cannot (they may be
  // stale). Any thread.
  std::optional<KeyValue> MirrorGet(const std::string& key) const;
  ListResult MirrorList(const std::string& prefix) const;

  // Ends the stream and joins the thread; the sink is not called again.
  void Stop();

 private:
  void Run();
  // Reads one stream until it ends; true when it ended because the
  // revision it asked for has been compacted. `answered`: the member
  // answered at all.
  bool Follow(EtcdClient::WatchStream& watch, bool& answered);
  // Lists again after a compaction and passes on the difference.
  void Relist();
  void Pass(std::vector<WatchEvent> events);
  // Waits `interval` unless stopped first; false when stopped.
  bool Pause(std::chrono::milliseconds interval);

  EtcdClient& client_;
  const EtcdKeyMapping& keys_;
  const std::chrono::milliseconds retry_interval_;
  const Sink sink_;
  // Written by the feed's thread only, under mirror_mutex_, so that it
  // reads them without the lock and other threads read them with it.
  std::map<std::string, KeyValue> mirror_;
  Revision next_ = 0;
  mutable std::mutex mirror_mutex_;
  Revision start_revision_ = 0;

  std::mutex mutex_;
  std::condition_variable stop_requested_;
  bool stopping_ = false;
  // The stream being read, to be cancelled by Stop.
  grpc::ClientContext* context_ = nullptr;
  std::thread thread_;
};

}  // namespace fleetset::coordinator::storage
