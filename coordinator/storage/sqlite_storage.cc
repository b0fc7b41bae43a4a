#include "coordinator/storage/sqlite_storage.h"

#include <atomic>
#include <exception>

#include "coordinator/storage/batch_worker.h"
#include "coordinator/storage/directory_lock.h"
#include "coordinator/storage/sqlite_readers.h"
#include "coordinator/storage/sqlite_schema.h"
#include "coordinator/storage/sqlite_transaction.h"
#include "coordinator/storage/transaction_apply.h"

namespace fleetset::coordinator::storage {
namespace {

using sqlite::Database;
using sqlite::Statement;

// The rows of `kv` as the committer's open write transaction sees them.
class SqliteKeySpace final : public KeySpace {
 public:
  explicit SqliteKeySpace(Database& db)
      : find_(db, sqlite::SelectKeyValues("key = ?")),
        put_(db,
             "INSERT INTO kv (key, value, create_revision, mod_revision) VALUES (?, ?, ?, ?) "
             "ON CONFLICT (key) DO UPDATE SET value = excluded.value, "
             "create_revision = excluded.create_revision, mod_revision = excluded.mod_revision"),
        erase_(db, "DELETE FROM kv WHERE key = ?") {}

  std::optional<KeyValue> Find(const std::string& key) override {
    return sqlite::FindKeyValue(find_, key);
  }

  void Put(const KeyValue& kv) override {
    put_.Bind(1, kv.key).BindBlob(2, kv.value).Bind(3, kv.create_revision);
    put_.Bind(4, kv.mod_revision).Run("writing " + kv.key);
  }

  void Erase(const std::string& key) override { erase_.Bind(1, key).Run("deleting " + key); }

 private:
  Statement find_, put_, erase_;
};

struct PendingCommit {
  Transaction transaction;
  std::function<void(const TransactionResult&)> done;
};

class SqliteStorage final : public Storage {
 public:
  SqliteStorage(const std::string& data_dir, const SqliteStorageOptions& options)
      : lock_(data_dir),
        writer_(sqlite::OpenStoreDatabase(data_dir + "/" + kSqliteDatabaseFile,
                                          data_dir + "/" + kSqliteV1BackupFile)),
        keys_(*writer_),
        select_revision_(*writer_, sqlite::kSelectRevisionSql),
        update_revision_(*writer_, sqlite::kUpdateRevisionSql),
        revision_(sqlite::ReadRevision(select_revision_)),
        readers_(writer_->path()),
        hub_(revision_, options.watch_history_events, [this] { return CurrentRevision(); }),
        committer_("sqlite-commit",
                   [this](std::vector<PendingCommit>& batch) { CommitBatch(batch); }) {}

  ~SqliteStorage() override {
    // What is queued is committed and its callers told before the watches
    // stop.
    committer_.Stop();
    hub_.Close();
  }

  std::optional<KeyValue> Get(const std::string& key) override { return readers_.Get(key); }
  ListResult List(const std::string& prefix) override { return readers_.List(prefix); }
  Revision CurrentRevision() override { return readers_.CurrentRevision(); }

  void CommitAsync(Transaction transaction,
                   std::function<void(const TransactionResult&)> done) override {
    committer_.Push({std::move(transaction), std::move(done)});
  }

  CommitStats Stats() override { return {transactions_.load(), batches_.load()}; }

  std::unique_ptr<WatchHandle> Watch(const std::string& prefix, Revision from,
                                     WatchCallback callback) override {
    return hub_.Watch(prefix, from, std::move(callback));
  }

 private:
  // On the committer thread: the whole batch in one SQLite transaction,
  // each of its transactions evaluated against the state the earlier ones
  // left. A SQLite failure fails every one of them: none was applied.
  void CommitBatch(std::vector<PendingCommit>& batch) {
    std::vector<TransactionResult> results;
    std::vector<WatchEvent> events;
    try {
      sqlite::ScopedTransaction write(*writer_, "BEGIN IMMEDIATE");
      Revision revision = revision_;
      for (const PendingCommit& pending : batch) {
        results.push_back(ApplyTransaction(pending.transaction, keys_, revision, events));
      }
      if (revision != revision_) update_revision_.Bind(1, revision).Run("storing the revision");
      write.Commit();
      revision_ = revision;
    } catch (const std::exception& error) {
      results.assign(batch.size(), {TransactionResult::Status::kFailed, revision_, error.what()});
      events.clear();
    }
    transactions_.fetch_add(batch.size());
    batches_.fetch_add(1);
    for (size_t i = 0; i < batch.size(); ++i) {
      if (batch[i].done) batch[i].done(results[i]);
    }
    hub_.Publish(std::move(events));
  }

  // Declaration order is construction order: the directory is locked
  // before the database is opened, and closed before it is unlocked.
  DirectoryLock lock_;
  std::unique_ptr<Database> writer_;
  // The writer's statements and revision belong to the committer thread.
  SqliteKeySpace keys_;
  Statement select_revision_;
  Statement update_revision_;
  Revision revision_;
  sqlite::SqliteReaders readers_;
  WatchHub hub_;
  std::atomic<uint64_t> transactions_ = 0;
  std::atomic<uint64_t> batches_ = 0;
  // Last: its thread stops before anything it uses goes away.
  BatchWorker<PendingCommit> committer_;
};

}  // namespace

std::unique_ptr<Storage> OpenSqliteStorage(const std::string& data_dir,
                                           SqliteStorageOptions options) {
  return std::make_unique<SqliteStorage>(data_dir, options);
}

}  // namespace fleetset::coordinator::storage
