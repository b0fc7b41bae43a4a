// Checking certificates at a given time against trusted roots: what passes,
// and the reason given for each way a certificate fails.
#include "fleetset/pki/verify.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/err.h>

#include <chrono>
#include <optional>
#include <string>

#include "fleetset/pki/issuer.h"
#include "fleetset/pki/keys.h"

namespace fleetset::testing {
namespace {

using pki::Certificate;
using pki::IssueOptions;
using pki::PrivateKey;
using pki::Purpose;
using pki::Usage;
using pki::VerifyCertificate;
using std::chrono::hours;
using std::chrono::seconds;
using std::chrono::system_clock;
using ::testing::Optional;
using ::testing::StartsWith;

// 2030-01-01T00:00:00Z.
const system_clock::time_point kNow = system_clock::from_time_t(1893456000);
constexpr hours kDay{24};

class PkiVerifyTest : public ::testing::Test {
 protected:
  Certificate Issue(Usage usage, system_clock::time_point now) {
    IssueOptions options;
    options.subject = {usage == Usage::kServer ? "coordinator" : "node-1", {"system:nodes"}};
    options.usage = usage;
    options.now = now;
    options.validity = 30 * kDay;
    return pki::IssueCertificate(ca_, ca_key_, leaf_key_.Public(), options);
  }

  PrivateKey ca_key_ = PrivateKey::GenerateEcP256();
  Certificate ca_ = pki::CreateSelfSignedCa(ca_key_, "fleetset-ca", kNow, 365 * kDay);
  PrivateKey leaf_key_ = PrivateKey::GenerateEcP256();
  Certificate server_ = Issue(Usage::kServer, kNow);
  Certificate client_ = Issue(Usage::kClient, kNow);
};

TEST_F(PkiVerifyTest, ValidCertificatesPass) {
  EXPECT_EQ(VerifyCertificate({server_}, {ca_}, kNow + hours(1), Purpose::kServer), std::nullopt);
  EXPECT_EQ(VerifyCertificate({client_}, {ca_}, kNow + hours(1), Purpose::kClient), std::nullopt);
  // OpenSSL counts the not-after second itself as expired.
  EXPECT_EQ(VerifyCertificate({client_}, {ca_}, kNow + 30 * kDay - seconds(1), Purpose::kClient),
            std::nullopt);
}

TEST_F(PkiVerifyTest, TheCaMayBeSentAlongButIsNotNeeded) {
  EXPECT_EQ(VerifyCertificate({server_, ca_}, {ca_}, kNow + hours(1), Purpose::kServer),
            std::nullopt);
  EXPECT_EQ(VerifyCertificate({server_}, {ca_}, kNow + hours(1), Purpose::kServer), std::nullopt);
}

TEST_F(PkiVerifyTest, ExpiredCertificateSaysWhenItEnded) {
  EXPECT_THAT(VerifyCertificate({client_}, {ca_}, kNow + 30 * kDay + seconds(1), Purpose::kClient),
              Optional(std::string("certificate has expired (not after 2030-01-31T00:00:00Z)")));
  EXPECT_EQ(ERR_peek_error(), 0u);
}

TEST_F(PkiVerifyTest, ExpiredCaIsNamed) {
  EXPECT_THAT(
      VerifyCertificate({client_}, {ca_}, kNow + 366 * kDay, Purpose::kClient),
      Optional(StartsWith("CA certificate CN=fleetset-ca has expired (not after 2031-01-01")));
}

TEST_F(PkiVerifyTest, CertificateNotYetValid) {
  const Certificate later = Issue(Usage::kClient, kNow + kDay);
  EXPECT_THAT(
      VerifyCertificate({later}, {ca_}, kNow + hours(1), Purpose::kClient),
      Optional(std::string("certificate is not yet valid (not before 2030-01-01T23:59:00Z)")));
}

TEST_F(PkiVerifyTest, CertificateOfAnotherCaIsNotTrusted) {
  const PrivateKey other_key = PrivateKey::GenerateEcP256();
  const Certificate other_ca = pki::CreateSelfSignedCa(other_key, "other-ca", kNow, 365 * kDay);
  const std::string expected = "certificate is not signed by a trusted CA (issuer CN=fleetset-ca)";
  EXPECT_THAT(VerifyCertificate({client_}, {other_ca}, kNow + hours(1), Purpose::kClient),
              Optional(expected));
  // Sending its own CA along does not make it trusted.
  EXPECT_THAT(VerifyCertificate({client_, ca_}, {other_ca}, kNow + hours(1), Purpose::kClient),
              Optional(StartsWith("certificate is not signed by a trusted CA")));
  EXPECT_THAT(VerifyCertificate({client_}, {}, kNow + hours(1), Purpose::kClient),
              Optional(expected));
  EXPECT_EQ(ERR_peek_error(), 0u);
}

TEST_F(PkiVerifyTest, CertificateUsedForTheWrongPurpose) {
  EXPECT_THAT(VerifyCertificate({server_}, {ca_}, kNow + hours(1), Purpose::kClient),
              Optional(std::string("certificate may not be used for client authentication")));
  EXPECT_THAT(VerifyCertificate({client_}, {ca_}, kNow + hours(1), Purpose::kServer),
              Optional(std::string("certificate may not be used for server authentication")));
}

TEST_F(PkiVerifyTest, CertificateWithAForgedIssuerFailsItsSignature) {
  // Same name as the trusted CA, different key: the name matches, the
  // signature does not.
  const PrivateKey impostor_key = PrivateKey::GenerateEcP256();
  const Certificate impostor = pki::CreateSelfSignedCa(impostor_key, "fleetset-ca", kNow, kDay);
  IssueOptions options;
  options.subject = {"node-1", {}};
  options.now = kNow;
  const Certificate forged =
      pki::IssueCertificate(impostor, impostor_key, leaf_key_.Public(), options);
  const std::optional<std::string> reason =
      VerifyCertificate({forged}, {ca_}, kNow + hours(1), Purpose::kClient);
  ASSERT_TRUE(reason.has_value());
  EXPECT_THAT(*reason, ::testing::AnyOf(StartsWith("certificate signature does not verify"),
                                        StartsWith("certificate is not signed by a trusted CA")));
}

TEST_F(PkiVerifyTest, EmptyChainIsRejected) {
  EXPECT_THAT(VerifyCertificate({}, {ca_}, kNow, Purpose::kClient),
              Optional(std::string("no certificate was presented")));
}

}  // namespace
}  // namespace fleetset::testing
