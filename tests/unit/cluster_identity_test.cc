// Coordinators sharing a store must share the CA and at least one Secret
// encryption key; the first records them, the others are checked.
#include "coordinator/cluster/cluster_identity.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "coordinator/storage/memory_storage.h"

namespace fleetset::coordinator {
namespace {

using ::testing::HasSubstr;

EncryptionProviders Keys(std::initializer_list<std::pair<const char*, const char*>> keys) {
  EncryptionProviders providers;
  for (const auto& [name, secret] : keys) providers.providers.push_back({name, secret});
  return providers;
}

const std::string kSecretA(32, 'a');
const std::string kSecretB(32, 'b');
const std::string kSecretC(32, 'c');

TEST(ClusterIdentityTest, TheFirstCoordinatorRecordsFingerprintsNeverTheMaterial) {
  auto store = storage::OpenMemoryStorage();
  CheckClusterIdentity(*store, IdentityOf("sha256:ca1", Keys({{"k1", kSecretA.c_str()}})), "/d");
  const std::string recorded = store->Get(kClusterIdentityKey)->value;
  EXPECT_THAT(recorded, HasSubstr("ca sha256:ca1\n"));
  EXPECT_THAT(recorded, HasSubstr("encryption-key sha256:"));
  EXPECT_THAT(recorded, ::testing::Not(HasSubstr(kSecretA)));
  // The same material again is accepted and writes nothing.
  const storage::Revision before = store->CurrentRevision();
  CheckClusterIdentity(*store, IdentityOf("sha256:ca1", Keys({{"k1", kSecretA.c_str()}})), "/d");
  EXPECT_EQ(store->CurrentRevision(), before);
}

TEST(ClusterIdentityTest, AnotherCaIsRefusedSayingWhatToCopy) {
  auto store = storage::OpenMemoryStorage();
  CheckClusterIdentity(*store, IdentityOf("sha256:ca1", Keys({{"k1", kSecretA.c_str()}})), "/d");
  try {
    CheckClusterIdentity(*store, IdentityOf("sha256:ca2", Keys({{"k1", kSecretA.c_str()}})),
                         "/var/lib/c2");
    FAIL() << "a second CA was accepted";
  } catch (const ClusterIdentityMismatch& error) {
    EXPECT_THAT(error.what(), HasSubstr("the cluster CA in /var/lib/c2/pki (sha256:ca2)"));
    EXPECT_THAT(error.what(), HasSubstr("copy pki/ca.crt and pki/ca.key"));
  }
}

TEST(ClusterIdentityTest, EncryptionKeysMustOverlapSoThatARotationPassesAndAFreshKeyDoesNot) {
  auto store = storage::OpenMemoryStorage();
  CheckClusterIdentity(*store, IdentityOf("sha256:ca", Keys({{"k1", kSecretA.c_str()}})), "/d");
  // Rotation, step by step, one coordinator at a time.
  CheckClusterIdentity(
      *store, IdentityOf("sha256:ca", Keys({{"k1", kSecretA.c_str()}, {"k2", kSecretB.c_str()}})),
      "/d");
  CheckClusterIdentity(
      *store, IdentityOf("sha256:ca", Keys({{"k2", kSecretB.c_str()}, {"k1", kSecretA.c_str()}})),
      "/d");
  CheckClusterIdentity(*store, IdentityOf("sha256:ca", Keys({{"k2", kSecretB.c_str()}})), "/d");
  // A key made afresh (the config was not copied) shares none.
  EXPECT_THROW(
      CheckClusterIdentity(*store, IdentityOf("sha256:ca", Keys({{"k9", kSecretC.c_str()}})), "/d"),
      ClusterIdentityMismatch);
}

}  // namespace
}  // namespace fleetset::coordinator
