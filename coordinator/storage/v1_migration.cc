#include "coordinator/storage/v1_migration.h"

#include <fcntl.h>
#include <google/protobuf/wrappers.pb.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <optional>

#include "coordinator/registry/storage_keys.h"
#include "coordinator/storage/sqlite_schema.h"
#include "coordinator/storage/sqlite_transaction.h"
#include "coordinator/storage/v1_records.h"

namespace fleetset::coordinator::storage::sqlite {
namespace {

namespace fs = std::filesystem;

void Sync(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  const bool synced = fd >= 0 && fsync(fd) == 0;
  const int error = errno;
  if (fd >= 0) close(fd);
  if (!synced) throw StorageError("cannot sync " + path + ": " + std::strerror(error));
}

// The copy is on disk under its final name before the original changes:
// written beside it, synced, renamed, and the rename synced.
void CopyDurably(const std::string& from, const std::string& to) {
  const std::string partial = to + ".partial";
  std::error_code error;
  fs::copy_file(from, partial, fs::copy_options::overwrite_existing, error);
  if (error) throw StorageError("cannot copy " + from + " to " + partial + ": " + error.message());
  Sync(partial);
  fs::rename(partial, to, error);
  if (error) throw StorageError("cannot rename " + partial + " to " + to + ": " + error.message());
  const fs::path directory = fs::path(to).parent_path();
  Sync(directory.empty() ? "." : directory.string());
}

// Folds the write-ahead log into the main file, so that the file alone is
// the whole database and a byte copy of it is a backup.
void Checkpoint(Database& db) {
  Statement checkpoint(db, "PRAGMA wal_checkpoint(TRUNCATE)");
  const bool done = checkpoint.Step("checkpointing the write-ahead log") &&
                    checkpoint.ColumnInt(0) == 0;  // The first column is "busy".
  checkpoint.Reset();
  if (!done) throw StorageError(db.path() + ": cannot checkpoint the write-ahead log: busy");
}

// Converts the version-1 tables row by row into keys of the new `kv`
// table, which exists beside them until they are dropped.
class Converter {
 public:
  explicit Converter(Database& db)
      : db_(db),
        put_(db,
             "INSERT INTO kv (key, value, create_revision, mod_revision) VALUES (?, ?, 1, 1) "
             "ON CONFLICT (key) DO UPDATE SET value = excluded.value") {}

  void DaemonSets() {
    Statement rows(db_, "SELECT namespace, name, data FROM daemon_sets ORDER BY namespace, name");
    while (rows.Step()) {
      const std::string key = rows.ColumnText(0) + "/" + rows.ColumnText(1);
      const std::string data = rows.ColumnBlob(2);
      owner_uids_[key] = Parse<v1::DaemonSet>(data, "daemon_sets", key).metadata().uid();
      // The stored bytes as they are: the object does not change.
      Put(ObjectStorageKey("daemonsets", rows.ColumnText(0), rows.ColumnText(1)), data);
      ++daemon_sets_;
    }
  }

  // After DaemonSets(): a revision's owner reference carries its uid.
  // Numbers ascend, so a (never written) second revision of one hash
  // would leave the newest under its key.
  void Revisions() {
    Statement rows(db_,
                   "SELECT namespace, daemon_set, revision, data FROM revisions "
                   "ORDER BY namespace, daemon_set, revision");
    while (rows.Step()) {
      const std::string owner = rows.ColumnText(0) + "/" + rows.ColumnText(1);
      const std::string key = owner + " revision " + std::to_string(rows.ColumnInt(2));
      const auto stored = Parse<v1::StoredRevision>(rows.ColumnBlob(3), "revisions", key);
      auto uid = owner_uids_.find(owner);
      if (uid == owner_uids_.end()) Fail("revisions", key, "its daemon set is missing");
      PutObject(v1_records::ControllerRevision(stored, uid->second));
      ++revisions_;
    }
  }

  void Nodes() {
    Statement rows(db_, "SELECT name, data FROM nodes ORDER BY name");
    while (rows.Step()) {
      const std::string name = rows.ColumnText(0);
      const auto stored = Parse<v1::StoredNode>(rows.ColumnBlob(1), "nodes", name);
      Put(ObjectStorageKey("nodes", {}, name), stored.node().SerializeAsString());
      ++nodes_;
      if (auto assignments = v1_records::NodeAssignments(stored)) {
        PutObject(*assignments);
        ++node_assignments_;
      }
    }
  }

  void Events() {
    Statement rows(db_, "SELECT id, data FROM events ORDER BY id");
    while (rows.Step()) {
      const int64_t id = rows.ColumnInt(0);
      auto event = Parse<v1::Event>(rows.ColumnBlob(1), "events", std::to_string(id));
      PutObject(v1_records::Event(std::move(event), id));
      ++events_;
    }
  }

  void DesiredVersion(std::optional<uint64_t> version) {
    if (!version) return;
    google::protobuf::UInt64Value value;
    value.set_value(*version);
    Put(kDesiredVersionKey, value.SerializeAsString());
    desired_version_ = version;
  }

  bool wrote() const { return keys_ != 0; }

  std::string Summary() const {
    return std::to_string(daemon_sets_) + " daemon sets, " + std::to_string(revisions_) +
           " revisions, " + std::to_string(nodes_) + " nodes (" +
           std::to_string(node_assignments_) + " with assignments), " + std::to_string(events_) +
           " events, desired version " +
           (desired_version_ ? std::to_string(*desired_version_) : "none");
  }

 private:
  // A row that does not parse fails the migration, naming it: skipping it
  // would lose a DaemonSet (and its pods fleet-wide) or a node's rollout.
  template <typename Message>
  Message Parse(const std::string& bytes, const char* table, const std::string& key) const {
    Message message;
    if (!message.ParseFromString(bytes)) {
      Fail(table, key, "not a valid " + Message::descriptor()->full_name());
    }
    return message;
  }

  [[noreturn]] void Fail(const char* table, const std::string& key, const std::string& why) const {
    throw StorageError(db_.path() + ": table " + table + ", row " + key + ": " + why);
  }

  template <typename Message>
  void PutObject(const v1_records::Keyed<Message>& object) {
    Put(object.first, object.second.SerializeAsString());
  }

  void Put(const std::string& key, const std::string& value) {
    put_.Bind(1, key).BindBlob(2, value);
    put_.Run("migrating " + key);
    ++keys_;
  }

  Database& db_;
  Statement put_;
  std::map<std::string, std::string> owner_uids_;
  size_t keys_ = 0;
  size_t daemon_sets_ = 0, revisions_ = 0, nodes_ = 0, node_assignments_ = 0, events_ = 0;
  std::optional<uint64_t> desired_version_;
};

std::optional<uint64_t> ReadDesiredVersion(Database& db) {
  Statement row(db, "SELECT value FROM meta WHERE key = 'desired_version'");
  if (!row.Step()) return std::nullopt;
  // SQLite integers are signed; version 1 stored the bits through a cast.
  const auto version = static_cast<uint64_t>(row.ColumnInt(0));
  row.Reset();
  return version;
}

}  // namespace

void MigrateFromV1(Database& db, const std::string& backup_path) {
  Checkpoint(db);
  CopyDurably(db.path(), backup_path);

  ScopedTransaction transaction(db, "BEGIN IMMEDIATE");
  // Version 1 has a `meta` table too: its one record is read before the
  // new layout takes its name.
  const std::optional<uint64_t> desired_version = ReadDesiredVersion(db);
  db.Exec("DROP TABLE meta");
  CreateSchema(db);
  Converter converter(db);
  converter.DaemonSets();
  converter.Revisions();
  converter.Nodes();
  converter.Events();
  converter.DesiredVersion(desired_version);
  if (converter.wrote()) {
    Statement revision(db, kUpdateRevisionSql);
    revision.Bind(1, int64_t{1}).Run("setting the store revision");
  }
  db.Exec("DROP TABLE revisions; DROP TABLE daemon_sets; DROP TABLE nodes; DROP TABLE events");
  transaction.Commit();
  spdlog::info("{}: migrated schema version 1 to {}: {}; the version-1 file is kept at {}",
               db.path(), kSchemaVersion, converter.Summary(), backup_path);
}

}  // namespace fleetset::coordinator::storage::sqlite
