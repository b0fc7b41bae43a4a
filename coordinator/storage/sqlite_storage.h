// The coordinator's embedded store: one SQLite file under the data
// directory, in WAL mode with synchronous=FULL, written by one committer
// thread that commits whatever is queued in one transaction (group commit:
// one fsync for the lot), read on connections of its own.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "coordinator/storage/storage.h"
#include "coordinator/storage/watch_hub.h"

namespace fleetset::coordinator::storage {

// The database file and, once a version-1 file has been migrated, the
// copy of it kept, both in the data directory.
inline constexpr char kSqliteDatabaseFile[] = "fleetset.db";
inline constexpr char kSqliteV1BackupFile[] = "fleetset.db.v1-backup";

struct SqliteStorageOptions {
  // How many of the most recent events a watch may start from. History is
  // kept in memory only: a watch from before the store was opened by this
  // process is compacted.
  size_t watch_history_events = kDefaultWatchHistoryEvents;
};

// Opens (creating when missing, mode 0700) `data_dir`, locks it against
// other coordinators, and opens or creates DATA_DIR/fleetset.db, migrating
// a version-1 database once (the old file is kept as
// DATA_DIR/fleetset.db.v1-backup). Throws StorageError naming the cause.
std::unique_ptr<Storage> OpenSqliteStorage(const std::string& data_dir,
                                           SqliteStorageOptions options = {});

}  // namespace fleetset::coordinator::storage
