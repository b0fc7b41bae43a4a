// Who a client certificate says the caller is, checked against the CA at
// the clock's time, and refused once revoked.
#include "coordinator/auth/authenticator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "coordinator/api/certificate_records.h"
#include "coordinator/registry/kinds/kinds.h"
#include "coordinator/storage/memory_storage.h"
#include "fleetset/pki/issuer.h"

namespace fleetset::coordinator {
namespace {

using std::chrono::hours;

class AuthenticatorTest : public ::testing::Test {
 protected:
  AuthenticatorTest()
      : store_(storage::OpenMemoryStorage()),
        registries_(*store_, *store_, clock_),
        ca_key_(pki::PrivateKey::GenerateEcP256()),
        ca_(pki::CreateSelfSignedCa(ca_key_, "test-ca", clock_.WallNow(), hours(24 * 365))),
        authenticator_({ca_}, registries_.certificates, clock_) {}

  pki::Certificate Issue(const std::string& common_name, std::vector<std::string> groups,
                         const pki::Certificate& ca, const pki::PrivateKey& ca_key) {
    pki::IssueOptions options;
    options.subject = {common_name, std::move(groups)};
    options.now = clock_.WallNow();
    options.validity = hours(24);
    return pki::IssueCertificate(ca, ca_key, pki::PrivateKey::GenerateEcP256().Public(), options);
  }
  pki::Certificate Issue(const std::string& common_name, std::vector<std::string> groups) {
    return Issue(common_name, std::move(groups), ca_, ca_key_);
  }

  // The refusal, or "" when accepted.
  std::string Refusal(const pki::Certificate& certificate) {
    try {
      authenticator_.Authenticate(certificate.ToPem(), "");
      return "";
    } catch (const ApiError& error) {
      EXPECT_EQ(error.reason(), ApiError::Reason::kUnauthorized);
      return error.what();
    }
  }

  FakeClock clock_;
  std::unique_ptr<storage::Storage> store_;
  Registries registries_;
  pki::PrivateKey ca_key_;
  pki::Certificate ca_;
  Authenticator authenticator_;
};

TEST_F(AuthenticatorTest, AUserCertificateGivesTheUserAndRole) {
  const pki::Certificate alice = Issue("alice", {"view"});
  const Caller caller = authenticator_.Authenticate(alice.ToPem(), "");
  EXPECT_EQ(caller.kind, Caller::Kind::kUser);
  EXPECT_EQ(caller.name, "alice");
  EXPECT_EQ(caller.role, Role::kView);
  EXPECT_EQ(caller.certificate_serial, alice.Info().serial);
}

TEST_F(AuthenticatorTest, ANodeCertificateGivesTheNode) {
  const Caller caller =
      authenticator_.Authenticate(Issue("system:node:node-1", {kNodeGroup}).ToPem(), "");
  EXPECT_EQ(caller.kind, Caller::Kind::kNode);
  EXPECT_EQ(caller.name, "node-1");
}

TEST_F(AuthenticatorTest, NoCertificateIsAnonymous) {
  EXPECT_EQ(authenticator_.Authenticate("", "").kind, Caller::Kind::kAnonymous);
}

TEST_F(AuthenticatorTest, AnotherCasCertificateIsRefused) {
  const pki::PrivateKey other_key = pki::PrivateKey::GenerateEcP256();
  const pki::Certificate other =
      pki::CreateSelfSignedCa(other_key, "other-ca", clock_.WallNow(), hours(24 * 365));
  EXPECT_THAT(Refusal(Issue("mallory", {"admin"}, other, other_key)),
              ::testing::HasSubstr("not signed by a trusted CA"));
}

TEST_F(AuthenticatorTest, AnExpiredCertificateIsRefusedOnceTheClockPassesItsEnd) {
  const pki::Certificate alice = Issue("alice", {"edit"});
  EXPECT_EQ(Refusal(alice), "");
  clock_.Advance(hours(25));
  EXPECT_THAT(Refusal(alice), ::testing::HasSubstr("expired"));
}

TEST_F(AuthenticatorTest, ARememberedCertificateIsRefusedOnceItsCaExpires) {
  const pki::PrivateKey short_key = pki::PrivateKey::GenerateEcP256();
  const pki::Certificate short_ca =
      pki::CreateSelfSignedCa(short_key, "short-ca", clock_.WallNow(), hours(12));
  Authenticator authenticator({short_ca}, registries_.certificates, clock_);
  const std::string alice = Issue("alice", {"view"}, short_ca, short_key).ToPem();
  EXPECT_EQ(authenticator.Authenticate(alice, "").name, "alice");
  EXPECT_EQ(authenticator.Authenticate(alice, "").name, "alice");
  clock_.Advance(hours(13));
  EXPECT_THROW(authenticator.Authenticate(alice, ""), ApiError);
}

TEST_F(AuthenticatorTest, ACertificateWithoutARoleIsRefused) {
  EXPECT_EQ(Refusal(Issue("alice", {"developers"})),
            "client certificate: certificate subject CN=alice has no role (O=admin, edit or "
            "view)");
}

TEST_F(AuthenticatorTest, ARevokedCertificateIsRefusedAtOnceAndOthersAreNot) {
  const pki::Certificate first = Issue("alice", {"view"});
  const pki::Certificate other_user = Issue("bob", {"view"});
  const Caller admin = Caller::User("admin", Role::kAdmin);
  RecordIssuedCertificate(registries_.certificates, admin, first, kSubjectUser, "alice", "view");
  RecordIssuedCertificate(registries_.certificates, admin, other_user, kSubjectUser, "bob", "view");
  EXPECT_EQ(Refusal(first), "");
  EXPECT_EQ(RevokeCertificatesOf(registries_.certificates, admin, kSubjectUser, "alice",
                                 "user deleted by admin", clock_.WallNow()),
            1);
  EXPECT_EQ(Refusal(first), "client certificate " + first.Info().serial +
                                " of user \"alice\" was revoked (user deleted by admin)");
  EXPECT_EQ(Refusal(other_user), "");
}

TEST_F(AuthenticatorTest, GarbageIsRefusedWithoutBeingQuoted) {
  try {
    authenticator_.Authenticate("-----BEGIN CERTIFICATE-----\nsecret\n-----END CERTIFICATE-----",
                                "");
    FAIL() << "accepted";
  } catch (const ApiError& error) {
    EXPECT_EQ(error.reason(), ApiError::Reason::kUnauthorized);
    EXPECT_THAT(error.what(), ::testing::Not(::testing::HasSubstr("secret")));
  }
}

}  // namespace
}  // namespace fleetset::coordinator
