// The watch side of every store: the watchers registered by prefix, and a
// window of the most recent events so that a watch can start from a past
// revision (etcd keeps its whole history until compaction; this store keeps
// a bounded count in memory, and nothing from before the process opened
// the store). Events are delivered on the hub's own thread, so neither a
// commit nor a read ever waits for a watcher, and no store lock is held
// while a callback runs.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "coordinator/storage/storage.h"

namespace fleetset::coordinator::storage {

inline constexpr size_t kDefaultWatchHistoryEvents = 10000;

class WatchHub {
 public:
  // `start_revision`: the store's revision when it was opened; a watch from
  // it or earlier is compacted. `history_events`: how many of the most
  // recent events are kept for watches that start in the past.
  // `current_revision`: the store's, as its reads see it.
  WatchHub(Revision start_revision, size_t history_events,
           std::function<Revision()> current_revision);
  WatchHub(const WatchHub&) = delete;
  WatchHub& operator=(const WatchHub&) = delete;
  // Closes.
  ~WatchHub();

  // The events of committed transactions, in revision order, every one of
  // them newer than those published before. Called by the store once the
  // transactions' `done` callbacks have run.
  void Publish(std::vector<WatchEvent> events);

  // Storage::Watch's contract: replays the kept events from `from` on under
  // `prefix`, then delivers new ones. From 0 is from the revision after the
  // store's current one, which may be ahead of what it has published yet.
  std::unique_ptr<WatchHandle> Watch(const std::string& prefix, Revision from,
                                     WatchCallback callback);

  // Stops delivering (events not yet delivered are dropped) and joins the
  // delivery thread; later Watch calls throw StorageError. Handles may
  // outlive the hub. Must not be called from a watch callback.
  void Close();

 private:
  struct Core;
  class Handle;

  std::function<Revision()> current_revision_;
  std::shared_ptr<Core> core_;
};

}  // namespace fleetset::coordinator::storage
