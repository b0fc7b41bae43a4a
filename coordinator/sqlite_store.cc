// The coordinator's store on SQLite: one file, WAL journal, full fsync on
// commit, one transaction per StoreChange. Records are the protobuf
// messages themselves, serialized; the columns beside them only key and
// order the rows.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <mutex>

#include "coordinator/sqlite_handle.h"
#include "coordinator/store.h"

namespace fleetset::coordinator {
namespace {

using sqlite::Database;
using sqlite::Statement;

// PRAGMA user_version of the schema below. A database with a newer one was
// written by a newer coordinator and is refused rather than misread.
constexpr int64_t kSchemaVersion = 1;

// Revisions reference their DaemonSet, so that deleting a DaemonSet deletes
// its revisions and a revision can never outlive (or precede) it.
constexpr char kSchema[] = R"sql(
CREATE TABLE daemon_sets (
  namespace TEXT NOT NULL,
  name TEXT NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (namespace, name)
) WITHOUT ROWID;
CREATE TABLE revisions (
  namespace TEXT NOT NULL,
  daemon_set TEXT NOT NULL,
  revision INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (namespace, daemon_set, revision),
  FOREIGN KEY (namespace, daemon_set) REFERENCES daemon_sets (namespace, name) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE TABLE nodes (
  name TEXT PRIMARY KEY NOT NULL,
  data BLOB NOT NULL
) WITHOUT ROWID;
CREATE TABLE events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  data BLOB NOT NULL
);
CREATE TABLE meta (
  key TEXT PRIMARY KEY NOT NULL,
  value INTEGER NOT NULL
) WITHOUT ROWID;
)sql";

// Long enough to ride out an operator's sqlite3 shell or a backup reading
// the file; other coordinators are kept out by the directory lock instead.
constexpr int kBusyTimeoutMs = 5000;

StoreError SystemError(const std::string& what, const std::string& path) {
  return StoreError(what + " " + path + ": " + std::strerror(errno));
}

// Creates `dir` (mode 0700: the database holds the whole fleet's
// configuration) and its missing parents.
void EnsureDirectory(const std::string& dir) {
  namespace fs = std::filesystem;
  fs::path path = fs::path(dir).lexically_normal();
  if (!path.has_filename()) path = path.parent_path();  // "a/b/" -> "a/b"
  std::error_code error;
  if (path.has_parent_path()) fs::create_directories(path.parent_path(), error);
  if (error)
    throw StoreError("cannot create " + path.parent_path().string() + ": " + error.message());
  if (mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) throw SystemError("cannot create", dir);
  struct stat info {};
  if (stat(path.c_str(), &info) != 0) throw SystemError("cannot use", dir);
  if (!S_ISDIR(info.st_mode)) throw StoreError("cannot use " + dir + ": not a directory");
}

// An exclusive flock on DATA_DIR/lock for the owner's lifetime: two
// coordinators on one database would each plan rollouts from a stale copy.
class DirectoryLock {
 public:
  explicit DirectoryLock(const std::string& dir) {
    EnsureDirectory(dir);
    const std::string path = dir + "/lock";
    fd_ = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0) throw SystemError("cannot open", path);
    if (flock(fd_, LOCK_EX | LOCK_NB) == 0) return;
    const bool held = errno == EWOULDBLOCK;
    StoreError error = held ? StoreError("another fleetset-coordinator is using " + dir)
                            : SystemError("cannot lock", path);
    close(fd_);
    throw error;
  }
  DirectoryLock(const DirectoryLock&) = delete;
  DirectoryLock& operator=(const DirectoryLock&) = delete;
  ~DirectoryLock() { close(fd_); }  // Closing the last descriptor releases the lock.

 private:
  int fd_ = -1;
};

// BEGIN on construction, ROLLBACK on destruction unless committed, so that
// any exception leaves the database as it was.
class Transaction {
 public:
  Transaction(Database& db, const char* begin) : db_(db) { db_.Exec(begin); }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction() {
    // Fails harmlessly when SQLite already rolled back (e.g. disk full).
    if (!committed_) sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
  }
  void Commit() {
    db_.Exec("COMMIT");
    committed_ = true;
  }

 private:
  Database& db_;
  bool committed_ = false;
};

void ConfigureConnection(Database& db) {
  sqlite3_busy_timeout(db.get(), kBusyTimeoutMs);
  // The crash-safety promise rests on these, so a silent refusal (a
  // filesystem without shared memory, an old library) is an error.
  const std::string mode = sqlite::QueryText(db, "PRAGMA journal_mode=WAL");
  if (mode != "wal") {
    throw StoreError(db.path() + ": cannot use write-ahead logging (journal mode is " + mode + ")");
  }
  db.Exec("PRAGMA synchronous=FULL");
  db.Exec("PRAGMA foreign_keys=ON");
  if (sqlite::QueryInt(db, "PRAGMA foreign_keys") != 1) {
    throw StoreError(db.path() + ": foreign keys are not supported by this SQLite library");
  }
}

void CreateOrCheckSchema(Database& db) {
  const int64_t version = sqlite::QueryInt(db, "PRAGMA user_version");
  if (version == kSchemaVersion) return;
  if (version != 0) {
    throw StoreError(db.path() + ": schema version " + std::to_string(version) +
                     " is unknown to this fleetset-coordinator (it knows version " +
                     std::to_string(kSchemaVersion) + ")");
  }
  // Version 0 is a new file, unless someone else's tables are in it.
  if (sqlite::QueryInt(db, "SELECT count(*) FROM sqlite_master") != 0) {
    throw StoreError(db.path() + ": not a fleetset database (it has tables but no schema version)");
  }
  Transaction transaction(db, "BEGIN IMMEDIATE");
  db.Exec(kSchema);
  db.Exec("PRAGMA user_version=" + std::to_string(kSchemaVersion));
  transaction.Commit();
}

// Runs `on_row` for each row, leaving the statement reset even when it
// throws, so that the next Load starts from the first row again.
template <typename OnRow>
void ForEachRow(Statement& statement, OnRow on_row) {
  try {
    while (statement.Step()) on_row(statement);
  } catch (...) {
    statement.Reset();
    throw;
  }
}

std::string Serialize(const google::protobuf::Message& message) {
  std::string bytes;
  if (!message.SerializeToString(&bytes)) {
    throw StoreError("cannot serialize a " + message.GetDescriptor()->full_name());
  }
  return bytes;
}

std::string RevisionKey(const std::string& namespace_, const std::string& daemon_set,
                        int64_t revision) {
  return namespace_ + "/" + daemon_set + " revision " + std::to_string(revision);
}

// The statements the store runs, prepared once the schema exists.
struct Statements {
  explicit Statements(Database& db)
      : put_daemon_set(db,
                       "INSERT INTO daemon_sets (namespace, name, data) VALUES (?, ?, ?) "
                       "ON CONFLICT (namespace, name) DO UPDATE SET data = excluded.data"),
        delete_daemon_set(db, "DELETE FROM daemon_sets WHERE namespace = ? AND name = ?"),
        put_revision(db,
                     "INSERT INTO revisions (namespace, daemon_set, revision, data) "
                     "VALUES (?, ?, ?, ?) ON CONFLICT (namespace, daemon_set, revision) "
                     "DO UPDATE SET data = excluded.data"),
        delete_revision(db,
                        "DELETE FROM revisions "
                        "WHERE namespace = ? AND daemon_set = ? AND revision = ?"),
        put_node(db,
                 "INSERT INTO nodes (name, data) VALUES (?, ?) "
                 "ON CONFLICT (name) DO UPDATE SET data = excluded.data"),
        delete_node(db, "DELETE FROM nodes WHERE name = ?"),
        append_event(db, "INSERT INTO events (data) VALUES (?)"),
        // Everything at or below the id of the (max_events+1)-th newest row;
        // nothing when there are not that many rows (the subquery is NULL).
        prune_events(db,
                     "DELETE FROM events WHERE id <= "
                     "(SELECT id FROM events ORDER BY id DESC LIMIT 1 OFFSET ?)"),
        put_desired_version(db,
                            "INSERT INTO meta (key, value) VALUES ('desired_version', ?) "
                            "ON CONFLICT (key) DO UPDATE SET value = excluded.value"),
        select_daemon_sets(
            db, "SELECT namespace, name, data FROM daemon_sets ORDER BY namespace, name"),
        select_revisions(db,
                         "SELECT namespace, daemon_set, revision, data FROM revisions "
                         "ORDER BY namespace, daemon_set, revision"),
        select_nodes(db, "SELECT name, data FROM nodes ORDER BY name"),
        select_events(db, "SELECT id, data FROM events ORDER BY id"),
        select_desired_version(db, "SELECT value FROM meta WHERE key = 'desired_version'") {}

  Statement put_daemon_set, delete_daemon_set;
  Statement put_revision, delete_revision;
  Statement put_node, delete_node;
  Statement append_event, prune_events;
  Statement put_desired_version;
  Statement select_daemon_sets, select_revisions, select_nodes, select_events;
  Statement select_desired_version;
};

class SqliteStore final : public Store {
 public:
  SqliteStore(const std::string& data_dir, size_t max_events)
      : lock_(data_dir), db_(data_dir + "/fleetset.db"), max_events_(max_events) {
    ConfigureConnection(db_);
    CreateOrCheckSchema(db_);
    statements_ = std::make_unique<Statements>(db_);
  }

  StoreContents Load() override {
    std::lock_guard guard(mutex_);
    // One read transaction: a consistent snapshot across the tables.
    Transaction transaction(db_, "BEGIN");
    StoreContents contents;
    LoadDaemonSets(contents.daemon_sets);
    LoadRevisions(contents.revisions);
    LoadNodes(contents.nodes);
    LoadEvents(contents.events);
    contents.desired_version = LoadDesiredVersion();
    transaction.Commit();
    return contents;
  }

  void Commit(const StoreChange& change) override {
    if (change.empty()) return;
    std::lock_guard guard(mutex_);
    // IMMEDIATE takes the write lock up front, so the transaction cannot
    // fail half way for want of it.
    Transaction transaction(db_, "BEGIN IMMEDIATE");
    // Deletes before puts, so that a change may delete and recreate a
    // DaemonSet; DaemonSets before revisions, which reference them.
    DeleteDaemonSets(change.delete_daemon_sets);
    PutDaemonSets(change.put_daemon_sets);
    DeleteRevisions(change.delete_revisions);
    PutRevisions(change.put_revisions);
    DeleteNodes(change.delete_nodes);
    PutNodes(change.put_nodes);
    AppendEvents(change.append_events);
    if (change.desired_version) PutDesiredVersion(*change.desired_version);
    transaction.Commit();
  }

 private:
  void DeleteDaemonSets(const std::vector<DaemonSetKey>& keys) {
    for (const DaemonSetKey& key : keys) {
      statements_->delete_daemon_set.Bind(1, key.namespace_).Bind(2, key.name);
      statements_->delete_daemon_set.Run("deleting daemon set " + key.ToString());
    }
  }

  void PutDaemonSets(const std::vector<v1::DaemonSet>& daemon_sets) {
    for (const v1::DaemonSet& daemon_set : daemon_sets) {
      const v1::ObjectMeta& meta = daemon_set.metadata();
      statements_->put_daemon_set.Bind(1, meta.namespace_()).Bind(2, meta.name());
      statements_->put_daemon_set.BindBlob(3, Serialize(daemon_set));
      statements_->put_daemon_set.Run("storing daemon set " + meta.namespace_() + "/" +
                                      meta.name());
    }
  }

  void DeleteRevisions(const std::vector<std::pair<DaemonSetKey, int64_t>>& revisions) {
    for (const auto& [key, number] : revisions) {
      statements_->delete_revision.Bind(1, key.namespace_).Bind(2, key.name).Bind(3, number);
      statements_->delete_revision.Run("deleting " + RevisionKey(key.namespace_, key.name, number));
    }
  }

  void PutRevisions(const std::vector<v1::StoredRevision>& revisions) {
    for (const v1::StoredRevision& stored : revisions) {
      const int64_t number = stored.revision().revision();
      statements_->put_revision.Bind(1, stored.namespace_()).Bind(2, stored.daemon_set());
      statements_->put_revision.Bind(3, number).BindBlob(4, Serialize(stored));
      statements_->put_revision.Run("storing " +
                                    RevisionKey(stored.namespace_(), stored.daemon_set(), number));
    }
  }

  void DeleteNodes(const std::vector<std::string>& names) {
    for (const std::string& name : names) {
      statements_->delete_node.Bind(1, name);
      statements_->delete_node.Run("deleting node " + name);
    }
  }

  void PutNodes(const std::vector<v1::StoredNode>& nodes) {
    for (const v1::StoredNode& node : nodes) {
      const std::string& name = node.node().metadata().name();
      statements_->put_node.Bind(1, name).BindBlob(2, Serialize(node));
      statements_->put_node.Run("storing node " + name);
    }
  }

  void AppendEvents(const std::vector<v1::Event>& events) {
    if (events.empty()) return;
    for (const v1::Event& event : events) {
      statements_->append_event.BindBlob(1, Serialize(event));
      statements_->append_event.Run("appending an event");
    }
    statements_->prune_events.Bind(1, static_cast<int64_t>(max_events_));
    statements_->prune_events.Run("dropping old events");
  }

  void PutDesiredVersion(uint64_t version) {
    // SQLite integers are signed; the bits round-trip through the cast.
    statements_->put_desired_version.Bind(1, static_cast<int64_t>(version));
    statements_->put_desired_version.Run("storing the desired-state version");
  }

  // Parses one row's record; a row that does not parse is an error naming
  // it, never skipped: a missing DaemonSet would delete its pods fleet-wide.
  template <typename Message>
  Message ParseRow(const Statement& row, int column, const char* table,
                   const std::string& key) const {
    Message message;
    if (!message.ParseFromString(row.ColumnBlob(column))) {
      throw StoreError(db_.path() + ": table " + table + ", row " + key + ": not a valid " +
                       Message::descriptor()->full_name());
    }
    return message;
  }

  void LoadDaemonSets(std::vector<v1::DaemonSet>& out) {
    ForEachRow(statements_->select_daemon_sets, [&](const Statement& row) {
      const std::string key = row.ColumnText(0) + "/" + row.ColumnText(1);
      out.push_back(ParseRow<v1::DaemonSet>(row, 2, "daemon_sets", key));
    });
  }

  void LoadRevisions(std::vector<v1::StoredRevision>& out) {
    ForEachRow(statements_->select_revisions, [&](const Statement& row) {
      const std::string key = RevisionKey(row.ColumnText(0), row.ColumnText(1), row.ColumnInt(2));
      out.push_back(ParseRow<v1::StoredRevision>(row, 3, "revisions", key));
    });
  }

  void LoadNodes(std::vector<v1::StoredNode>& out) {
    ForEachRow(statements_->select_nodes, [&](const Statement& row) {
      out.push_back(ParseRow<v1::StoredNode>(row, 1, "nodes", row.ColumnText(0)));
    });
  }

  void LoadEvents(std::vector<v1::Event>& out) {
    ForEachRow(statements_->select_events, [&](const Statement& row) {
      out.push_back(ParseRow<v1::Event>(row, 1, "events", std::to_string(row.ColumnInt(0))));
    });
  }

  uint64_t LoadDesiredVersion() {
    Statement& row = statements_->select_desired_version;
    if (!row.Step()) return 0;
    const auto version = static_cast<uint64_t>(row.ColumnInt(0));
    row.Reset();
    return version;
  }

  // Declaration order is construction order: the directory is locked
  // before the database is opened, and closed before it is unlocked.
  DirectoryLock lock_;
  Database db_;
  std::unique_ptr<Statements> statements_;
  const size_t max_events_;
  std::mutex mutex_;
};

}  // namespace

std::unique_ptr<Store> OpenSqliteStore(const std::string& data_dir, size_t max_events) {
  return std::make_unique<SqliteStore>(data_dir, max_events);
}

}  // namespace fleetset::coordinator
