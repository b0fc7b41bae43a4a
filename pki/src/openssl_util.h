// What the PKI sources share: owning handles for OpenSSL's objects, turning
// its error queue into a message (and emptying it, so that one failure is
// never reported again by an unrelated call), and the conversions between
// its types and fleetset's.
#pragma once

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "fleetset/pki/certificate.h"
#include "fleetset/pki/pki_error.h"

namespace fleetset::pki::internal {

template <auto Free>
struct Deleter {
  template <typename T>
  void operator()(T* object) const {
    Free(object);
  }
};

using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free_all>>;
using BignumPtr = std::unique_ptr<BIGNUM, Deleter<BN_free>>;
using Asn1IntegerPtr = std::unique_ptr<ASN1_INTEGER, Deleter<ASN1_INTEGER_free>>;
using KeyContextPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX_free>>;
using X509NamePtr = std::unique_ptr<X509_NAME, Deleter<X509_NAME_free>>;
using X509RequestPtr = std::unique_ptr<X509_REQ, Deleter<X509_REQ_free>>;
using X509ExtensionPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION_free>>;
using GeneralNamesPtr = std::unique_ptr<GENERAL_NAMES, Deleter<GENERAL_NAMES_free>>;
using GeneralNamePtr = std::unique_ptr<GENERAL_NAME, Deleter<GENERAL_NAME_free>>;
using StorePtr = std::unique_ptr<X509_STORE, Deleter<X509_STORE_free>>;
using StoreContextPtr = std::unique_ptr<X509_STORE_CTX, Deleter<X509_STORE_CTX_free>>;

// The reason of the most recent error on this thread's OpenSSL queue
// ("no start line"), or "unknown error"; the queue is empty afterwards.
std::string TakeOpenSslError();

// Empties this thread's OpenSSL error queue after a call whose failure is
// expected or already handled.
void ClearOpenSslErrors();

// PkiError("<what>: <OpenSSL's reason>").
[[noreturn]] void ThrowOpenSslError(const std::string& what);

// After a failed PEM read of an `expected` ("certificate"): PkiError
// "<what>: no PEM <expected> found" when the text holds none, else
// "<what>: not a valid <expected> (<OpenSSL's reason>)".
[[noreturn]] void ThrowPemError(const std::string& what, const std::string& expected);

// A read-only memory BIO over `data`, which must outlive it.
BioPtr ReadOnlyBio(std::string_view data, const std::string& what);
BioPtr MemoryBio();
std::string BioContents(BIO* bio);

std::string Hex(const unsigned char* data, size_t size);
std::string Sha256Hex(std::string_view data);

// "2026-12-05T10:00:00Z".
std::string FormatRfc3339(std::chrono::system_clock::time_point time);
std::chrono::system_clock::time_point FromAsn1Time(const ASN1_TIME* time);

// CN first, then one O per organization; throws PkiError ("<what>: ...")
// when there is no common name.
X509NamePtr BuildName(const Subject& subject, const std::string& what);
Subject ReadName(const X509_NAME* name);
// "CN=node-1, O=system:nodes": for messages.
std::string DescribeName(const X509_NAME* name);

// SHA-256 for the keys that sign a digest, none for those (Ed25519, Ed448)
// that hash internally and must be given no digest.
const EVP_MD* SigningDigest(EVP_PKEY* key);

// basicConstraints CA:TRUE.
bool IsCa(X509* certificate);

}  // namespace fleetset::pki::internal
