// `fleetset-coordinator migrate` on a real etcd: a SQLite database into
// etcd and back, every key as it was.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "coordinator/migrate/migrate_command.h"
#include "coordinator/storage/sqlite_storage.h"
#include "etcd_cluster.h"
#include "fleetset/strings.h"

namespace fleetset::testing {
namespace {

using ::testing::HasSubstr;

std::string Servers(const EtcdCluster& cluster) { return Join(cluster.endpoints(), ","); }

TEST(EtcdMigrate, ASqliteDatabaseGoesIntoEtcdAndBack) {
  REQUIRE_ETCD();
  EtcdCluster& cluster = SharedEtcdCluster();
  ScratchDirectory dir("migrate");
  const std::string prefix = UniquePrefix("migrate");
  {
    auto sqlite = storage::OpenSqliteStorage(dir.path() + "/single");
    Put(*sqlite, "/registry/daemonsets/default/web", "ds");
    Put(*sqlite, "/registry/nodes/n1", "node");
    Put(*sqlite, "/coordinators/single", "record");
  }
  std::ostringstream out;
  std::ostringstream err;
  ASSERT_EQ(
      coordinator::RunMigrateCommand({"--from-data-dir", dir.path() + "/single", "--etcd-servers",
                                      Servers(cluster), "--etcd-prefix", prefix},
                                     out, err),
      0)
      << err.str();
  EXPECT_EQ(out.str(),
            "copied 2 keys from " + dir.path() + "/single into etcd under " + prefix + "\n");
  auto etcd = storage::OpenEtcdStorage(cluster.Options(prefix));
  EXPECT_EQ(etcd->Get("/registry/nodes/n1")->value, "node");
  EXPECT_EQ(etcd->Get("/coordinators/single"), std::nullopt);

  // Again into the same prefix: refused, nothing overwritten.
  std::ostringstream again;
  EXPECT_EQ(
      coordinator::RunMigrateCommand({"--from-data-dir", dir.path() + "/single", "--etcd-servers",
                                      Servers(cluster), "--etcd-prefix", prefix},
                                     out, again),
      1);
  EXPECT_THAT(again.str(), HasSubstr("already holds /registry/daemonsets/default/web"));

  // Back into a new database, for a single-node restore.
  ASSERT_EQ(
      coordinator::RunMigrateCommand({"--to-data-dir", dir.path() + "/restored", "--etcd-servers",
                                      Servers(cluster), "--etcd-prefix", prefix},
                                     out, err),
      0)
      << err.str();
  auto restored = storage::OpenSqliteStorage(dir.path() + "/restored");
  EXPECT_EQ(restored->Get("/registry/daemonsets/default/web")->value, "ds");
  EXPECT_EQ(restored->List("").items.size(), 2u);
}

TEST(EtcdMigrate, UsageErrorsSayWhatIsMissing) {
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(coordinator::RunMigrateCommand({"--etcd-servers", "http://127.0.0.1:1"}, out, err), 64);
  EXPECT_THAT(err.str(), HasSubstr("--from-data-dir or --to-data-dir"));
  std::ostringstream both;
  EXPECT_EQ(coordinator::RunMigrateCommand({"--from-data-dir", "/a", "--to-data-dir", "/b",
                                            "--etcd-servers", "http://127.0.0.1:1"},
                                           out, both),
            64);
  EXPECT_THAT(both.str(), HasSubstr("excludes"));
}

}  // namespace
}  // namespace fleetset::testing
