// Copying a fleet's keys between stores: everything but the running
// coordinators' own state, into a store that holds none of it, in
// transactions that etcd accepts.
#include "coordinator/migrate/store_copy.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "coordinator/storage/memory_storage.h"
#include "coordinator/storage/sqlite_storage.h"
#include "storage_test_util.h"

namespace fleetset::testing {
namespace {

using coordinator::CopyStore;
using coordinator::RunningStateKeys;
using ::testing::HasSubstr;

std::vector<std::pair<std::string, std::string>> Contents(storage::Storage& store) {
  std::vector<std::pair<std::string, std::string>> contents;
  for (const storage::KeyValue& kv : store.List("").items) contents.emplace_back(kv.key, kv.value);
  return contents;
}

TEST(StoreCopyTest, EveryKeyButTheCoordinatorsOwnStateIsCopiedAsStored) {
  auto from = storage::OpenMemoryStorage();
  Put(*from, "/registry/daemonsets/default/web", "ds");
  Put(*from, "/registry/secrets/default/creds", "k8s:enc:aesgcm:v1:key1:...");
  Put(*from, "/coordinators/c1", "record");
  Put(*from, "/coordinator/leader", "c1");
  ScratchDirectory dir("store-copy");
  auto to = storage::OpenSqliteStorage(dir.path() + "/data");
  std::vector<size_t> progress;
  const auto result = CopyStore(*from, *to, RunningStateKeys(), 1,
                                [&](size_t copied) { progress.push_back(copied); });
  EXPECT_EQ(result.copied, 2u);
  EXPECT_EQ(result.skipped, 2u);
  EXPECT_EQ(progress, (std::vector<size_t>{1, 2}));
  EXPECT_EQ(Contents(*to), (std::vector<std::pair<std::string, std::string>>{
                               {"/registry/daemonsets/default/web", "ds"},
                               {"/registry/secrets/default/creds", "k8s:enc:aesgcm:v1:key1:..."}}));
}

TEST(StoreCopyTest, ATargetThatHoldsTheFleetsKeysIsRefusedUntouched) {
  auto from = storage::OpenMemoryStorage();
  Put(*from, "/registry/daemonsets/default/web", "ds");
  Put(*from, "/registry/nodes/n1", "node");
  auto to = storage::OpenMemoryStorage();
  Put(*to, "/registry/nodes/n1", "other");
  try {
    CopyStore(*from, *to, RunningStateKeys());
    FAIL() << "copied over another fleet";
  } catch (const storage::StorageError& error) {
    EXPECT_THAT(error.what(), HasSubstr("already holds /registry/nodes/n1"));
  }
  EXPECT_EQ(Contents(*to).size(), 1u) << "nothing was written";
}

TEST(StoreCopyTest, LargeValuesGoInTransactionsEtcdAccepts) {
  auto from = storage::OpenMemoryStorage();
  const std::string large(900 * 1024, 'x');
  for (int i = 0; i < 3; ++i)
    Put(*from, "/registry/configmaps/default/cm" + std::to_string(i), large);
  auto to = storage::OpenMemoryStorage();
  std::vector<size_t> progress;
  CopyStore(*from, *to, RunningStateKeys(), 100,
            [&](size_t copied) { progress.push_back(copied); });
  EXPECT_EQ(progress, (std::vector<size_t>{1, 2, 3})) << "one large value per transaction";
  EXPECT_EQ(Contents(*to).size(), 3u);
}

}  // namespace
}  // namespace fleetset::testing
