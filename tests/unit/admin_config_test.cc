// admin.conf when coordinators sharing etcd start together: each writes
// the admin user, and the one that writes second must not fail its start
// because the first got there between its read and its write.
#include "coordinator/auth/admin_config.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>

#include "coordinator/auth/cluster_pki.h"
#include "coordinator/registry/api_error.h"
#include "coordinator/storage/memory_storage.h"
#include "fakes/interfering_store.h"
#include "fleetset/clock.h"
#include "fleetset/identity.h"

namespace fleetset::testing {
namespace {

using coordinator::ApiError;

class AdminConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string dir = ::testing::TempDir() + "admin-config-XXXXXX";
    ASSERT_NE(mkdtemp(dir.data()), nullptr);
    dir_ = dir;
    coordinator::PkiOptions options;
    options.data_dir = dir_;
    options.listen = "127.0.0.1:7400";
    pki_ = coordinator::ClusterPki::Open(options, clock_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // What another coordinator wrote a moment before.
  void AdminUserWrittenByAnother() {
    v1::User user;
    user.mutable_metadata()->set_name(coordinator::kAdminUser);
    user.mutable_spec()->set_role(kRoleAdmin);
    registries_.users.Create(coordinator::Caller::System("pki"), std::move(user));
  }

  void Ensure() {
    coordinator::EnsureAdminConfig(*pki_, registries_, (dir_ / "admin.conf").string(),
                                   "127.0.0.1:7400", clock_);
  }

  FakeClock clock_;
  std::filesystem::path dir_;
  std::unique_ptr<coordinator::ClusterPki> pki_;
  InterferingStore* store_ = new InterferingStore("/users/");
  std::unique_ptr<coordinator::storage::Storage> durable_{store_};
  std::unique_ptr<coordinator::storage::Storage> volatile_ =
      coordinator::storage::OpenMemoryStorage();
  coordinator::Registries registries_{*durable_, *volatile_, clock_};
};

TEST_F(AdminConfigTest, AnAdminUserWrittenMeanwhileByAnotherCoordinatorIsWrittenOver) {
  AdminUserWrittenByAnother();
  store_->interferences = 2;
  ASSERT_NO_THROW(Ensure());
  EXPECT_EQ(store_->interferences, 0);
  EXPECT_TRUE(std::filesystem::exists(dir_ / "admin.conf"));
  const v1::User user = registries_.users.Get("", coordinator::kAdminUser);
  EXPECT_EQ(user.spec().role(), kRoleAdmin);
  EXPECT_EQ(user.spec().created_by(), "fleetset-coordinator");
}

TEST_F(AdminConfigTest, AWriterThatKeepsWinningEndsTheStartWithTheConflict) {
  AdminUserWrittenByAnother();
  store_->interferences = 100;
  try {
    Ensure();
    FAIL() << "expected a conflict";
  } catch (const ApiError& error) {
    EXPECT_EQ(error.reason(), ApiError::Reason::kConflict);
  }
  // Bounded: a few attempts, each reading the user once or twice.
  EXPECT_GE(store_->interferences, 80);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "admin.conf"));
}

}  // namespace
}  // namespace fleetset::testing
