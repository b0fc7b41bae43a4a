// The settings every coordinator database connection that writes runs
// with: the crash-safety promise (a change acknowledged is on disk) rests
// on them.
#pragma once

#include "coordinator/storage/sqlite_handle.h"

namespace fleetset::coordinator::storage::sqlite {

// Write-ahead logging and synchronous=FULL (an fsync at every commit).
// Throws StorageError when SQLite silently refuses WAL.
void ConfigureDurableConnection(Database& db);

}  // namespace fleetset::coordinator::storage::sqlite
