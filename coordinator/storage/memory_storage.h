// A store that lives only in memory, with the same semantics as the SQLite
// one: for data that agents report again after a restart (pods), and as
// the fake store of unit tests.
#pragma once

#include <cstddef>
#include <memory>

#include "coordinator/storage/storage.h"
#include "coordinator/storage/watch_hub.h"

namespace fleetset::coordinator::storage {

struct MemoryStorageOptions {
  // How many of the most recent events a watch may start from.
  size_t watch_history_events = kDefaultWatchHistoryEvents;
};

std::unique_ptr<Storage> OpenMemoryStorage(MemoryStorageOptions options = {});

}  // namespace fleetset::coordinator::storage
