// Opening a version-1 database (tests/data/coordinator/v1-fleetset.db,
// written by the version-1 store; see the README there) moves every record
// to its registry key once, keeps the old file beside it, and leaves it
// untouched when the move fails.
#include <gmock/gmock.h>
#include <google/protobuf/util/message_differencer.h>
#include <google/protobuf/wrappers.pb.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "coordinator/storage/sqlite_handle.h"
#include "coordinator/storage/sqlite_storage.h"
#include "fleetset/v1/controller_revision.pb.h"
#include "fleetset/v1/daemonset.pb.h"
#include "fleetset/v1/node.pb.h"
#include "fleetset/v1/node_assignment.pb.h"
#include "fleetset/v1/operator_service.pb.h"
#include "storage_test_util.h"

namespace fleetset::testing {
namespace {

using google::protobuf::util::MessageDifferencer;
using storage::KeyValue;
using storage::StorageError;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;
using ::testing::UnorderedElementsAre;

const std::string kFixture =
    std::string(FLEETSET_SOURCE_DIR) + "/tests/data/coordinator/v1-fleetset.db";

std::string ReadBytes(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << file.rdbuf();
  return bytes.str();
}

template <typename Message>
Message ValueOf(storage::Storage& store, const std::string& key) {
  Message message;
  std::optional<KeyValue> kv = store.Get(key);
  if (!kv) {
    ADD_FAILURE() << key << " is missing";
  } else if (!message.ParseFromString(kv->value)) {
    ADD_FAILURE() << key << " is not a " << Message::descriptor()->full_name();
  }
  return message;
}

class SqliteMigrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(data_dir_);
    std::filesystem::copy_file(kFixture, DatabasePath());
  }

  std::unique_ptr<storage::Storage> Open() { return storage::OpenSqliteStorage(data_dir_); }
  std::string DatabasePath() const { return data_dir_ + "/fleetset.db"; }
  std::string BackupPath() const { return data_dir_ + "/fleetset.db.v1-backup"; }

  ScratchDirectory root_{"sqlite-migration"};
  std::string data_dir_ = root_.path() + "/data";
};

TEST_F(SqliteMigrationTest, EveryRecordGetsItsKeyAtRevisionOne) {
  auto store = Open();

  storage::ListResult all = store->List("");
  std::vector<std::string> keys;
  for (const KeyValue& kv : all.items) {
    keys.push_back(kv.key);
    EXPECT_EQ(kv.create_revision, 1) << kv.key;
    EXPECT_EQ(kv.mod_revision, 1) << kv.key;
  }
  EXPECT_THAT(keys, ElementsAre("/fleetset/desired-version",
                                "/registry/controllerrevisions/default/fluentd-5d7b8c9f6",
                                "/registry/controllerrevisions/default/fluentd-7f9c6b8d4",
                                "/registry/controllerrevisions/kube-system/node-exporter-6c8d9b7f5",
                                "/registry/daemonsets/default/fluentd",
                                "/registry/daemonsets/kube-system/node-exporter",
                                "/registry/events/default/fluentd.0000000000000003",
                                "/registry/events/default/worker-1.0000000000000002",
                                "/registry/events/kube-system/node-exporter.0000000000000004",
                                "/registry/nodeassignments/worker-1",
                                "/registry/nodeassignments/worker-2", "/registry/nodes/worker-1",
                                "/registry/nodes/worker-2", "/registry/nodes/worker-3"));
  EXPECT_EQ(all.revision, 1);
}

TEST_F(SqliteMigrationTest, DaemonSetsKeepTheirBytes) {
  auto store = Open();

  storage::sqlite::Database backup(BackupPath());
  storage::sqlite::Statement rows(backup, "SELECT namespace, name, data FROM daemon_sets");
  int count = 0;
  while (rows.Step()) {
    const std::string key = "/registry/daemonsets/" + rows.ColumnText(0) + "/" + rows.ColumnText(1);
    std::optional<KeyValue> kv = store->Get(key);
    ASSERT_TRUE(kv) << key;
    EXPECT_EQ(kv->value, rows.ColumnBlob(2)) << key;
    ++count;
  }
  EXPECT_EQ(count, 2);
}

TEST_F(SqliteMigrationTest, RevisionsBecomeControllerRevisionsOwnedByTheirDaemonSet) {
  auto store = Open();

  auto revision = ValueOf<v1::ControllerRevision>(
      *store, "/registry/controllerrevisions/default/fluentd-7f9c6b8d4");
  v1::ControllerRevision expected;
  expected.set_api_version("apps/v1");
  expected.set_kind("ControllerRevision");
  v1::ObjectMeta& meta = *expected.mutable_metadata();
  meta.set_name("fluentd-7f9c6b8d4");
  meta.set_namespace_("default");
  (*meta.mutable_labels())["controller-revision-hash"] = "7f9c6b8d4";
  (*meta.mutable_annotations())["kubernetes.io/change-cause"] =
      "kubectl set image ds/fluentd fluentd=fluent/fluentd:v1.16";
  meta.mutable_creation_timestamp()->set_seconds(1700000200);
  v1::OwnerReference& owner = *meta.add_owner_references();
  owner.set_api_version("apps/v1");
  owner.set_kind("DaemonSet");
  owner.set_name("fluentd");
  owner.set_uid("6f1c1a52-0d41-4b8e-9a57-1f0c2d3e4a5b");
  owner.set_controller(true);
  expected.set_revision(2);
  *expected.mutable_data() = revision.data();
  EXPECT_TRUE(MessageDifferencer::Equals(revision, expected)) << revision.DebugString();
  ASSERT_EQ(revision.data().spec().containers_size(), 1);
  EXPECT_EQ(revision.data().spec().containers(0).image(), "fluent/fluentd:v1.16");

  // Without a change cause, no annotation.
  auto first = ValueOf<v1::ControllerRevision>(
      *store, "/registry/controllerrevisions/default/fluentd-5d7b8c9f6");
  EXPECT_EQ(first.revision(), 1);
  EXPECT_TRUE(first.metadata().annotations().empty());
  EXPECT_EQ(first.data().spec().containers(0).image(), "fluent/fluentd:v1.15");
  auto exporter = ValueOf<v1::ControllerRevision>(
      *store, "/registry/controllerrevisions/kube-system/node-exporter-6c8d9b7f5");
  EXPECT_EQ(exporter.metadata().namespace_(), "kube-system");
  EXPECT_EQ(exporter.metadata().owner_references(0).uid(), "0b9e8d7c-6a5f-4e3d-8c2b-1a0f9e8d7c6b");
}

TEST_F(SqliteMigrationTest, NodesAndTheirAssignmentsBecomeTwoObjects) {
  auto store = Open();

  auto node = ValueOf<v1::Node>(*store, "/registry/nodes/worker-1");
  EXPECT_EQ(node.metadata().name(), "worker-1");
  EXPECT_EQ(node.metadata().uid(), "uid-worker-1");
  EXPECT_EQ(node.metadata().labels().at("kubernetes.io/hostname"), "worker-1");

  auto assignments = ValueOf<v1::NodeAssignments>(*store, "/registry/nodeassignments/worker-1");
  EXPECT_EQ(assignments.api_version(), "fleetset.io/v1");
  EXPECT_EQ(assignments.kind(), "NodeAssignments");
  EXPECT_EQ(assignments.metadata().name(), "worker-1");
  ASSERT_EQ(assignments.assignments().size(), 2u);
  const v1::NodeAssignment& fluentd = assignments.assignments().at("default/fluentd");
  EXPECT_EQ(fluentd.revision_hash(), "7f9c6b8d4");
  EXPECT_TRUE(fluentd.surge());
  EXPECT_THAT(fluentd.deleted_pod_uids(), ElementsAre("3a2b1c0d-pod"));
  EXPECT_EQ(assignments.assignments().at("kube-system/node-exporter").revision_hash(), "6c8d9b7f5");
  EXPECT_EQ(ValueOf<v1::NodeAssignments>(*store, "/registry/nodeassignments/worker-2")
                .assignments()
                .at("default/fluentd")
                .revision_hash(),
            "5d7b8c9f6");
  // worker-3 had none, and has no assignments object.
  EXPECT_EQ(store->Get("/registry/nodeassignments/worker-3"), std::nullopt);
}

TEST_F(SqliteMigrationTest, EventsAreNamedAfterTheirObjectAndRow) {
  auto store = Open();

  auto rolling = ValueOf<v1::Event>(*store, "/registry/events/default/fluentd.0000000000000003");
  EXPECT_EQ(rolling.metadata().name(), "fluentd.0000000000000003");
  EXPECT_EQ(rolling.metadata().namespace_(), "default");
  EXPECT_EQ(rolling.metadata().creation_timestamp().seconds(), 1700000500);
  EXPECT_EQ(rolling.reason(), "RollingUpdate");
  EXPECT_EQ(rolling.involved_object(), "daemonset/default/fluentd");
  EXPECT_EQ(rolling.time().seconds(), 1700000500);

  auto node = ValueOf<v1::Event>(*store, "/registry/events/default/worker-1.0000000000000002");
  EXPECT_EQ(node.metadata().namespace_(), "default");
  EXPECT_EQ(node.reason(), "RegisteredNode");
  auto exporter =
      ValueOf<v1::Event>(*store, "/registry/events/kube-system/node-exporter.0000000000000004");
  EXPECT_EQ(exporter.metadata().namespace_(), "kube-system");
  EXPECT_EQ(exporter.metadata().creation_timestamp().seconds(), 1700000600);
}

TEST_F(SqliteMigrationTest, DesiredVersionBecomesAKey) {
  auto store = Open();

  EXPECT_EQ(ValueOf<google::protobuf::UInt64Value>(*store, "/fleetset/desired-version").value(),
            42u);
}

TEST_F(SqliteMigrationTest, KeepsTheOldFileAndDropsTheOldTables) {
  Open();

  EXPECT_EQ(ReadBytes(BackupPath()), ReadBytes(kFixture));
  EXPECT_FALSE(std::filesystem::exists(BackupPath() + ".partial"));
  storage::sqlite::Database db(DatabasePath());
  EXPECT_EQ(storage::sqlite::QueryInt(db, "PRAGMA user_version"), 2);
  storage::sqlite::Statement tables(
      db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name != 'sqlite_sequence'");
  std::vector<std::string> names;
  while (tables.Step()) names.push_back(tables.ColumnText(0));
  EXPECT_THAT(names, UnorderedElementsAre("kv", "meta"));
}

TEST_F(SqliteMigrationTest, SecondOpenDoesNotMigrateAgain) {
  {
    auto store = Open();
    Put(*store, "/registry/nodes/worker-4", "new");
  }
  std::filesystem::remove(BackupPath());

  auto store = Open();
  EXPECT_FALSE(std::filesystem::exists(BackupPath()));
  EXPECT_EQ(store->CurrentRevision(), 2);
  EXPECT_EQ(store->Get("/registry/nodes/worker-4")->value, "new");
  EXPECT_EQ(store->Get("/registry/nodes/worker-1")->mod_revision, 1);
}

TEST_F(SqliteMigrationTest, FailedMigrationLeavesTheOldFileAsItWas) {
  // An unterminated varint: no protobuf message parses from it.
  storage::sqlite::Database(DatabasePath())
      .Exec("UPDATE nodes SET data = x'ffffffff' WHERE name = 'worker-2'");
  const std::string before = ReadBytes(DatabasePath());

  EXPECT_THAT([&] { Open(); },
              ThrowsMessage<StorageError>(
                  AllOf(HasSubstr(DatabasePath()), HasSubstr("table nodes, row worker-2"))));

  EXPECT_EQ(ReadBytes(DatabasePath()), before);
  storage::sqlite::Database db(DatabasePath());
  EXPECT_EQ(storage::sqlite::QueryInt(db, "PRAGMA user_version"), 1);
  EXPECT_EQ(storage::sqlite::QueryInt(db, "SELECT count(*) FROM daemon_sets"), 2);
}

}  // namespace
}  // namespace fleetset::testing
