// A controller's informer on the etcd store keeps a true cache when the
// store's watch misses history that etcd compacted meanwhile: the store
// lists again and the informer is told the difference.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "coordinator/registry/informer.h"
#include "coordinator/registry/registries.h"
#include "coordinator/storage/etcd_client.h"
#include "coordinator/storage/memory_storage.h"
#include "etcd/etcd_cluster.h"
#include "fleetset/clock.h"

namespace fleetset::testing {
namespace {

using namespace std::chrono_literals;
using coordinator::Caller;
using coordinator::Informer;
using coordinator::Registries;

v1::Node NodeNamed(const std::string& name) {
  v1::Node node;
  node.mutable_metadata()->set_name(name);
  return node;
}

// The node names in `informer`'s cache, with their "role" label.
std::vector<std::string> Cached(const Informer<v1::Node>& informer) {
  std::vector<std::string> names;
  for (const auto& node : informer.List()) {
    auto role = node->metadata().labels().find("role");
    names.push_back(node->metadata().name() +
                    (role == node->metadata().labels().end() ? "" : "=" + role->second));
  }
  return names;
}

bool Eventually(const std::function<bool()>& condition) {
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

TEST(EtcdInformer, CacheCatchesUpAfterTheStoreMissedACompactedHistory) {
  REQUIRE_ETCD();
  EtcdCluster cluster;
  ASSERT_TRUE(cluster.ok()) << cluster.error();
  const RealClock clock;
  const Caller caller = Caller::Anonymous();

  // This coordinator's store watches through member 1 and waits long after
  // losing it; the other coordinator uses members 2 and 3.
  storage::EtcdOptions watched_options = cluster.Options("/fleetset");
  watched_options.watch_retry_interval = 5s;
  auto watched = storage::OpenEtcdStorage(watched_options);
  storage::EtcdOptions other_options = cluster.Options("/fleetset");
  other_options.servers.erase(other_options.servers.begin());
  auto other = storage::OpenEtcdStorage(other_options);
  auto volatile_store = storage::OpenMemoryStorage();
  Registries mine(*watched, *volatile_store, clock);
  Registries theirs(*other, *volatile_store, clock);
  storage::EtcdClientOptions admin_options = cluster.ClientOptions();
  admin_options.servers.erase(admin_options.servers.begin());
  storage::EtcdClient admin(admin_options);

  theirs.nodes.Create(caller, NodeNamed("node-1"));
  theirs.nodes.Create(caller, NodeNamed("node-2"));
  Informer<v1::Node> informer(mine.nodes);
  informer.Start();
  ASSERT_TRUE(Eventually([&] { return informer.Size() == 2; }));

  cluster.KillMember(1);
  const auto cut_off = std::chrono::steady_clock::now();
  // While the cluster elects a new leader a write may fail (the store is
  // unavailable) and the test writes again; a write whose outcome was
  // unknown may have been applied, and its retry then finds it done.
  auto retry = [](const std::function<void()>& write) {
    ASSERT_TRUE(Eventually([&] {
      try {
        write();
        return true;
      } catch (const coordinator::ApiError& error) {
        return error.reason() == coordinator::ApiError::Reason::kNotFound ||
               error.reason() == coordinator::ApiError::Reason::kAlreadyExists;
      }
    }));
  };
  retry([&] { theirs.nodes.Delete(caller, "", "node-1"); });
  retry([&] { theirs.nodes.Create(caller, NodeNamed("node-3")); });
  retry([&] {
    theirs.nodes.GuaranteedUpdate(caller, "", "node-2", [](v1::Node& node) {
      (*node.mutable_metadata()->mutable_labels())["role"] = "edge";
    });
  });
  admin.Compact(other->CurrentRevision(), /*physical=*/true);
  ASSERT_LT(std::chrono::steady_clock::now() - cut_off, watched_options.watch_retry_interval)
      << "too slow to test a compaction while the watch is cut off";

  EXPECT_TRUE(Eventually([&] {
    return Cached(informer) == std::vector<std::string>{"node-2=edge", "node-3"};
  })) << ::testing::PrintToString(Cached(informer));
  EXPECT_EQ(informer.Revision(), other->CurrentRevision());
}

}  // namespace
}  // namespace fleetset::testing
