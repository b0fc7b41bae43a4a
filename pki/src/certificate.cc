#include "fleetset/pki/certificate.h"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cctype>
#include <climits>
#include <string>

#include "fleetset/pki/pki_error.h"
#include "openssl_util.h"

namespace fleetset::pki {

using internal::ThrowOpenSslError;

void X509Deleter::operator()(X509* certificate) const { X509_free(certificate); }

namespace {

// X509 objects are reference counted and never modified once made, so
// copies share one.
CertificateHandle Share(X509* certificate) {
  if (certificate != nullptr) X509_up_ref(certificate);
  return CertificateHandle(certificate);
}

std::string IpAddressText(const ASN1_OCTET_STRING* address) {
  char text[INET6_ADDRSTRLEN] = {};
  const int size = ASN1_STRING_length(address);
  const unsigned char* data = ASN1_STRING_get0_data(address);
  if (size == 4 && inet_ntop(AF_INET, data, text, sizeof(text)) != nullptr) return text;
  if (size == 16 && inet_ntop(AF_INET6, data, text, sizeof(text)) != nullptr) return text;
  return "(malformed IP address)";
}

std::string SerialHex(const ASN1_INTEGER* serial) {
  internal::BignumPtr number(ASN1_INTEGER_to_BN(serial, nullptr));
  if (!number) ThrowOpenSslError("certificate: serial number");
  char* hex = BN_bn2hex(number.get());
  if (hex == nullptr) ThrowOpenSslError("certificate: serial number");
  std::string text(hex);
  OPENSSL_free(hex);
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  // BN_bn2hex pads to whole bytes ("0A"); the contract is no leading zeros.
  const bool negative = !text.empty() && text[0] == '-';
  const size_t first = text.find_first_not_of('0', negative ? 1 : 0);
  if (first == std::string::npos) return "0";
  return (negative ? "-" : "") + text.substr(first);
}

}  // namespace

Certificate Certificate::FromPem(std::string_view pem) {
  internal::BioPtr bio = internal::ReadOnlyBio(pem, "certificate");
  CertificateHandle certificate(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!certificate) internal::ThrowPemError("certificate", "certificate");
  return Certificate(std::move(certificate));
}

std::vector<Certificate> Certificate::ChainFromPem(std::string_view pem) {
  internal::BioPtr bio = internal::ReadOnlyBio(pem, "certificate chain");
  std::vector<Certificate> chain;
  while (true) {
    CertificateHandle certificate(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (certificate) {
      chain.push_back(Certificate(std::move(certificate)));
      continue;
    }
    // Running out of PEM blocks is how every successful read ends; anything
    // else is a block that is there but broken.
    const unsigned long error = ERR_peek_last_error();
    if (ERR_GET_LIB(error) == ERR_LIB_PEM && ERR_GET_REASON(error) == PEM_R_NO_START_LINE) {
      internal::ClearOpenSslErrors();
      break;
    }
    throw PkiError("certificate chain: certificate " + std::to_string(chain.size() + 1) +
                   " is malformed (" + internal::TakeOpenSslError() + ")");
  }
  if (chain.empty()) throw PkiError("certificate chain: no PEM certificate found");
  return chain;
}

Certificate Certificate::FromDer(std::string_view der) {
  if (der.size() > static_cast<size_t>(INT_MAX)) throw PkiError("certificate: input is too large");
  const unsigned char* cursor = reinterpret_cast<const unsigned char*>(der.data());
  CertificateHandle certificate(d2i_X509(nullptr, &cursor, static_cast<long>(der.size())));
  if (!certificate) {
    throw PkiError("certificate: not a valid DER certificate (" + internal::TakeOpenSslError() +
                   ")");
  }
  if (cursor != reinterpret_cast<const unsigned char*>(der.data()) + der.size()) {
    throw PkiError("certificate: data follows the DER certificate");
  }
  return Certificate(std::move(certificate));
}

Certificate::Certificate(const Certificate& other)
    : certificate_(Share(other.certificate_.get())) {}

Certificate& Certificate::operator=(const Certificate& other) {
  if (this != &other) certificate_ = Share(other.certificate_.get());
  return *this;
}

std::string Certificate::ToPem() const {
  internal::BioPtr bio = internal::MemoryBio();
  if (PEM_write_bio_X509(bio.get(), certificate_.get()) != 1) ThrowOpenSslError("certificate: PEM");
  return internal::BioContents(bio.get());
}

CertificateInfo Certificate::Info() const {
  X509* certificate = certificate_.get();
  CertificateInfo info;
  info.subject = internal::ReadName(X509_get_subject_name(certificate));
  info.issuer = internal::ReadName(X509_get_issuer_name(certificate));
  info.serial = SerialHex(X509_get0_serialNumber(certificate));
  info.not_before = internal::FromAsn1Time(X509_get0_notBefore(certificate));
  info.not_after = internal::FromAsn1Time(X509_get0_notAfter(certificate));
  info.is_ca = internal::IsCa(certificate);
  int critical = 0;
  internal::GeneralNamesPtr names(static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(certificate, NID_subject_alt_name, &critical, nullptr)));
  if (!names && critical == -2) {
    throw PkiError("certificate: more than one subjectAltName extension");
  }
  for (int i = 0; names && i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
    if (name->type == GEN_DNS) {
      const ASN1_IA5STRING* dns = name->d.dNSName;
      info.dns_names.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(dns)),
                                  static_cast<size_t>(ASN1_STRING_length(dns)));
    } else if (name->type == GEN_IPADD) {
      info.ip_addresses.push_back(IpAddressText(name->d.iPAddress));
    }
  }
  internal::ClearOpenSslErrors();
  return info;
}

PublicKey Certificate::Key() const {
  KeyHandle key(X509_get_pubkey(certificate_.get()));
  if (!key) ThrowOpenSslError("certificate: public key");
  return PublicKey(std::move(key));
}

bool Certificate::Matches(const PrivateKey& key) const {
  const bool matches = X509_check_private_key(certificate_.get(), key.get()) == 1;
  internal::ClearOpenSslErrors();
  return matches;
}

std::string FormatRfc3339(std::chrono::system_clock::time_point time) {
  return internal::FormatRfc3339(time);
}

}  // namespace fleetset::pki
