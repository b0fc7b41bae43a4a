// The one-time move of a version-1 database (a table per kind, written by
// the coordinator before the registry) to the key-value layout of version 2.
#pragma once

#include <string>

#include "coordinator/storage/sqlite_handle.h"

namespace fleetset::coordinator::storage::sqlite {

// Copies the whole file to `backup_path` (durably, after folding the
// write-ahead log into it), then, in one transaction, converts every record
// to its key (v1_records.h), drops the old tables and sets the schema
// version: any failure leaves the version-1 file as it was and throws a
// StorageError naming what failed. `db` is configured for durable writes.
// Every migrated key has create and mod revision 1, the store revision 1.
void MigrateFromV1(Database& db, const std::string& backup_path);

}  // namespace fleetset::coordinator::storage::sqlite
