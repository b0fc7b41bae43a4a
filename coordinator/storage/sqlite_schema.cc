#include "coordinator/storage/sqlite_schema.h"

#include "coordinator/storage/sqlite_connection.h"
#include "coordinator/storage/sqlite_transaction.h"
#include "coordinator/storage/v1_migration.h"

namespace fleetset::coordinator::storage::sqlite {
namespace {

// A plain rowid table rather than WITHOUT ROWID: values (whole objects)
// are often larger than the rows WITHOUT ROWID is good at.
constexpr char kSchema[] = R"sql(
CREATE TABLE kv (
  key TEXT PRIMARY KEY NOT NULL,
  value BLOB NOT NULL,
  create_revision INTEGER NOT NULL,
  mod_revision INTEGER NOT NULL
);
CREATE TABLE meta (
  key TEXT PRIMARY KEY NOT NULL,
  value INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO meta (key, value) VALUES ('revision', 0);
)sql";

// Read before anything is written to the file, so that a file this
// program must not touch is left exactly as it was.
int64_t SchemaVersion(Database& db) {
  Statement statement(db, "PRAGMA user_version");
  // A file that is not a SQLite database fails here ("file is not a database").
  if (!statement.Step("cannot read the schema version")) {
    throw StorageError(db.path() + ": cannot read the schema version");
  }
  return statement.ColumnInt(0);
}

void CheckVersion(Database& db, int64_t version) {
  if (version > kSchemaVersion) {
    throw StorageError(db.path() + ": schema version " + std::to_string(version) +
                       " is newer than this fleetset-coordinator knows (" +
                       std::to_string(kSchemaVersion) + "); use a newer fleetset-coordinator");
  }
  if (version < 0) {
    throw StorageError(db.path() + ": schema version " + std::to_string(version) +
                       " is not a fleetset schema version");
  }
  // Version 0 is a new file, unless someone else's tables are in it.
  if (version == 0 && QueryInt(db, "SELECT count(*) FROM sqlite_master") != 0) {
    throw StorageError(db.path() +
                       ": not a fleetset database (it has tables but no schema version)");
  }
}

}  // namespace

std::string SelectKeyValues(const std::string& where) {
  return "SELECT key, value, create_revision, mod_revision FROM kv WHERE " + where;
}

KeyValue ReadKeyValue(const Statement& row) {
  return {row.ColumnText(0), row.ColumnBlob(1), row.ColumnInt(2), row.ColumnInt(3)};
}

std::optional<KeyValue> FindKeyValue(Statement& select, const std::string& key) {
  if (!select.Bind(1, key).Step()) return std::nullopt;
  KeyValue kv = ReadKeyValue(select);
  select.Reset();
  return kv;
}

Revision ReadRevision(Statement& select) {
  if (!select.Step()) throw StorageError("the database has no store revision record");
  const Revision revision = select.ColumnInt(0);
  select.Reset();
  return revision;
}

void CreateSchema(Database& db) {
  db.Exec(kSchema);
  db.Exec("PRAGMA user_version=" + std::to_string(kSchemaVersion));
}

std::unique_ptr<Database> OpenStoreDatabase(const std::string& path,
                                            const std::string& v1_backup_path) {
  auto db = std::make_unique<Database>(path);
  const int64_t version = SchemaVersion(*db);
  CheckVersion(*db, version);
  ConfigureDurableConnection(*db);
  if (version == 0) {
    ScopedTransaction transaction(*db, "BEGIN IMMEDIATE");
    CreateSchema(*db);
    transaction.Commit();
  } else if (version == 1) {
    MigrateFromV1(*db, v1_backup_path);
  }
  return db;
}

}  // namespace fleetset::coordinator::storage::sqlite
