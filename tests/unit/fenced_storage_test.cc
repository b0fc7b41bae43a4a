// The leader's writes carry its fence: they apply while the leader key is
// at the revision that made it leader, and are refused, with a reason that
// says so, once another coordinator holds the key or when it never led.
#include "coordinator/leader/fenced_storage.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "coordinator/storage/memory_storage.h"
#include "coordinator/storage/sqlite_storage.h"
#include "storage_test_util.h"

namespace fleetset::testing {
namespace {

using coordinator::FencedStorage;
using ::testing::HasSubstr;

constexpr char kLeaderKey[] = "/coordinator/leader";

class FencedStorageTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    store_ = GetParam() ? storage::OpenSqliteStorage(scratch_.path() + "/data")
                        : storage::OpenMemoryStorage();
  }

  ScratchDirectory scratch_{"fenced-storage"};
  std::unique_ptr<storage::Storage> store_;
  std::optional<storage::Compare> fence_;
};

TEST_P(FencedStorageTest, WritesApplyOnlyWhileTheLeaderKeyIsWhereItWas) {
  const storage::Revision took = Put(*store_, kLeaderKey, "coordinator-a").revision;
  fence_ = storage::Compare::ModRevision(kLeaderKey, took);
  FencedStorage fenced(*store_, kLeaderKey, [this] { return fence_; });

  storage::TransactionResult first = fenced.Commit(PutTransaction("/registry/a", "1"));
  EXPECT_TRUE(first.committed()) << first.error;

  // Another coordinator takes the key; this one has not noticed yet.
  Put(*store_, kLeaderKey, "coordinator-b");
  storage::TransactionResult late = fenced.Commit(PutTransaction("/registry/a", "2"));
  EXPECT_EQ(late.status, storage::TransactionResult::Status::kFenced);
  EXPECT_THAT(late.error, HasSubstr("not the leader"));
  EXPECT_THAT(late.error, HasSubstr("another coordinator has taken over"));
  EXPECT_EQ(store_->Get("/registry/a")->value, "1") << "the late write was not applied";
}

TEST_P(FencedStorageTest, ACoordinatorThatDoesNotLeadCannotWrite) {
  FencedStorage fenced(*store_, kLeaderKey, [] { return std::nullopt; });
  storage::TransactionResult result = fenced.Commit(PutTransaction("/registry/a", "1"));
  EXPECT_EQ(result.status, storage::TransactionResult::Status::kFenced);
  EXPECT_EQ(result.error, "not the leader: this coordinator does not hold /coordinator/leader");
  EXPECT_EQ(store_->Get("/registry/a"), std::nullopt);
}

TEST_P(FencedStorageTest, TheFenceIsCheckedBeforeTheCompares) {
  const storage::Revision took = Put(*store_, kLeaderKey, "coordinator-a").revision;
  Put(*store_, kLeaderKey, "coordinator-b");
  FencedStorage fenced(*store_, kLeaderKey,
                       [took] { return storage::Compare::ModRevision(kLeaderKey, took); });
  storage::Transaction create = PutTransaction("/registry/a", "1");
  create.compares.push_back(storage::Compare::ModRevision("/registry/a", 12345));
  // Both fail; the answer is the fence, not a conflict to retry.
  EXPECT_EQ(fenced.Commit(create).status, storage::TransactionResult::Status::kFenced);
}

INSTANTIATE_TEST_SUITE_P(Stores, FencedStorageTest, ::testing::Bool(),
                         [](const auto& store) { return store.param ? "Sqlite" : "Memory"; });

}  // namespace
}  // namespace fleetset::testing
