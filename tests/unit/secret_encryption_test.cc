// Secrets at rest: AES-GCM values bound to their store key, the
// EncryptionConfiguration file, key rotation, and a real coordinator's
// database holding no secret's plaintext.
#include "coordinator/auth/secret_encryption.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "fleetset/base64.h"
#include "unit/fleet_harness.h"

namespace fleetset::coordinator {
namespace {

using ::testing::HasSubstr;

EncryptionProviders Keys(std::vector<EncryptionKey> keys) { return {std::move(keys)}; }
const EncryptionKey kOld{"old", std::string(32, 'o')};
const EncryptionKey kNew{"new", std::string(32, 'n')};
const EncryptionKey kIdentity{};

std::string Error(const std::function<void()>& call) {
  try {
    call();
  } catch (const std::exception& error) {
    return error.what();
  }
  return "no error";
}

TEST(SecretEncryptionTest, ValuesRoundTripAndNeverShowTheirPlaintext) {
  AesGcmTransformer transformer(Keys({kNew}));
  const std::string stored = transformer.ToStorage("hunter2-password", "/registry/secrets/a/b");
  EXPECT_TRUE(stored.starts_with("k8s:enc:aesgcm:v1:new:"));
  EXPECT_EQ(stored.find("hunter2"), std::string::npos);
  // A fresh nonce each time.
  EXPECT_NE(transformer.ToStorage("hunter2-password", "/registry/secrets/a/b"), stored);
  EXPECT_EQ(transformer.FromStorage(stored, "/registry/secrets/a/b"), "hunter2-password");
}

TEST(SecretEncryptionTest, AValueMovedToAnotherKeyOrChangedCannotBeRead) {
  AesGcmTransformer transformer(Keys({kNew}));
  std::string stored = transformer.ToStorage("v", "/registry/secrets/a/b");
  EXPECT_THAT(Error([&] { transformer.FromStorage(stored, "/registry/secrets/a/other"); }),
              HasSubstr("cannot be decrypted with key new"));
  stored.back() ^= 1;
  EXPECT_THAT(Error([&] { transformer.FromStorage(stored, "/registry/secrets/a/b"); }),
              HasSubstr("cannot be decrypted"));
}

TEST(SecretEncryptionTest, RotationReadsOldValuesAndMarksThemForRewriting) {
  const std::string old_value = AesGcmTransformer(Keys({kOld})).ToStorage("v", "k");
  AesGcmTransformer rotated(Keys({kNew, kOld}));
  EXPECT_EQ(rotated.FromStorage(old_value, "k"), "v");
  EXPECT_FALSE(rotated.WrittenByCurrent(old_value));
  EXPECT_TRUE(rotated.WrittenByCurrent(rotated.ToStorage("v", "k")));
  AesGcmTransformer retired(Keys({kNew}));
  EXPECT_THAT(Error([&] { retired.FromStorage(old_value, "k"); }),
              HasSubstr("was encrypted with key old, which the encryption configuration no "
                        "longer has"));
}

TEST(SecretEncryptionTest, PlainValuesAreReadOnlyWithTheIdentityProvider) {
  EXPECT_EQ(AesGcmTransformer(Keys({kNew, kIdentity})).FromStorage("plain", "k"), "plain");
  EXPECT_THAT(Error([&] { AesGcmTransformer(Keys({kNew})).FromStorage("plain", "k"); }),
              HasSubstr("is not encrypted"));
}

class EncryptionConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("encryption-config-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Write(const std::string& text) {
    const std::string path = (dir_ / "config.yaml").string();
    std::ofstream(path) << text;
    ::chmod(path.c_str(), 0600);
    return path;
  }
  std::filesystem::path dir_;
};

TEST_F(EncryptionConfigTest, AMadeConfigurationIsPrivateAndLoads) {
  const std::string path = (dir_ / "pki" / "encryption-config.yaml").string();
  EXPECT_TRUE(EnsureEncryptionConfig(path));
  EXPECT_FALSE(EnsureEncryptionConfig(path));
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  EncryptionProviders loaded = LoadEncryptionConfig(path);
  ASSERT_EQ(loaded.providers.size(), 2u);
  EXPECT_EQ(loaded.providers[0].name, "key1");
  EXPECT_EQ(loaded.providers[0].secret.size(), 32u);
  EXPECT_TRUE(loaded.providers[1].name.empty());  // identity, to read older plain values
}

TEST_F(EncryptionConfigTest, BadConfigurationsAreRefusedNamingTheField) {
  const std::string head =
      "apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n"
      "- resources: [secrets]\n  providers:\n";
  EXPECT_THAT(
      Error([&] {
        LoadEncryptionConfig(Write(head + "  - aesgcm: {keys: [{name: k, secret: c2hvcnQ=}]}\n"));
      }),
      HasSubstr("resources[0].providers[0].aesgcm.keys[0].secret: must be 16, 24 or 32 "
                "bytes"));
  EXPECT_THAT(Error([&] { LoadEncryptionConfig(Write(head + "  - secretbox: {keys: []}\n")); }),
              HasSubstr("resources[0].providers[0]: only aesgcm (with keys) and identity"));
  const std::string path = Write(head + "  - identity: {}\n");
  ::chmod(path.c_str(), 0644);
  EXPECT_THAT(Error([&] { LoadEncryptionConfig(path); }), HasSubstr("readable by others"));
}

TEST(SecretsAtRestTest, TheDatabaseHoldsNoSecretsPlaintext) {
  testing::FleetHarness harness;
  harness.StoreSecret("db-credentials", "password", "correct-horse-battery-staple");
  harness.Close();
  std::string bytes;
  for (const auto& entry : std::filesystem::directory_iterator(harness.data_dir())) {
    if (!entry.is_regular_file()) continue;
    std::ifstream file(entry.path(), std::ios::binary);
    std::stringstream content;
    content << file.rdbuf();
    bytes += content.str();
  }
  ASSERT_NE(bytes.find("db-credentials"), std::string::npos);  // the key is readable
  EXPECT_EQ(bytes.find("correct-horse-battery-staple"), std::string::npos);
}

}  // namespace
}  // namespace fleetset::coordinator
