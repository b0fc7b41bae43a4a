#include "fleetset/pki/issuer.h"

#include <openssl/bn.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <string>

#include "fleetset/pki/pki_error.h"
#include "openssl_util.h"

namespace fleetset::pki {

using internal::ThrowOpenSslError;
using std::chrono::system_clock;

namespace {

// Machines' clocks disagree by a little; a certificate that is not valid
// yet on its holder's machine cannot be used at all.
constexpr std::chrono::minutes kClockSkew{1};

CertificateHandle NewCertificate(const std::string& what) {
  CertificateHandle certificate(X509_new());
  if (!certificate || X509_set_version(certificate.get(), X509_VERSION_3) != 1) {
    ThrowOpenSslError(what);
  }
  return certificate;
}

void SetRandomSerial(X509* certificate, const std::string& what) {
  // 128 random bits: unpredictable serials are what keeps a chosen-prefix
  // collision from making a forged certificate with the CA's signature.
  internal::BignumPtr number(BN_new());
  if (!number || BN_rand(number.get(), 128, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1) {
    ThrowOpenSslError(what + ": serial number");
  }
  internal::Asn1IntegerPtr serial(BN_to_ASN1_INTEGER(number.get(), nullptr));
  if (!serial || X509_set_serialNumber(certificate, serial.get()) != 1) {
    ThrowOpenSslError(what + ": serial number");
  }
}

void SetValidity(X509* certificate, system_clock::time_point not_before,
                 system_clock::time_point not_after, const std::string& what) {
  if (ASN1_TIME_set(X509_getm_notBefore(certificate), system_clock::to_time_t(not_before)) ==
          nullptr ||
      ASN1_TIME_set(X509_getm_notAfter(certificate), system_clock::to_time_t(not_after)) ==
          nullptr) {
    ThrowOpenSslError(what + ": validity");
  }
}

// `value` is in openssl.cnf's syntax; only fixed strings go here, never
// names from a request, which could smuggle in extra values.
void AddExtension(X509* certificate, X509* issuer, int nid, const char* value,
                  const std::string& what) {
  X509V3_CTX context;
  X509V3_set_ctx(&context, issuer, certificate, nullptr, nullptr, 0);
  internal::X509ExtensionPtr extension(X509V3_EXT_conf_nid(nullptr, &context, nid, value));
  if (!extension || X509_add_ext(certificate, extension.get(), -1) != 1) {
    ThrowOpenSslError(what + ": " + OBJ_nid2sn(nid) + " extension");
  }
}

bool IsDnsNameText(const std::string& name) {
  return !name.empty() &&
         std::all_of(name.begin(), name.end(), [](char c) { return c > ' ' && c < 0x7f; });
}

void AddSubjectAltNames(X509* certificate, const IssueOptions& options, const std::string& what) {
  if (options.dns_names.empty() && options.ip_addresses.empty()) return;
  internal::GeneralNamesPtr names(GENERAL_NAMES_new());
  if (!names) ThrowOpenSslError(what + ": subjectAltName");
  const auto append = [&](int type, ASN1_STRING* value) {
    internal::GeneralNamePtr name(GENERAL_NAME_new());
    if (!name) {
      ASN1_STRING_free(value);
      ThrowOpenSslError(what + ": subjectAltName");
    }
    GENERAL_NAME_set0_value(name.get(), type, value);
    if (sk_GENERAL_NAME_push(names.get(), name.get()) <= 0) {
      ThrowOpenSslError(what + ": subjectAltName");
    }
    name.release();
  };
  for (const std::string& dns_name : options.dns_names) {
    if (!IsDnsNameText(dns_name)) {
      throw PkiError(what + ": DNS name \"" + dns_name + "\" is not a host name");
    }
    ASN1_IA5STRING* value = ASN1_IA5STRING_new();
    if (value == nullptr ||
        ASN1_STRING_set(value, dns_name.data(), static_cast<int>(dns_name.size())) != 1) {
      ASN1_IA5STRING_free(value);
      ThrowOpenSslError(what + ": subjectAltName");
    }
    append(GEN_DNS, value);
  }
  for (const std::string& ip_address : options.ip_addresses) {
    ASN1_OCTET_STRING* value = a2i_IPADDRESS(ip_address.c_str());
    if (value == nullptr) {
      internal::ClearOpenSslErrors();
      throw PkiError(what + ": IP address \"" + ip_address + "\" does not parse");
    }
    append(GEN_IPADD, value);
  }
  if (X509_add1_ext_i2d(certificate, NID_subject_alt_name, names.get(), 0, X509V3_ADD_DEFAULT) !=
      1) {
    ThrowOpenSslError(what + ": subjectAltName");
  }
}

void Sign(X509* certificate, const PrivateKey& key, const std::string& what) {
  if (X509_sign(certificate, key.get(), internal::SigningDigest(key.get())) <= 0) {
    ThrowOpenSslError(what + ": signing");
  }
}

}  // namespace

Certificate CreateSelfSignedCa(const PrivateKey& key, const std::string& common_name,
                               system_clock::time_point now, std::chrono::seconds validity) {
  const std::string what = "CA certificate";
  if (validity <= std::chrono::seconds::zero()) {
    throw PkiError(what + ": the validity must be positive");
  }
  CertificateHandle certificate = NewCertificate(what);
  X509* ca = certificate.get();
  SetRandomSerial(ca, what);
  const internal::X509NamePtr name = internal::BuildName({common_name, {}}, what);
  if (X509_set_subject_name(ca, name.get()) != 1 || X509_set_issuer_name(ca, name.get()) != 1 ||
      X509_set_pubkey(ca, key.get()) != 1) {
    ThrowOpenSslError(what);
  }
  SetValidity(ca, now - kClockSkew, now + validity, what);
  AddExtension(ca, ca, NID_basic_constraints, "critical,CA:TRUE", what);
  AddExtension(ca, ca, NID_key_usage, "critical,keyCertSign,cRLSign,digitalSignature", what);
  AddExtension(ca, ca, NID_subject_key_identifier, "hash", what);
  Sign(ca, key, what);
  return Certificate(std::move(certificate));
}

Certificate IssueCertificate(const Certificate& ca, const PrivateKey& ca_key,
                             const PublicKey& subject_key, const IssueOptions& options) {
  const std::string what = "certificate";
  if (!ca.Matches(ca_key)) throw PkiError(what + ": the CA key is not the CA certificate's key");
  if (!internal::IsCa(ca.get())) throw PkiError(what + ": the issuing certificate is not a CA");
  const auto ca_not_after = internal::FromAsn1Time(X509_get0_notAfter(ca.get()));
  if (ca_not_after <= options.now) {
    throw PkiError(what + ": the CA has expired (not after " +
                   internal::FormatRfc3339(ca_not_after) + ")");
  }
  if (options.validity <= std::chrono::seconds::zero()) {
    throw PkiError(what + ": the validity must be positive");
  }

  CertificateHandle certificate = NewCertificate(what);
  X509* leaf = certificate.get();
  SetRandomSerial(leaf, what);
  const internal::X509NamePtr name = internal::BuildName(options.subject, what);
  if (X509_set_subject_name(leaf, name.get()) != 1 ||
      X509_set_issuer_name(leaf, X509_get_subject_name(ca.get())) != 1 ||
      X509_set_pubkey(leaf, subject_key.get()) != 1) {
    ThrowOpenSslError(what);
  }
  SetValidity(leaf, options.now - kClockSkew,
              std::min(options.now + options.validity, ca_not_after), what);
  AddExtension(leaf, ca.get(), NID_basic_constraints, "critical,CA:FALSE", what);
  // TLS 1.2's RSA key exchange encrypts to the key; other keys only sign.
  AddExtension(leaf, ca.get(), NID_key_usage,
               EVP_PKEY_is_a(subject_key.get(), "RSA") == 1
                   ? "critical,digitalSignature,keyEncipherment"
                   : "critical,digitalSignature",
               what);
  AddExtension(leaf, ca.get(), NID_ext_key_usage,
               options.usage == Usage::kServer ? "serverAuth" : "clientAuth", what);
  AddExtension(leaf, ca.get(), NID_subject_key_identifier, "hash", what);
  // keyid from the CA's subjectKeyIdentifier; issuer and serial only for a
  // CA (an operator's) that has none.
  AddExtension(leaf, ca.get(), NID_authority_key_identifier, "keyid,issuer", what);
  AddSubjectAltNames(leaf, options, what);
  Sign(leaf, ca_key, what);
  return Certificate(std::move(certificate));
}

}  // namespace fleetset::pki
