// Compaction of etcd's history by the coordinators, on a real etcd: each
// coordinator's turn compacts to where history stood at its previous one,
// only one of several takes each interval, and a cluster compacted by
// someone else, or a shared key deleted, stops nothing.
#include "coordinator/storage/etcd_compactor.h"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "etcd/etcd_cluster.h"

namespace fleetset::testing {
namespace {

using storage::EtcdClient;
using storage::EtcdCompactor;
using storage::EtcdError;

constexpr char kKey[] = "/fleet/coordinator/compaction";

class EtcdCompactorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    REQUIRE_ETCD();
    ASSERT_TRUE(cluster_.ok()) << cluster_.error();
    admin_ = std::make_unique<EtcdClient>(cluster_.ClientOptions());
  }

  // A coordinator's compactor, with a client of its own.
  std::unique_ptr<EtcdCompactor> Coordinator() {
    clients_.push_back(std::make_unique<EtcdClient>(cluster_.ClientOptions()));
    return std::make_unique<EtcdCompactor>(*clients_.back(), kKey);
  }

  // Writes `key` and answers the revision of the write.
  int64_t Put(const std::string& key, const std::string& value) {
    etcdserverpb::TxnRequest txn;
    etcdserverpb::PutRequest* put = txn.add_success()->mutable_request_put();
    put->set_key(key);
    put->set_value(value);
    return admin_->Txn(txn).header().revision();
  }

  // The value `key` had at `revision`; throws EtcdError once compacted.
  std::string ValueAt(const std::string& key, int64_t revision) {
    etcdserverpb::RangeRequest request;
    request.set_key(key);
    request.set_revision(revision);
    const etcdserverpb::RangeResponse response = admin_->Range(request);
    return response.kvs().empty() ? "" : response.kvs(0).value();
  }

  bool Compacted(int64_t revision) {
    try {
      ValueAt("/fleet/k", revision);
      return false;
    } catch (const EtcdError& error) {
      EXPECT_EQ(error.code(), grpc::StatusCode::OUT_OF_RANGE) << error.what();
      return true;
    }
  }

  // A private cluster of one member: compaction is cluster-wide.
  EtcdCluster cluster_{1};
  std::unique_ptr<EtcdClient> admin_;
  // The compactors' clients, which outlive them.
  std::vector<std::unique_ptr<EtcdClient>> clients_;
};

TEST_F(EtcdCompactorTest, ATurnCompactsToWhereHistoryStoodAtThePreviousOne) {
  auto coordinator = Coordinator();
  const int64_t first = Put("/fleet/k", "v1");
  EXPECT_EQ(coordinator->Step(), 0) << "the first turn only notes where history is";
  EXPECT_FALSE(Compacted(first));
  // The first turn's own write is the revision history stood at.
  const int64_t noted = first + 1;
  Put("/fleet/k", "v2");
  Put("/fleet/k", "v3");

  EXPECT_EQ(coordinator->Step(), noted);
  EXPECT_TRUE(Compacted(noted - 1));
  // One interval of history stays.
  EXPECT_EQ(ValueAt("/fleet/k", noted), "v1");
  EXPECT_EQ(ValueAt("/fleet/k", noted + 1), "v2");
}

TEST_F(EtcdCompactorTest, OfSeveralCoordinatorsOneCompactsEachInterval) {
  auto a = Coordinator();
  auto b = Coordinator();
  auto c = Coordinator();
  int64_t last_compacted = 0;
  for (int interval = 1; interval <= 4; ++interval) {
    Put("/fleet/k", "v" + std::to_string(interval));
    int compactions = 0;
    for (EtcdCompactor* coordinator : {a.get(), b.get(), c.get()}) {
      if (const int64_t revision = coordinator->Step()) {
        ++compactions;
        EXPECT_GT(revision, last_compacted);
        last_compacted = revision;
      }
    }
    EXPECT_EQ(compactions, interval == 1 ? 0 : 1) << "interval " << interval;
  }
  EXPECT_TRUE(Compacted(last_compacted - 1));
}

TEST_F(EtcdCompactorTest, EtcdCompactedFurtherBySomeoneElseIsNoError) {
  auto coordinator = Coordinator();
  EXPECT_EQ(coordinator->Step(), 0);
  const int64_t latest = Put("/fleet/k", "v");
  admin_->Compact(latest, /*physical=*/false);
  EXPECT_EQ(coordinator->Step(), 0);
  // The next turn compacts to where that one stood, past etcd's own.
  Put("/fleet/k", "w");
  EXPECT_GT(coordinator->Step(), latest);
}

TEST_F(EtcdCompactorTest, ADeletedSharedKeyStartsTheClockAgain) {
  auto coordinator = Coordinator();
  EXPECT_EQ(coordinator->Step(), 0);
  EXPECT_NE(coordinator->Step(), 0);
  etcdserverpb::TxnRequest txn;
  txn.add_success()->mutable_request_delete_range()->set_key(kKey);
  admin_->Txn(txn);

  EXPECT_EQ(coordinator->Step(), 0) << "the turn that finds the key gone learns the new clock";
  const int64_t written = Put("/fleet/k", "v");
  EXPECT_EQ(coordinator->Step(), written - 1);
}

}  // namespace
}  // namespace fleetset::testing
