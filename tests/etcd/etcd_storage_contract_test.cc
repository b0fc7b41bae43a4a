// The Storage contract (tests/unit/storage_contract.h) on a real etcd
// cluster: one cluster for the whole suite, each test under a prefix of
// its own.
#include "etcd/etcd_cluster.h"
#include "unit/storage_contract.h"

namespace fleetset::testing {
namespace {

struct EtcdStore {
  static constexpr char kName[] = "Etcd";
  const std::string prefix = UniquePrefix("contract");

  void RequirePrerequisites() {
    REQUIRE_ETCD();
    EtcdCluster& cluster = SharedEtcdCluster();
    if (!cluster.ok()) GTEST_FAIL() << cluster.error();
  }

  std::unique_ptr<Storage> Open(size_t history_events) {
    storage::EtcdOptions options = SharedEtcdCluster().Options(prefix);
    options.watch_history_events = history_events;
    return storage::OpenEtcdStorage(options);
  }
};

INSTANTIATE_TYPED_TEST_SUITE_P(Real, StorageContractTest, ::testing::Types<EtcdStore>, StoreName);

}  // namespace
}  // namespace fleetset::testing
