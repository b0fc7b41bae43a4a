// How the etcd store writes its keys and transactions in etcd's terms.
#include "coordinator/storage/etcd_mapping.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "storage_test_util.h"

namespace fleetset::testing {
namespace {

namespace storage = coordinator::storage;
using ::testing::HasSubstr;

TEST(EtcdMapping, PrefixRangeEndRaisesTheLastByteThatCanBe) {
  EXPECT_EQ(storage::PrefixRangeEnd("/a"), "/b");
  EXPECT_EQ(storage::PrefixRangeEnd("/x\xff"), "/y");
  EXPECT_EQ(storage::PrefixRangeEnd("/x\xff\xff"), "/y");
  EXPECT_EQ(storage::PrefixRangeEnd("\xff"), std::string(1, '\0'));
  EXPECT_EQ(storage::PrefixRangeEnd(""), std::string(1, '\0'));
}

TEST(EtcdMapping, TransactionBecomesAGuardedTxnUnderThePrefix) {
  const storage::EtcdKeyMapping keys("/fleetset");
  const etcdserverpb::TxnRequest request =
      keys.TxnRequest({{storage::Compare::Absent("/a"), storage::Compare::ModRevision("/b", 7)},
                       {storage::Operation::Put("/a", "v"), storage::Operation::Delete("/b")}});

  ASSERT_EQ(request.compare_size(), 2);
  for (const etcdserverpb::Compare& compare : request.compare()) {
    EXPECT_EQ(compare.target(), etcdserverpb::Compare::MOD);
    EXPECT_EQ(compare.result(), etcdserverpb::Compare::EQUAL);
  }
  EXPECT_EQ(request.compare(0).key(), "/fleetset/a");
  EXPECT_EQ(request.compare(0).mod_revision(), 0);
  EXPECT_EQ(request.compare(1).mod_revision(), 7);
  ASSERT_EQ(request.success_size(), 2);
  EXPECT_EQ(request.success(0).request_put().key(), "/fleetset/a");
  EXPECT_EQ(request.success(0).request_put().value(), "v");
  EXPECT_EQ(request.success(1).request_delete_range().key(), "/fleetset/b");
  EXPECT_EQ(request.success(1).request_delete_range().range_end(), "");
  EXPECT_EQ(request.failure_size(), 0);
}

TEST(EtcdMapping, ListAndRecordsStripThePrefix) {
  const storage::EtcdKeyMapping keys("/fleetset");
  const etcdserverpb::RangeRequest list = keys.ListRequest("/registry/");
  EXPECT_EQ(list.key(), "/fleetset/registry/");
  EXPECT_EQ(list.range_end(), "/fleetset/registry0");

  mvccpb::Event event;
  event.set_type(mvccpb::Event::DELETE);
  event.mutable_kv()->set_key("/fleetset/registry/x");
  event.mutable_kv()->set_mod_revision(9);
  event.mutable_prev_kv()->set_key("/fleetset/registry/x");
  event.mutable_prev_kv()->set_value("old");
  event.mutable_prev_kv()->set_create_revision(3);
  event.mutable_prev_kv()->set_mod_revision(4);
  const storage::WatchEvent converted = keys.FromEtcd(event);
  EXPECT_EQ(converted.type, storage::WatchEvent::Type::kDelete);
  EXPECT_EQ(converted.kv.key, "/registry/x");
  EXPECT_EQ(converted.kv.mod_revision, 9);
  ASSERT_TRUE(converted.previous);
  EXPECT_EQ(converted.previous->value, "old");
  EXPECT_EQ(converted.previous->create_revision, 3);
}

TEST(EtcdMapping, RefusesWhatEveryStoreRefuses) {
  EXPECT_THAT(storage::RefusedTransaction(
                  {{}, {storage::Operation::Put("/k", "a"), storage::Operation::Delete("/k")}}),
              HasSubstr("/k is written twice"));
  EXPECT_THAT(storage::RefusedTransaction({{}, {storage::Operation::Put("", "a")}}),
              HasSubstr("empty key"));
  EXPECT_EQ(storage::RefusedTransaction(
                {{storage::Compare::ModRevision("/k", 3)}, {storage::Operation::Put("/k", "a")}}),
            "");
}

TEST(EtcdMapping, OnlyAPutOrARealDeleteTakesARevision) {
  etcdserverpb::TxnResponse response;
  response.mutable_header()->set_revision(5);
  response.set_succeeded(true);
  response.add_responses()->mutable_response_delete_range()->set_deleted(0);
  bool wrote = true;
  storage::TransactionResult result = storage::TransactionOutcome(response, std::nullopt, wrote);
  EXPECT_TRUE(result.committed());
  EXPECT_EQ(result.revision, 5);
  EXPECT_FALSE(wrote);

  response.add_responses()->mutable_response_put();
  storage::TransactionOutcome(response, std::nullopt, wrote);
  EXPECT_TRUE(wrote);

  response.set_succeeded(false);
  result = storage::TransactionOutcome(response, std::nullopt, wrote);
  EXPECT_EQ(result.status, storage::TransactionResult::Status::kCompareFailed);
  EXPECT_FALSE(wrote);
}

TEST(EtcdMapping, AFenceIsComparedFirstAndItsKeyReadWhenACompareFails) {
  const storage::Compare fence = storage::Compare::ModRevision("/coordinator/leader", 7);
  storage::Transaction transaction = PutTransaction("/registry/a", "1");
  transaction.fence = fence;
  const etcdserverpb::TxnRequest request = storage::EtcdKeyMapping("/p").TxnRequest(transaction);
  ASSERT_EQ(request.compare_size(), 1);
  EXPECT_EQ(request.compare(0).key(), "/p/coordinator/leader");
  EXPECT_EQ(request.compare(0).mod_revision(), 7);
  ASSERT_EQ(request.failure_size(), 1);
  EXPECT_EQ(request.failure(0).request_range().key(), "/p/coordinator/leader");

  etcdserverpb::TxnResponse response;
  response.set_succeeded(false);
  mvccpb::KeyValue* holder = response.add_responses()->mutable_response_range()->add_kvs();
  holder->set_mod_revision(9);
  bool wrote = false;
  storage::TransactionResult result = storage::TransactionOutcome(response, fence, wrote);
  EXPECT_EQ(result.status, storage::TransactionResult::Status::kFenced);
  EXPECT_THAT(result.error, HasSubstr("not the leader"));
  // The fence held: another compare failed, a conflict as ever.
  holder->set_mod_revision(7);
  result = storage::TransactionOutcome(response, fence, wrote);
  EXPECT_EQ(result.status, storage::TransactionResult::Status::kCompareFailed);
}

TEST(EtcdMapping, TransactionsSentTogetherAreNestedAndEachToldItsOwnOutcome) {
  const storage::Compare fence = storage::Compare::ModRevision("/coordinator/leader", 7);
  storage::Transaction guarded = PutTransaction("/registry/a", "1");
  guarded.compares.push_back(storage::Compare::ModRevision("/registry/a", 3));
  guarded.fence = fence;
  const storage::Transaction plain = PutTransaction("/registry/b", "2");
  const storage::EtcdKeyMapping keys("/p");

  const etcdserverpb::TxnRequest request = keys.BatchRequest({guarded, plain});
  EXPECT_EQ(request.compare_size(), 0) << "the outer Txn always holds";
  ASSERT_EQ(request.success_size(), 2);
  EXPECT_EQ(request.success(0).request_txn().SerializeAsString(),
            keys.TxnRequest(guarded).SerializeAsString());
  EXPECT_EQ(request.success(1).request_txn().SerializeAsString(),
            keys.TxnRequest(plain).SerializeAsString());
  EXPECT_EQ(keys.BatchRequest({plain}).SerializeAsString(),
            keys.TxnRequest(plain).SerializeAsString())
      << "one transaction goes as it is";

  etcdserverpb::TxnResponse response;
  response.set_succeeded(true);
  response.mutable_header()->set_revision(20);
  // The guarded one was fenced (its failure branch read the leader key at
  // another revision); the plain one wrote.
  etcdserverpb::TxnResponse& first = *response.add_responses()->mutable_response_txn();
  first.set_succeeded(false);
  first.add_responses()->mutable_response_range()->add_kvs()->set_mod_revision(9);
  etcdserverpb::TxnResponse& second = *response.add_responses()->mutable_response_txn();
  second.set_succeeded(true);
  second.add_responses()->mutable_response_put();
  const std::vector<storage::CommitPipeline::Outcome> outcomes =
      storage::BatchOutcomes(response, {fence, std::nullopt});
  ASSERT_EQ(outcomes.size(), 2u);
  EXPECT_EQ(outcomes[0].result.status, storage::TransactionResult::Status::kFenced);
  EXPECT_FALSE(outcomes[0].wrote);
  EXPECT_EQ(outcomes[1].result.status, storage::TransactionResult::Status::kCommitted);
  EXPECT_EQ(outcomes[1].result.revision, 20) << "a nested answer has the outer revision";
  EXPECT_TRUE(outcomes[1].wrote);

  // An answer of the wrong shape tells nobody that it worked.
  response.mutable_responses()->RemoveLast();
  for (const auto& outcome : storage::BatchOutcomes(response, {fence, std::nullopt})) {
    EXPECT_EQ(outcome.result.status, storage::TransactionResult::Status::kFailed);
  }
}

}  // namespace
}  // namespace fleetset::testing
