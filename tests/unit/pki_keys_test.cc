// Keys: what is generated survives its PEM form, keys of other types read
// from an operator's files are understood, and a text that is not a usable
// key is refused without being repeated in the error.
#include "fleetset/pki/keys.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <regex>
#include <string>

#include "fleetset/pki/pki_error.h"

#include "unit/pki_test_util.h"

namespace fleetset::testing {
namespace {

using pki::KeyHandle;
using pki::PkiError;
using pki::PrivateKey;
using pki::PublicKey;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

struct BioFree {
  void operator()(BIO* bio) const { BIO_free_all(bio); }
};

std::string Drain(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(size));
}

std::string TraditionalPem(const PrivateKey& key) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  EXPECT_EQ(PEM_write_bio_PrivateKey_traditional(bio.get(), key.get(), nullptr, nullptr, 0, nullptr,
                                                 nullptr),
            1);
  return Drain(bio.get());
}

TEST(PkiKeysTest, GeneratedKeyRoundTripsThroughPkcs8Pem) {
  const PrivateKey key = PrivateKey::GenerateEcP256();
  const std::string pem = key.ToPem();
  EXPECT_THAT(pem, StartsWith("-----BEGIN PRIVATE KEY-----\n"));

  const PrivateKey read = PrivateKey::FromPem(pem);
  EXPECT_TRUE(read.Public().SameAs(key.Public()));
  EXPECT_EQ(read.ToPem(), pem);
  EXPECT_EQ(key.Public().Describe(), "ECDSA P-256");
}

TEST(PkiKeysTest, TwoGeneratedKeysDiffer) {
  const PrivateKey first = PrivateKey::GenerateEcP256();
  const PrivateKey second = PrivateKey::GenerateEcP256();
  EXPECT_FALSE(first.Public().SameAs(second.Public()));
  EXPECT_NE(first.Public().Pin(), second.Public().Pin());
}

TEST(PkiKeysTest, PublicKeyRoundTripsAndHoldsNoPrivateHalf) {
  const PrivateKey key = PrivateKey::GenerateEcP256();
  const PublicKey public_key = key.Public();
  const std::string pem = public_key.ToPem();
  EXPECT_THAT(pem, StartsWith("-----BEGIN PUBLIC KEY-----\n"));
  EXPECT_TRUE(PublicKey::FromPem(pem).SameAs(public_key));
  // A public key is not accepted where a private one is needed.
  EXPECT_THROW(PrivateKey::FromPem(pem), PkiError);
}

TEST(PkiKeysTest, PinIsSha256OfTheSubjectPublicKeyInfo) {
  const PublicKey public_key = PrivateKey::GenerateEcP256().Public();
  const std::string der = public_key.ToDer();
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  ASSERT_EQ(EVP_Digest(der.data(), der.size(), digest, &size, EVP_sha256(), nullptr), 1);
  std::string hex;
  for (unsigned int i = 0; i < size; ++i) {
    static constexpr char kDigits[] = "0123456789abcdef";
    hex += kDigits[digest[i] >> 4];
    hex += kDigits[digest[i] & 0xf];
  }
  EXPECT_EQ(public_key.Pin(), "sha256:" + hex);
  EXPECT_TRUE(std::regex_match(public_key.Pin(), std::regex("sha256:[0-9a-f]{64}")));
}

TEST(PkiKeysTest, ReadsTraditionalEcAndRsaKeys) {
  const PrivateKey ec = PrivateKey::GenerateEcP256();
  const std::string ec_pem = TraditionalPem(ec);
  ASSERT_THAT(ec_pem, StartsWith("-----BEGIN EC PRIVATE KEY-----"));
  EXPECT_TRUE(PrivateKey::FromPem(ec_pem).Public().SameAs(ec.Public()));

  const PrivateKey rsa(KeyHandle(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048})));
  ASSERT_NE(rsa.get(), nullptr);
  const std::string rsa_pem = TraditionalPem(rsa);
  ASSERT_THAT(rsa_pem, StartsWith("-----BEGIN RSA PRIVATE KEY-----"));
  const PrivateKey read = PrivateKey::FromPem(rsa_pem);
  EXPECT_TRUE(read.Public().SameAs(rsa.Public()));
  EXPECT_EQ(read.Public().Describe(), "RSA 2048");
  EXPECT_FALSE(read.Public().SameAs(ec.Public())) << "keys of different types are not equal";
}

TEST(PkiKeysTest, DescribesEd25519) {
  const PrivateKey key(KeyHandle(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519")));
  ASSERT_NE(key.get(), nullptr);
  EXPECT_EQ(PrivateKey::FromPem(key.ToPem()).Public().Describe(), "ED25519");
}

TEST(PkiKeysTest, GarbageIsRefusedWithoutQuotingIt) {
  const std::string garbage = "correct horse battery staple";
  EXPECT_EQ(ErrorOf([&] { PrivateKey::FromPem(garbage); }),
            "private key: no PEM private key found");
  EXPECT_EQ(ERR_peek_error(), 0u) << "the OpenSSL error queue is left empty";

  // A PEM block whose body is not a key: its base64 must not be echoed.
  const std::string body = "c2VjcmV0LWtleS1tYXRlcmlhbC1ub3QtYS1rZXk=";
  const std::string block =
      "-----BEGIN PRIVATE KEY-----\n" + body + "\n-----END PRIVATE KEY-----\n";
  const std::string block_message = ErrorOf([&] { PrivateKey::FromPem(block); });
  EXPECT_THAT(block_message, StartsWith("private key: not a valid private key ("));
  EXPECT_THAT(block_message, Not(HasSubstr(body.substr(0, 12))));
  EXPECT_EQ(block_message.find('\n'), std::string::npos) << "one line";
  EXPECT_EQ(ERR_peek_error(), 0u);

  EXPECT_EQ(ErrorOf([&] { PublicKey::FromPem(garbage); }), "public key: no PEM public key found");
  EXPECT_EQ(ERR_peek_error(), 0u);
}

TEST(PkiKeysTest, EncryptedKeyIsRefusedWithoutAskingForAPassphrase) {
  const PrivateKey key = PrivateKey::GenerateEcP256();
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  static constexpr char kPassphrase[] = "passphrase";
  ASSERT_EQ(PEM_write_bio_PKCS8PrivateKey(bio.get(), key.get(), EVP_aes_256_cbc(), kPassphrase,
                                          sizeof(kPassphrase) - 1, nullptr, nullptr),
            1);
  const std::string pem = Drain(bio.get());
  ASSERT_THAT(pem, StartsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
  EXPECT_EQ(ErrorOf([&] { PrivateKey::FromPem(pem); }),
            "private key: encrypted keys are not supported");
  EXPECT_EQ(ERR_peek_error(), 0u);
}

}  // namespace
}  // namespace fleetset::testing
