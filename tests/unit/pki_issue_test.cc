// Making certificates: the CA, leaves issued from certificate requests with
// the subject, names, usage and validity asked for, and requests that were
// tampered with, are too large or are not requests at all.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <chrono>
#include <regex>
#include <string>

#include "fleetset/pki/certificate.h"
#include "fleetset/pki/certificate_request.h"
#include "fleetset/pki/issuer.h"
#include "fleetset/pki/keys.h"
#include "fleetset/pki/pki_error.h"

#include "unit/pki_test_util.h"

namespace fleetset::testing {
namespace {

using pki::Certificate;
using pki::IssueOptions;
using pki::PkiError;
using pki::PrivateKey;
using pki::Subject;
using pki::Usage;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using std::chrono::system_clock;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// 2030-01-01T00:00:00Z: far from the test machine's clock on purpose.
const system_clock::time_point kNow = system_clock::from_time_t(1893456000);
constexpr hours kDay{24};

bool IsCritical(X509* certificate, int nid) {
  const int index = X509_get_ext_by_NID(certificate, nid, -1);
  return index >= 0 && X509_EXTENSION_get_critical(X509_get_ext(certificate, index)) == 1;
}

class PkiIssueTest : public ::testing::Test {
 protected:
  PrivateKey ca_key_ = PrivateKey::GenerateEcP256();
  Certificate ca_ = pki::CreateSelfSignedCa(ca_key_, "fleetset-ca", kNow, 365 * kDay);
  PrivateKey node_key_ = PrivateKey::GenerateEcP256();

  IssueOptions ServerOptions() const {
    IssueOptions options;
    options.subject = {"node-1", {"system:nodes", "fleet-a"}};
    options.usage = Usage::kServer;
    options.now = kNow;
    options.validity = 30 * kDay;
    options.dns_names = {"node-1.example.com", "localhost"};
    options.ip_addresses = {"10.1.2.3", "fd00::1"};
    return options;
  }
};

TEST_F(PkiIssueTest, CaIsSelfSignedCaWithItsValidity) {
  const pki::CertificateInfo info = ca_.Info();
  EXPECT_TRUE(info.is_ca);
  EXPECT_EQ(info.subject.common_name, "fleetset-ca");
  EXPECT_TRUE(info.subject.organizations.empty());
  EXPECT_EQ(info.issuer.common_name, "fleetset-ca");
  EXPECT_EQ(info.not_before, kNow - minutes(1));
  EXPECT_EQ(info.not_after, kNow + 365 * kDay);
  EXPECT_TRUE(std::regex_match(info.serial, std::regex("[1-9a-f][0-9a-f]*")));
  EXPECT_LE(info.serial.size(), 32u);
  EXPECT_TRUE(ca_.Matches(ca_key_));
  EXPECT_FALSE(ca_.Matches(node_key_));

  X509* ca = ca_.get();
  EXPECT_EQ(X509_get_version(ca), X509_VERSION_3);
  EXPECT_TRUE(IsCritical(ca, NID_basic_constraints));
  EXPECT_TRUE(IsCritical(ca, NID_key_usage));
  EXPECT_EQ(X509_get_key_usage(ca) & (KU_KEY_CERT_SIGN | KU_CRL_SIGN | KU_DIGITAL_SIGNATURE),
            static_cast<uint32_t>(KU_KEY_CERT_SIGN | KU_CRL_SIGN | KU_DIGITAL_SIGNATURE));
  EXPECT_NE(X509_get0_subject_key_id(ca), nullptr);
  EXPECT_EQ(X509_verify(ca, ca_.Key().get()), 1) << "self-signed";
}

TEST_F(PkiIssueTest, LeafFromARequestCarriesItsSubjectNamesAndUsage) {
  const std::string request_pem =
      pki::CreateCertificateRequest(node_key_, {"node-1", {"system:nodes", "fleet-a"}});
  EXPECT_THAT(request_pem, StartsWith("-----BEGIN CERTIFICATE REQUEST-----\n"));
  const pki::CertificateRequest request = pki::ParseCertificateRequest(request_pem);
  EXPECT_EQ(request.subject.common_name, "node-1");
  EXPECT_THAT(request.subject.organizations, ElementsAre("system:nodes", "fleet-a"));
  EXPECT_TRUE(request.public_key.SameAs(node_key_.Public()));

  IssueOptions options = ServerOptions();
  options.subject = request.subject;
  const Certificate leaf = pki::IssueCertificate(ca_, ca_key_, request.public_key, options);
  const pki::CertificateInfo info = leaf.Info();
  EXPECT_EQ(info.subject.common_name, "node-1");
  EXPECT_THAT(info.subject.organizations, ElementsAre("system:nodes", "fleet-a"));
  EXPECT_EQ(info.issuer.common_name, "fleetset-ca");
  EXPECT_FALSE(info.is_ca);
  EXPECT_THAT(info.dns_names, ElementsAre("node-1.example.com", "localhost"));
  EXPECT_THAT(info.ip_addresses, ElementsAre("10.1.2.3", "fd00::1"));
  EXPECT_EQ(info.not_before, kNow - minutes(1));
  EXPECT_EQ(info.not_after, kNow + 30 * kDay);
  EXPECT_TRUE(leaf.Matches(node_key_));
  EXPECT_TRUE(leaf.Key().SameAs(node_key_.Public()));

  X509* certificate = leaf.get();
  EXPECT_EQ(X509_get_version(certificate), X509_VERSION_3);
  EXPECT_EQ(X509_verify(certificate, ca_.Key().get()), 1) << "signed by the CA";
  EXPECT_EQ(X509_get_extended_key_usage(certificate) & (XKU_SSL_SERVER | XKU_SSL_CLIENT),
            static_cast<uint32_t>(XKU_SSL_SERVER));
  EXPECT_TRUE(IsCritical(certificate, NID_key_usage));
  EXPECT_EQ(X509_get_key_usage(certificate) & (KU_DIGITAL_SIGNATURE | KU_KEY_CERT_SIGN),
            static_cast<uint32_t>(KU_DIGITAL_SIGNATURE));
  ASSERT_NE(X509_get0_authority_key_id(certificate), nullptr);
  EXPECT_EQ(ASN1_OCTET_STRING_cmp(X509_get0_authority_key_id(certificate),
                                  X509_get0_subject_key_id(ca_.get())),
            0);
}

TEST_F(PkiIssueTest, ClientLeafIsForClientAuthenticationOnly) {
  IssueOptions options;
  options.subject = {"alice", {"fleetset:admins"}};
  options.now = kNow;
  const Certificate leaf = pki::IssueCertificate(ca_, ca_key_, node_key_.Public(), options);
  EXPECT_EQ(X509_get_extended_key_usage(leaf.get()) & (XKU_SSL_SERVER | XKU_SSL_CLIENT),
            static_cast<uint32_t>(XKU_SSL_CLIENT));
  EXPECT_EQ(X509_get_ext_by_NID(leaf.get(), NID_subject_alt_name, -1), -1)
      << "no subjectAltName when no names are given";
  EXPECT_EQ(leaf.Info().not_after, kNow + kDay) << "a day by default";
}

TEST_F(PkiIssueTest, EveryCertificateHasItsOwnSerial) {
  const Certificate first =
      pki::IssueCertificate(ca_, ca_key_, node_key_.Public(), ServerOptions());
  const Certificate second =
      pki::IssueCertificate(ca_, ca_key_, node_key_.Public(), ServerOptions());
  EXPECT_NE(first.Info().serial, second.Info().serial);
  EXPECT_NE(first.Info().serial, ca_.Info().serial);
}

TEST_F(PkiIssueTest, LeafEndsNoLaterThanTheCa) {
  IssueOptions options = ServerOptions();
  options.now = kNow + 360 * kDay;
  const Certificate leaf = pki::IssueCertificate(ca_, ca_key_, node_key_.Public(), options);
  EXPECT_EQ(leaf.Info().not_after, ca_.Info().not_after);
  EXPECT_EQ(leaf.Info().not_before, options.now - minutes(1));
}

TEST_F(PkiIssueTest, RefusesWrongCaKeyBadAddressAndExpiredCa) {
  EXPECT_EQ(
      ErrorOf([&] { pki::IssueCertificate(ca_, node_key_, node_key_.Public(), ServerOptions()); }),
      "certificate: the CA key is not the CA certificate's key");

  IssueOptions bad_ip = ServerOptions();
  bad_ip.ip_addresses = {"10.1.2.300"};
  EXPECT_EQ(ErrorOf([&] { pki::IssueCertificate(ca_, ca_key_, node_key_.Public(), bad_ip); }),
            "certificate: IP address \"10.1.2.300\" does not parse");

  IssueOptions late = ServerOptions();
  late.now = kNow + 366 * kDay;
  EXPECT_EQ(ErrorOf([&] { pki::IssueCertificate(ca_, ca_key_, node_key_.Public(), late); }),
            "certificate: the CA has expired (not after 2031-01-01T00:00:00Z)");

  const Certificate leaf = pki::IssueCertificate(ca_, ca_key_, node_key_.Public(), ServerOptions());
  EXPECT_EQ(
      ErrorOf([&] { pki::IssueCertificate(leaf, node_key_, ca_key_.Public(), ServerOptions()); }),
      "certificate: the issuing certificate is not a CA");
  EXPECT_EQ(ERR_peek_error(), 0u);
}

TEST_F(PkiIssueTest, CertificatesRoundTripThroughPemAndDer) {
  const Certificate leaf = pki::IssueCertificate(ca_, ca_key_, node_key_.Public(), ServerOptions());
  const Certificate from_pem = Certificate::FromPem(leaf.ToPem());
  EXPECT_EQ(X509_cmp(from_pem.get(), leaf.get()), 0);

  unsigned char* der = nullptr;
  const int size = i2d_X509(leaf.get(), &der);
  ASSERT_GT(size, 0);
  const std::string der_text(reinterpret_cast<const char*>(der), static_cast<size_t>(size));
  OPENSSL_free(der);
  EXPECT_EQ(X509_cmp(Certificate::FromDer(der_text).get(), leaf.get()), 0);
  EXPECT_THROW(Certificate::FromDer(der_text.substr(0, der_text.size() / 2)), PkiError);
  EXPECT_THROW(Certificate::FromDer(der_text + "x"), PkiError);

  const Certificate copy = leaf;
  EXPECT_EQ(copy.Info().serial, leaf.Info().serial);
}

TEST_F(PkiIssueTest, ChainFromPemReadsLeafThenCa) {
  const Certificate leaf = pki::IssueCertificate(ca_, ca_key_, node_key_.Public(), ServerOptions());
  const std::vector<Certificate> chain = Certificate::ChainFromPem(leaf.ToPem() + ca_.ToPem());
  ASSERT_EQ(chain.size(), 2u);
  EXPECT_EQ(chain[0].Info().subject.common_name, "node-1");
  EXPECT_EQ(chain[1].Info().subject.common_name, "fleetset-ca");
  EXPECT_EQ(ERR_peek_error(), 0u) << "reaching the end is not left as an error";

  EXPECT_THAT(ErrorOf([] { Certificate::ChainFromPem("no certificates here\n"); }),
              "certificate chain: no PEM certificate found");
  const std::string broken = "-----BEGIN CERTIFICATE-----\nAAAA!!!!\n-----END CERTIFICATE-----\n";
  EXPECT_THAT(ErrorOf([&] { Certificate::ChainFromPem(leaf.ToPem() + broken); }),
              StartsWith("certificate chain: certificate 2 is malformed"));
  EXPECT_EQ(ErrorOf([] { Certificate::FromPem("nothing"); }),
            "certificate: no PEM certificate found");
  EXPECT_EQ(ERR_peek_error(), 0u);
}

// Flips one base64 character near the end of the PEM body: that is the
// signature.
std::string TamperWithSignature(std::string pem) {
  size_t position = pem.find("-----END");
  int skipped = 0;
  while (skipped < 10) {
    --position;
    if (pem[position] != '\n' && pem[position] != '=') ++skipped;
  }
  pem[position] = pem[position] == 'A' ? 'B' : 'A';
  return pem;
}

TEST_F(PkiIssueTest, RequestWithATamperedSignatureIsRefused) {
  const std::string pem = pki::CreateCertificateRequest(node_key_, {"node-1", {}});
  const std::string tampered = TamperWithSignature(pem);
  ASSERT_NE(tampered, pem);
  EXPECT_THAT(ErrorOf([&] { pki::ParseCertificateRequest(tampered); }),
              StartsWith("certificate request: "));
  EXPECT_EQ(ERR_peek_error(), 0u);
}

TEST_F(PkiIssueTest, RequestSignedByAnotherKeyIsRefused) {
  const PrivateKey other_key = PrivateKey::GenerateEcP256();
  X509_REQ* request = X509_REQ_new();
  X509_NAME* name = X509_REQ_get_subject_name(request);
  X509_NAME_add_entry_by_NID(name, NID_commonName, MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>("node-1"), -1, -1, 0);
  ASSERT_EQ(X509_REQ_set_pubkey(request, node_key_.get()), 1);
  ASSERT_GT(X509_REQ_sign(request, other_key.get(), EVP_sha256()), 0);
  BIO* bio = BIO_new(BIO_s_mem());
  ASSERT_EQ(PEM_write_bio_X509_REQ(bio, request), 1);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  const std::string pem(data, static_cast<size_t>(size));
  BIO_free(bio);
  X509_REQ_free(request);

  EXPECT_EQ(ErrorOf([&] { pki::ParseCertificateRequest(pem); }),
            "certificate request: signature does not match its public key");
}

TEST_F(PkiIssueTest, OversizeAndNonPemRequestsAreRefused) {
  const std::string valid = pki::CreateCertificateRequest(node_key_, {"node-1", {}});
  const std::string oversize =
      valid + std::string(pki::kMaxCertificateRequestBytes - valid.size() + 1, '\n');
  EXPECT_EQ(ErrorOf([&] { pki::ParseCertificateRequest(oversize); }),
            "certificate request: larger than 16384 bytes");
  EXPECT_NO_THROW(pki::ParseCertificateRequest(
      valid + std::string(pki::kMaxCertificateRequestBytes - valid.size(), '\n')));

  EXPECT_EQ(ErrorOf([] { pki::ParseCertificateRequest("hello"); }),
            "certificate request: no PEM certificate request found");
  // A certificate is PEM, but not a request.
  EXPECT_EQ(ErrorOf([&] { pki::ParseCertificateRequest(ca_.ToPem()); }),
            "certificate request: no PEM certificate request found");
  const std::string broken =
      "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n";
  EXPECT_THAT(ErrorOf([&] { pki::ParseCertificateRequest(broken); }),
              StartsWith("certificate request: not a valid certificate request ("));
  EXPECT_EQ(ERR_peek_error(), 0u);
}

TEST_F(PkiIssueTest, SubjectNeedsACommonName) {
  EXPECT_EQ(ErrorOf([&] {
              pki::CreateCertificateRequest(node_key_, {"", {"system:nodes"}});
            }),
            "certificate request: the subject has no common name");
}

}  // namespace
}  // namespace fleetset::testing
