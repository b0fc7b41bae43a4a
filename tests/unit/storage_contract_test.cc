// The Storage contract (storage_contract.h) on the stores that need nothing
// outside the process: memory and SQLite. The etcd tests run it on etcd.
#include "storage_contract.h"
#include "coordinator/storage/memory_storage.h"
#include "coordinator/storage/sqlite_storage.h"

namespace fleetset::testing {
namespace {

struct MemoryStore {
  static constexpr char kName[] = "Memory";
  void RequirePrerequisites() {}
  std::unique_ptr<Storage> Open(size_t history_events) {
    return storage::OpenMemoryStorage({history_events});
  }
};

struct SqliteStore {
  static constexpr char kName[] = "Sqlite";
  ScratchDirectory root{"storage-contract"};
  void RequirePrerequisites() {}
  std::unique_ptr<Storage> Open(size_t history_events) {
    return storage::OpenSqliteStorage(root.path() + "/data", {history_events});
  }
};

using LocalStores = ::testing::Types<MemoryStore, SqliteStore>;
INSTANTIATE_TYPED_TEST_SUITE_P(Local, StorageContractTest, LocalStores, StoreName);

// The stores of one process number their revisions from the first
// transaction they ever commit: a new one is at 0.
TEST(LocalStoreRevisions, NewStoresStartAtZero) {
  EXPECT_EQ(MemoryStore().Open(10)->CurrentRevision(), 0);
  SqliteStore sqlite;
  auto store = sqlite.Open(10);
  EXPECT_EQ(store->CurrentRevision(), 0);
  EXPECT_EQ(Put(*store, "/k", "v").revision, 1);
}

}  // namespace
}  // namespace fleetset::testing
