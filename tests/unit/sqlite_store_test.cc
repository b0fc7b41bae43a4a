// The coordinator's SQLite store: every record kind round-trips and
// survives a reopen, commits are all or nothing, one coordinator per data
// directory, and damage is reported rather than skipped.
#include <gmock/gmock.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <tuple>

#include "coordinator/sqlite_handle.h"
#include "coordinator/store.h"

namespace fleetset::testing {
namespace {

using coordinator::DaemonSetKey;
using coordinator::OpenSqliteStore;
using coordinator::Store;
using coordinator::StoreChange;
using coordinator::StoreContents;
using coordinator::StoreError;
using google::protobuf::util::MessageDifferencer;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pointwise;
using ::testing::ThrowsMessage;

MATCHER(ProtoEq, "") { return MessageDifferencer::Equals(std::get<0>(arg), std::get<1>(arg)); }

v1::DaemonSet MakeDaemonSet(const std::string& namespace_, const std::string& name,
                            int64_t generation = 1) {
  v1::DaemonSet daemon_set;
  daemon_set.set_api_version("apps/v1");
  daemon_set.set_kind("DaemonSet");
  daemon_set.mutable_metadata()->set_namespace_(namespace_);
  daemon_set.mutable_metadata()->set_name(name);
  daemon_set.mutable_metadata()->set_generation(generation);
  (*daemon_set.mutable_spec()->mutable_selector()->mutable_match_labels())["app"] = name;
  daemon_set.mutable_spec()->mutable_update_strategy()->set_type("RollingUpdate");
  return daemon_set;
}

v1::StoredRevision MakeRevision(const std::string& namespace_, const std::string& daemon_set,
                                int64_t number) {
  v1::StoredRevision stored;
  stored.set_namespace_(namespace_);
  stored.set_daemon_set(daemon_set);
  stored.mutable_revision()->set_revision(number);
  stored.mutable_revision()->set_hash("hash-" + std::to_string(number));
  stored.mutable_revision()->mutable_creation_timestamp()->set_seconds(1700000000 + number);
  return stored;
}

v1::StoredNode MakeNode(const std::string& name) {
  v1::StoredNode stored;
  stored.mutable_node()->mutable_metadata()->set_name(name);
  (*stored.mutable_node()->mutable_metadata()->mutable_labels())["zone"] = "a";
  v1::NodeAssignment& assignment = (*stored.mutable_assignments())["default/fluentd"];
  assignment.set_revision_hash("hash-2");
  assignment.set_surge(true);
  assignment.add_deleted_pod_uids("uid-1");
  return stored;
}

v1::Event MakeEvent(const std::string& message) {
  v1::Event event;
  event.mutable_time()->set_seconds(1700000000);
  event.set_type("Normal");
  event.set_reason("SuccessfulCreate");
  event.set_message(message);
  event.set_involved_object("daemonset/default/fluentd");
  event.set_count(1);
  return event;
}

std::vector<std::string> EventMessages(const StoreContents& contents) {
  std::vector<std::string> messages;
  for (const v1::Event& event : contents.events) messages.push_back(event.message());
  return messages;
}

void ExpectSameContents(const StoreContents& actual, const StoreContents& expected) {
  EXPECT_THAT(actual.daemon_sets, Pointwise(ProtoEq(), expected.daemon_sets));
  EXPECT_THAT(actual.revisions, Pointwise(ProtoEq(), expected.revisions));
  EXPECT_THAT(actual.nodes, Pointwise(ProtoEq(), expected.nodes));
  EXPECT_THAT(actual.events, Pointwise(ProtoEq(), expected.events));
  EXPECT_EQ(actual.desired_version, expected.desired_version);
}

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "sqlite-store-XXXXXX";
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    root_ = pattern;
    // Not created yet: the store creates it.
    data_dir_ = root_ + "/var/fleetset";
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  std::unique_ptr<Store> Open(size_t max_events = 5000) {
    return OpenSqliteStore(data_dir_, max_events);
  }

  // A connection of the test's own, beside the store's.
  coordinator::sqlite::Database RawDatabase() const {
    return coordinator::sqlite::Database(data_dir_ + "/fleetset.db");
  }

  // Two DaemonSets with three revisions, two nodes, two events; given out
  // of order where an order is defined.
  static StoreChange SampleChange() {
    StoreChange change;
    change.put_daemon_sets = {MakeDaemonSet("kube-system", "node-exporter"),
                              MakeDaemonSet("default", "fluentd")};
    change.put_revisions = {MakeRevision("kube-system", "node-exporter", 1),
                            MakeRevision("default", "fluentd", 2),
                            MakeRevision("default", "fluentd", 1)};
    change.put_nodes = {MakeNode("worker-2"), MakeNode("worker-1")};
    change.append_events = {MakeEvent("first"), MakeEvent("second")};
    change.desired_version = 42;
    return change;
  }

  // What SampleChange leaves in the store, in Load's order.
  static StoreContents SampleContents() {
    StoreContents contents;
    contents.daemon_sets = {MakeDaemonSet("default", "fluentd"),
                            MakeDaemonSet("kube-system", "node-exporter")};
    contents.revisions = {MakeRevision("default", "fluentd", 1),
                          MakeRevision("default", "fluentd", 2),
                          MakeRevision("kube-system", "node-exporter", 1)};
    contents.nodes = {MakeNode("worker-1"), MakeNode("worker-2")};
    contents.events = {MakeEvent("first"), MakeEvent("second")};
    contents.desired_version = 42;
    return contents;
  }

  std::string root_;
  std::string data_dir_;
};

TEST_F(SqliteStoreTest, NewStoreIsEmpty) {
  StoreContents contents = Open()->Load();

  EXPECT_THAT(contents.daemon_sets, IsEmpty());
  EXPECT_THAT(contents.revisions, IsEmpty());
  EXPECT_THAT(contents.nodes, IsEmpty());
  EXPECT_THAT(contents.events, IsEmpty());
  EXPECT_EQ(contents.desired_version, 0u);
}

TEST_F(SqliteStoreTest, CreatesThePrivateDataDirectory) {
  Open();

  struct stat info {};
  ASSERT_EQ(stat(data_dir_.c_str(), &info), 0);
  EXPECT_TRUE(S_ISDIR(info.st_mode));
  EXPECT_EQ(info.st_mode & 0777, 0700u);
  EXPECT_TRUE(std::filesystem::exists(data_dir_ + "/fleetset.db"));
}

TEST_F(SqliteStoreTest, RoundTripsEveryRecordKind) {
  auto store = Open();
  store->Commit(SampleChange());

  ExpectSameContents(store->Load(), SampleContents());
}

TEST_F(SqliteStoreTest, ReopeningKeepsEverything) {
  Open()->Commit(SampleChange());

  ExpectSameContents(Open()->Load(), SampleContents());
}

TEST_F(SqliteStoreTest, PutsReplaceAndDeletesRemove) {
  auto store = Open();
  store->Commit(SampleChange());

  StoreChange change;
  change.put_daemon_sets = {MakeDaemonSet("default", "fluentd", /*generation=*/2)};
  change.delete_revisions = {{DaemonSetKey{"default", "fluentd"}, 1}};
  change.put_nodes = {MakeNode("worker-3")};
  change.delete_nodes = {"worker-1"};
  change.desired_version = 43;
  store->Commit(change);

  StoreContents expected = SampleContents();
  expected.daemon_sets[0] = MakeDaemonSet("default", "fluentd", 2);
  // Replacing a DaemonSet keeps its revisions.
  expected.revisions.erase(expected.revisions.begin());
  expected.nodes = {MakeNode("worker-2"), MakeNode("worker-3")};
  expected.desired_version = 43;
  ExpectSameContents(store->Load(), expected);
}

TEST_F(SqliteStoreTest, DeletingADaemonSetDeletesItsRevisions) {
  auto store = Open();
  store->Commit(SampleChange());

  StoreChange change;
  change.delete_daemon_sets = {DaemonSetKey{"default", "fluentd"}};
  store->Commit(change);

  StoreContents contents = store->Load();
  EXPECT_THAT(contents.daemon_sets,
              Pointwise(ProtoEq(), {MakeDaemonSet("kube-system", "node-exporter")}));
  EXPECT_THAT(contents.revisions,
              Pointwise(ProtoEq(), {MakeRevision("kube-system", "node-exporter", 1)}));
}

TEST_F(SqliteStoreTest, DeletedDaemonSetCanBeRecreatedInTheSameCommit) {
  auto store = Open();
  store->Commit(SampleChange());

  StoreChange change;
  change.delete_daemon_sets = {DaemonSetKey{"default", "fluentd"}};
  change.put_daemon_sets = {MakeDaemonSet("default", "fluentd", 1)};
  change.put_revisions = {MakeRevision("default", "fluentd", 1)};
  store->Commit(change);

  StoreContents contents = store->Load();
  EXPECT_THAT(contents.revisions,
              Pointwise(ProtoEq(), {MakeRevision("default", "fluentd", 1),
                                    MakeRevision("kube-system", "node-exporter", 1)}));
}

TEST_F(SqliteStoreTest, UsesWriteAheadLogging) {
  Open();

  auto db = RawDatabase();
  EXPECT_EQ(coordinator::sqlite::QueryText(db, "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(coordinator::sqlite::QueryInt(db, "PRAGMA user_version"), 1);
}

TEST_F(SqliteStoreTest, RevisionOfAnUnknownDaemonSetFailsTheWholeCommit) {
  auto store = Open();
  store->Commit(SampleChange());

  StoreChange change;
  change.put_daemon_sets = {MakeDaemonSet("default", "new-one")};
  change.put_revisions = {MakeRevision("default", "new-one", 1),
                          MakeRevision("default", "missing", 1)};
  change.desired_version = 99;
  EXPECT_THAT([&] { store->Commit(change); },
              ThrowsMessage<StoreError>(AllOf(HasSubstr("default/missing revision 1"),
                                              HasSubstr("FOREIGN KEY constraint failed"))));

  ExpectSameContents(store->Load(), SampleContents());
}

TEST_F(SqliteStoreTest, FailureAtTheLastStepRollsBackEveryEarlierWrite) {
  auto store = Open();
  store->Commit(SampleChange());
  // Appending events comes after every other write of a commit.
  RawDatabase().Exec(
      "CREATE TRIGGER fail_events BEFORE INSERT ON events "
      "BEGIN SELECT RAISE(ABORT, 'injected failure'); END");

  StoreChange change;
  change.delete_daemon_sets = {DaemonSetKey{"kube-system", "node-exporter"}};
  change.put_daemon_sets = {MakeDaemonSet("default", "new-one")};
  change.put_revisions = {MakeRevision("default", "new-one", 1)};
  change.delete_nodes = {"worker-1"};
  change.put_nodes = {MakeNode("worker-9")};
  change.append_events = {MakeEvent("third")};
  change.desired_version = 99;
  EXPECT_THAT([&] { store->Commit(change); },
              ThrowsMessage<StoreError>(HasSubstr("injected failure")));
  ExpectSameContents(store->Load(), SampleContents());

  // The store is usable again once the cause is gone.
  RawDatabase().Exec("DROP TRIGGER fail_events");
  store->Commit(change);
  EXPECT_EQ(store->Load().desired_version, 99u);
}

TEST_F(SqliteStoreTest, SecondStoreOnTheSameDirectoryIsRefused) {
  auto store = Open();

  EXPECT_THAT(
      [&] { Open(); },
      ThrowsMessage<StoreError>(HasSubstr("another fleetset-coordinator is using " + data_dir_)));

  store.reset();
  EXPECT_NO_THROW(Open());
}

TEST_F(SqliteStoreTest, UnusableDataDirectoryIsAnError) {
  data_dir_ = root_ + "/file";
  std::ofstream(data_dir_) << "not a directory";

  EXPECT_THAT([&] { Open(); }, ThrowsMessage<StoreError>(HasSubstr(data_dir_)));
}

TEST_F(SqliteStoreTest, CorruptRowIsReportedWithItsTableAndKey) {
  auto store = Open();
  store->Commit(SampleChange());
  // An unterminated varint: no protobuf message parses from it.
  RawDatabase().Exec("UPDATE nodes SET data = x'ffffffff' WHERE name = 'worker-2'");

  EXPECT_THAT([&] { store->Load(); },
              ThrowsMessage<StoreError>(AllOf(HasSubstr("nodes"), HasSubstr("worker-2"))));

  RawDatabase().Exec("UPDATE revisions SET data = x'ffffffff' WHERE revision = 2");
  EXPECT_THAT([&] { store->Load(); },
              ThrowsMessage<StoreError>(
                  AllOf(HasSubstr("revisions"), HasSubstr("default/fluentd revision 2"))));
}

TEST_F(SqliteStoreTest, LoadReadsFromTheStartAfterAFailedLoad) {
  auto store = Open();
  store->Commit(SampleChange());
  // The first row reads fine, the second does not; the fix below must be
  // seen from the first row again.
  RawDatabase().Exec("UPDATE nodes SET data = x'ffffffff' WHERE name = 'worker-2'");
  EXPECT_THROW(store->Load(), StoreError);

  StoreChange repair;
  repair.put_nodes = {MakeNode("worker-2")};
  store->Commit(repair);
  ExpectSameContents(store->Load(), SampleContents());
}

TEST_F(SqliteStoreTest, KeepsOnlyTheNewestEvents) {
  auto store = Open(/*max_events=*/3);
  StoreChange change;
  change.append_events = {MakeEvent("1"), MakeEvent("2")};
  store->Commit(change);
  EXPECT_THAT(EventMessages(store->Load()), ::testing::ElementsAre("1", "2"));

  change.append_events = {MakeEvent("3"), MakeEvent("4"), MakeEvent("5")};
  store->Commit(change);
  EXPECT_THAT(EventMessages(store->Load()), ::testing::ElementsAre("3", "4", "5"));

  change.append_events = {MakeEvent("6"), MakeEvent("7"), MakeEvent("8"), MakeEvent("9")};
  store->Commit(change);
  EXPECT_THAT(EventMessages(store->Load()), ::testing::ElementsAre("7", "8", "9"));
}

TEST_F(SqliteStoreTest, NewerSchemaVersionIsRefused) {
  Open();
  RawDatabase().Exec("PRAGMA user_version = 99");

  EXPECT_THAT([&] { Open(); }, ThrowsMessage<StoreError>(HasSubstr("schema version 99")));
}

TEST_F(SqliteStoreTest, ForeignDatabaseIsRefused) {
  std::filesystem::create_directories(data_dir_);
  RawDatabase().Exec("CREATE TABLE something_else (x)");

  EXPECT_THAT([&] { Open(); }, ThrowsMessage<StoreError>(HasSubstr("not a fleetset database")));
}

}  // namespace
}  // namespace fleetset::testing
