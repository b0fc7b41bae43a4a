// The SQLite store's file layout, schema version 2: every object is a row
// of one key-value table, as kine keeps etcd's model in SQL, and the store
// revision is a row of its own (deletes remove the rows that carried the
// newest revisions, so it cannot be derived from them).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "coordinator/storage/sqlite_handle.h"

namespace fleetset::coordinator::storage::sqlite {

// PRAGMA user_version of this layout. Version 1 (a table per kind) is
// migrated at open; a newer one is refused rather than misread.
inline constexpr int64_t kSchemaVersion = 2;

// "SELECT <whole rows> FROM kv WHERE <where>", and one row of it.
std::string SelectKeyValues(const std::string& where);
KeyValue ReadKeyValue(const Statement& row);
// The row of `key`, with `select` prepared from SelectKeyValues("key = ?").
std::optional<KeyValue> FindKeyValue(Statement& select, const std::string& key);

inline constexpr char kSelectRevisionSql[] = "SELECT value FROM meta WHERE key = 'revision'";
inline constexpr char kUpdateRevisionSql[] = "UPDATE meta SET value = ? WHERE key = 'revision'";
// The store revision, with `select` prepared from kSelectRevisionSql.
Revision ReadRevision(Statement& select);

// Creates the tables of this layout in an empty database, inside the
// caller's transaction.
void CreateSchema(Database& db);

// Opens the store's database at `path` with durable settings and this
// layout: creates it in a new file, migrates a version-1 file (keeping a
// copy of it at `v1_backup_path` first), and refuses a damaged file, a
// newer version or someone else's database with a StorageError naming it.
std::unique_ptr<Database> OpenStoreDatabase(const std::string& path,
                                            const std::string& v1_backup_path);

}  // namespace fleetset::coordinator::storage::sqlite
