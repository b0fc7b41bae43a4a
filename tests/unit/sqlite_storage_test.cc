// What only the SQLite store does: the file outlives the process, one
// coordinator per data directory, group commit, reads beside a writer, and
// files it must not use are refused and left alone.
#include "coordinator/storage/sqlite_storage.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "coordinator/storage/sqlite_handle.h"
#include "storage_test_util.h"

namespace fleetset::testing {
namespace {

using storage::CompactedError;
using storage::StorageError;
using storage::Transaction;
using storage::TransactionResult;
using ::testing::AllOf;
using ::testing::Each;
using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

class SqliteStorageTest : public ::testing::Test {
 protected:
  std::unique_ptr<storage::Storage> Open() { return storage::OpenSqliteStorage(data_dir_); }

  std::string DatabasePath() const { return data_dir_ + "/fleetset.db"; }

  // A connection of the test's own, beside the store's.
  storage::sqlite::Database RawDatabase() const {
    return storage::sqlite::Database(DatabasePath());
  }

  ScratchDirectory root_{"sqlite-storage"};
  // Not created yet: the store creates it.
  std::string data_dir_ = root_.path() + "/var/fleetset";
};

TEST_F(SqliteStorageTest, CreatesThePrivateDataDirectory) {
  Open();

  struct stat info {};
  ASSERT_EQ(stat(data_dir_.c_str(), &info), 0);
  EXPECT_TRUE(S_ISDIR(info.st_mode));
  EXPECT_EQ(info.st_mode & 0777, 0700u);
  EXPECT_TRUE(std::filesystem::exists(DatabasePath()));
}

TEST_F(SqliteStorageTest, ReopeningKeepsValuesAndRevision) {
  {
    auto store = Open();
    Put(*store, "/registry/nodes/a", "node a");
    Put(*store, "/registry/nodes/b", "node b");
    store->Commit(DeleteTransaction("/registry/nodes/a"));
  }

  auto store = Open();
  EXPECT_EQ(store->CurrentRevision(), 3);
  EXPECT_EQ(store->Get("/registry/nodes/a"), std::nullopt);
  std::optional<storage::KeyValue> b = store->Get("/registry/nodes/b");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->value, "node b");
  EXPECT_EQ(b->create_revision, 2);
  EXPECT_EQ(Put(*store, "/registry/nodes/c", "node c").revision, 4);
}

TEST_F(SqliteStorageTest, HistoryStartsWhenTheStoreIsOpened) {
  {
    auto store = Open();
    Put(*store, "/a", "v");
    Put(*store, "/b", "v");
  }
  auto store = Open();
  WatchRecorder watch;

  EXPECT_THROW(store->Watch("/", 2, watch.Callback()), CompactedError);
  auto handle = store->Watch("/", 3, watch.Callback());
  Put(*store, "/c", "v");
  EXPECT_THAT(Describe(watch.WaitFor(1)), ElementsAre("put /c"));
}

TEST_F(SqliteStorageTest, UsesWriteAheadLoggingAndSchemaVersionTwo) {
  Open();

  auto db = RawDatabase();
  EXPECT_EQ(storage::sqlite::QueryText(db, "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(storage::sqlite::QueryInt(db, "PRAGMA user_version"), 2);
}

TEST_F(SqliteStorageTest, SecondStoreOnTheSameDirectoryIsRefused) {
  auto store = Open();

  EXPECT_THAT(
      [&] { Open(); },
      ThrowsMessage<StorageError>(HasSubstr("another fleetset-coordinator is using " + data_dir_)));

  store.reset();
  EXPECT_NO_THROW(Open());
}

TEST_F(SqliteStorageTest, UnusableDataDirectoryIsAnError) {
  data_dir_ = root_.path() + "/file";
  std::ofstream(data_dir_) << "not a directory";

  EXPECT_THAT([&] { Open(); }, ThrowsMessage<StorageError>(
                                   AllOf(HasSubstr(data_dir_), HasSubstr("not a directory"))));
}

TEST_F(SqliteStorageTest, QueuedTransactionsAreCommittedTogether) {
  auto store = Open();
  std::vector<Transaction> transactions;
  for (int i = 0; i < 20; ++i)
    transactions.push_back(PutTransaction("/k/" + std::to_string(i), "v"));
  // The first one's callback holds the commit thread while the rest queue.
  CommitGate gate(*store, "/gate");

  std::vector<TransactionResult> results = CommitAll(*store, std::move(transactions), &gate);

  for (size_t i = 0; i < results.size(); ++i) {
    ASSERT_TRUE(results[i].committed()) << results[i].error;
    EXPECT_EQ(results[i].revision, static_cast<storage::Revision>(i) + 2);
  }
  const storage::CommitStats stats = store->Stats();
  EXPECT_EQ(stats.transactions, 21u);
  EXPECT_EQ(stats.batches, 2u);
}

TEST_F(SqliteStorageTest, EachTransactionOfABatchSeesTheOnesBeforeIt) {
  auto store = Open();
  CommitGate gate(*store, "/gate");

  std::vector<TransactionResult> results = CommitAll(
      *store,
      {Transaction{{storage::Compare::Absent("/k")}, {storage::Operation::Put("/k", "first")}},
       Transaction{{storage::Compare::Absent("/k")}, {storage::Operation::Put("/k", "second")}},
       Transaction{{storage::Compare::ModRevision("/k", 2)},
                   {storage::Operation::Put("/k", "third")}}},
      &gate);

  EXPECT_EQ(results[0].status, TransactionResult::Status::kCommitted);
  EXPECT_EQ(results[1].status, TransactionResult::Status::kCompareFailed);
  EXPECT_EQ(results[1].revision, 2);
  EXPECT_EQ(results[2].status, TransactionResult::Status::kCommitted);
  EXPECT_EQ(results[2].revision, 3);
  EXPECT_EQ(store->Get("/k")->value, "third");
  EXPECT_EQ(store->Stats().batches, 2u);
}

TEST_F(SqliteStorageTest, SqliteFailureFailsTheWholeBatchAndLeavesNothing) {
  auto store = Open();
  WatchRecorder watch;
  auto handle = store->Watch("/k/", 0, watch.Callback());
  RawDatabase().Exec(
      "CREATE TRIGGER fail_bad BEFORE INSERT ON kv WHEN NEW.key = '/k/bad' "
      "BEGIN SELECT RAISE(ABORT, 'injected failure'); END");
  CommitGate gate(*store, "/gate");

  std::vector<TransactionResult> results =
      CommitAll(*store,
                {PutTransaction("/k/good-1", "v"), PutTransaction("/k/bad", "v"),
                 PutTransaction("/k/good-2", "v")},
                &gate);

  EXPECT_THAT(results, Each(Field(&TransactionResult::status, TransactionResult::Status::kFailed)));
  EXPECT_THAT(results, Each(Field(&TransactionResult::error, HasSubstr("injected failure"))));
  EXPECT_EQ(store->CurrentRevision(), 1);
  EXPECT_EQ(store->Get("/k/good-1"), std::nullopt);

  // Usable again once the cause is gone; the watch saw none of the batch.
  RawDatabase().Exec("DROP TRIGGER fail_bad");
  EXPECT_EQ(Put(*store, "/k/good-1", "v").revision, 2);
  EXPECT_THAT(Describe(watch.WaitFor(1)), ElementsAre("put /k/good-1"));
}

TEST_F(SqliteStorageTest, ReadsDoNotWaitForAWriter) {
  auto store = Open();
  Put(*store, "/k", "committed");
  auto writer = RawDatabase();
  writer.Exec("BEGIN IMMEDIATE");
  writer.Exec("UPDATE kv SET value = 'uncommitted'");

  EXPECT_EQ(store->Get("/k")->value, "committed");
  EXPECT_EQ(store->List("/").items.size(), 1u);
  EXPECT_EQ(store->CurrentRevision(), 1);
  writer.Exec("ROLLBACK");
}

TEST_F(SqliteStorageTest, FileThatIsNotADatabaseIsRefused) {
  std::filesystem::create_directories(data_dir_);
  std::ofstream(DatabasePath()) << std::string(8192, 'x');

  EXPECT_THAT([&] { Open(); },
              ThrowsMessage<StorageError>(
                  AllOf(HasSubstr(DatabasePath()), HasSubstr("file is not a database"))));
}

TEST_F(SqliteStorageTest, ForeignDatabaseIsRefused) {
  std::filesystem::create_directories(data_dir_);
  RawDatabase().Exec("CREATE TABLE something_else (x)");

  EXPECT_THAT([&] { Open(); },
              ThrowsMessage<StorageError>(
                  AllOf(HasSubstr(DatabasePath()), HasSubstr("not a fleetset database"))));
}

TEST_F(SqliteStorageTest, NewerSchemaIsRefusedAndLeftAlone) {
  Open();
  RawDatabase().Exec("PRAGMA user_version = 3");

  EXPECT_THAT([&] { Open(); },
              ThrowsMessage<StorageError>(
                  DatabasePath() +
                  ": schema version 3 is newer than this fleetset-coordinator knows (2); use a "
                  "newer fleetset-coordinator"));
  auto db = RawDatabase();
  EXPECT_EQ(storage::sqlite::QueryInt(db, "PRAGMA user_version"), 3);
}

}  // namespace
}  // namespace fleetset::testing
