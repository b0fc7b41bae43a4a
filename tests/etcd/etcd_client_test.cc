// The etcd client's raw API, as leader election will use it: a lease, a
// key created under it only when absent, compares on what the key holds,
// keep-alive, and the key gone with the lease.
#include "coordinator/storage/etcd_client.h"

#include <gtest/gtest.h>

#include "etcd/etcd_cluster.h"

namespace fleetset::testing {
namespace {

using storage::EtcdClient;

etcdserverpb::Compare CompareOn(const std::string& key,
                                etcdserverpb::Compare::CompareTarget target) {
  etcdserverpb::Compare compare;
  compare.set_key(key);
  compare.set_target(target);
  compare.set_result(etcdserverpb::Compare::EQUAL);
  return compare;
}

// Puts `value` at `key` under `lease` if the key does not exist; reads the
// key otherwise.
etcdserverpb::TxnRequest Campaign(const std::string& key, const std::string& value, int64_t lease) {
  etcdserverpb::TxnRequest request;
  etcdserverpb::Compare& absent = *request.add_compare();
  absent = CompareOn(key, etcdserverpb::Compare::CREATE);
  absent.set_create_revision(0);
  etcdserverpb::PutRequest& put = *request.add_success()->mutable_request_put();
  put.set_key(key);
  put.set_value(value);
  put.set_lease(lease);
  request.add_failure()->mutable_request_range()->set_key(key);
  return request;
}

TEST(EtcdClient, LeaseAndGuardedTransactionsForLeaderElection) {
  REQUIRE_ETCD();
  EtcdCluster& cluster = SharedEtcdCluster();
  ASSERT_TRUE(cluster.ok()) << cluster.error();
  EtcdClient client(cluster.ClientOptions());
  const std::string key = UniquePrefix("election") + "/leader";

  const etcdserverpb::LeaseGrantResponse lease = client.LeaseGrant(10);
  ASSERT_NE(lease.id(), 0);
  EXPECT_EQ(lease.ttl(), 10);
  const etcdserverpb::TxnResponse won = client.Txn(Campaign(key, "coordinator-a", lease.id()));
  EXPECT_TRUE(won.succeeded());
  const etcdserverpb::TxnResponse lost = client.Txn(Campaign(key, "coordinator-b", 0));
  EXPECT_FALSE(lost.succeeded());
  ASSERT_EQ(lost.responses_size(), 1);
  ASSERT_EQ(lost.responses(0).response_range().kvs_size(), 1);
  const mvccpb::KeyValue& holder = lost.responses(0).response_range().kvs(0);
  EXPECT_EQ(holder.value(), "coordinator-a");
  EXPECT_EQ(holder.lease(), lease.id());
  EXPECT_EQ(holder.create_revision(), won.header().revision());

  // The leader's writes are guarded by still holding the key.
  etcdserverpb::TxnRequest guarded;
  *guarded.add_compare() = CompareOn(key, etcdserverpb::Compare::VALUE);
  guarded.mutable_compare(0)->set_value("coordinator-a");
  *guarded.add_compare() = CompareOn(key, etcdserverpb::Compare::LEASE);
  guarded.mutable_compare(1)->set_lease(lease.id());
  *guarded.add_compare() = CompareOn(key, etcdserverpb::Compare::MOD);
  guarded.mutable_compare(2)->set_mod_revision(holder.mod_revision());
  EXPECT_TRUE(client.Txn(guarded).succeeded());
  guarded.mutable_compare(0)->set_value("coordinator-b");
  EXPECT_FALSE(client.Txn(guarded).succeeded());

  EXPECT_GT(client.LeaseKeepAliveOnce(lease.id()), 0);
  const etcdserverpb::LeaseTimeToLiveResponse alive = client.LeaseTimeToLive(lease.id(), true);
  EXPECT_GT(alive.ttl(), 0);
  ASSERT_EQ(alive.keys_size(), 1);
  EXPECT_EQ(alive.keys(0), key);

  client.LeaseRevoke(lease.id());
  etcdserverpb::RangeRequest read;
  read.set_key(key);
  EXPECT_EQ(client.Range(read).kvs_size(), 0);
  EXPECT_LE(client.LeaseKeepAliveOnce(lease.id()), 0);

  const etcdserverpb::StatusResponse status = client.Status(0);
  EXPECT_TRUE(status.version().starts_with("3.")) << status.version();
  EXPECT_NE(status.leader(), 0u);
}

TEST(EtcdClient, MalformedServerIsRefused) {
  storage::EtcdClientOptions options;
  EXPECT_THROW(EtcdClient{options}, storage::StorageError);
  options.servers = {"127.0.0.1:2379"};
  EXPECT_THROW(EtcdClient{options}, storage::StorageError);
}

}  // namespace
}  // namespace fleetset::testing
