#include "fleetset/pki/verify.h"

#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <string>

#include "fleetset/pki/pki_error.h"
#include "openssl_util.h"

namespace fleetset::pki {

using internal::ThrowOpenSslError;

namespace {

// sk_X509_free is a macro, so it cannot be a Deleter's argument.
struct StackDeleter {
  void operator()(STACK_OF(X509) * stack) const { sk_X509_free(stack); }
};
using CertificateStackPtr = std::unique_ptr<STACK_OF(X509), StackDeleter>;

// The certificate OpenSSL rejected, named when it is not the peer's own
// (an intermediate or a root), since that is the one to replace.
std::string Which(X509_STORE_CTX* context) {
  if (X509_STORE_CTX_get_error_depth(context) <= 0) return "certificate";
  X509* current = X509_STORE_CTX_get_current_cert(context);
  if (current == nullptr) return "certificate";
  return "CA certificate " + internal::DescribeName(X509_get_subject_name(current));
}

std::string Reason(X509_STORE_CTX* context, const Certificate& leaf, Purpose purpose) {
  const int error = X509_STORE_CTX_get_error(context);
  X509* current = X509_STORE_CTX_get_current_cert(context);
  if (current == nullptr) current = leaf.get();
  switch (error) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
      return Which(context) + " has expired (not after " +
             internal::FormatRfc3339(internal::FromAsn1Time(X509_get0_notAfter(current))) + ")";
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return Which(context) + " is not yet valid (not before " +
             internal::FormatRfc3339(internal::FromAsn1Time(X509_get0_notBefore(current))) + ")";
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
      return "certificate is not signed by a trusted CA (issuer " +
             internal::DescribeName(X509_get_issuer_name(current)) + ")";
    case X509_V_ERR_INVALID_PURPOSE:
      return purpose == Purpose::kClient ? "certificate may not be used for client authentication"
                                         : "certificate may not be used for server authentication";
    case X509_V_ERR_CERT_SIGNATURE_FAILURE:
      return Which(context) + " signature does not verify (issuer " +
             internal::DescribeName(X509_get_issuer_name(current)) + ")";
    default:
      return std::string("certificate rejected: ") + X509_verify_cert_error_string(error);
  }
}

}  // namespace

std::optional<std::string> VerifyCertificate(const std::vector<Certificate>& chain,
                                             const std::vector<Certificate>& roots,
                                             std::chrono::system_clock::time_point now,
                                             Purpose purpose) {
  if (chain.empty()) return "no certificate was presented";
  const std::string what = "verifying a certificate";
  internal::StorePtr store(X509_STORE_new());
  if (!store) ThrowOpenSslError(what);
  for (const Certificate& root : roots) {
    if (X509_STORE_add_cert(store.get(), root.get()) != 1) ThrowOpenSslError(what);
  }
  CertificateStackPtr untrusted(sk_X509_new_null());
  if (!untrusted) ThrowOpenSslError(what);
  for (size_t i = 1; i < chain.size(); ++i) {
    // The stack does not own its entries: `chain` keeps them alive.
    if (sk_X509_push(untrusted.get(), chain[i].get()) <= 0) ThrowOpenSslError(what);
  }
  internal::StoreContextPtr context(X509_STORE_CTX_new());
  if (!context ||
      X509_STORE_CTX_init(context.get(), store.get(), chain[0].get(), untrusted.get()) != 1) {
    ThrowOpenSslError(what);
  }
  X509_VERIFY_PARAM* parameters = X509_STORE_CTX_get0_param(context.get());
  X509_VERIFY_PARAM_set_flags(parameters, X509_V_FLAG_USE_CHECK_TIME);
  X509_VERIFY_PARAM_set_time(parameters, std::chrono::system_clock::to_time_t(now));
  if (X509_STORE_CTX_set_purpose(context.get(), purpose == Purpose::kClient
                                                    ? X509_PURPOSE_SSL_CLIENT
                                                    : X509_PURPOSE_SSL_SERVER) != 1) {
    ThrowOpenSslError(what);
  }
  const int verified = X509_verify_cert(context.get());
  std::optional<std::string> reason;
  if (verified < 0) {
    reason = "certificate rejected: " + internal::TakeOpenSslError();
  } else if (verified == 0) {
    reason = Reason(context.get(), chain[0], purpose);
  }
  internal::ClearOpenSslErrors();
  return reason;
}

}  // namespace fleetset::pki
