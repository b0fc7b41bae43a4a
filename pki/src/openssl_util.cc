#include "openssl_util.h"

#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>

#include <climits>
#include <ctime>

namespace fleetset::pki::internal {

std::string TakeOpenSslError() {
  // The earliest entry is the cause; later ones only say which caller gave
  // up ("nested asn1 error"). OpenSSL 3's decoders put a bare "unsupported"
  // first whenever no decoder accepted the input, which says less than
  // what follows it.
  std::string reason;
  bool no_decoder = false;
  for (unsigned long code = ERR_get_error(); code != 0 && reason.empty(); code = ERR_get_error()) {
    if (ERR_GET_LIB(code) == ERR_LIB_OSSL_DECODER && ERR_GET_REASON(code) == ERR_R_UNSUPPORTED) {
      no_decoder = true;
      continue;
    }
    const char* text = ERR_reason_error_string(code);
    if (text != nullptr) {
      reason = text;
    } else {
      char buffer[256];
      ERR_error_string_n(code, buffer, sizeof(buffer));
      reason = buffer;
    }
  }
  ERR_clear_error();
  if (!reason.empty()) return reason;
  return no_decoder ? "unsupported or malformed" : "unknown error";
}

void ThrowPemError(const std::string& what, const std::string& expected) {
  const unsigned long code = ERR_peek_last_error();
  if (ERR_GET_LIB(code) == ERR_LIB_PEM && ERR_GET_REASON(code) == PEM_R_NO_START_LINE) {
    ERR_clear_error();
    throw PkiError(what + ": no PEM " + expected + " found");
  }
  throw PkiError(what + ": not a valid " + expected + " (" + TakeOpenSslError() + ")");
}

void ClearOpenSslErrors() { ERR_clear_error(); }

void ThrowOpenSslError(const std::string& what) {
  throw PkiError(what + ": " + TakeOpenSslError());
}

BioPtr ReadOnlyBio(std::string_view data, const std::string& what) {
  if (data.size() > static_cast<size_t>(INT_MAX)) throw PkiError(what + ": input is too large");
  BioPtr bio(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
  if (!bio) ThrowOpenSslError(what);
  return bio;
}

BioPtr MemoryBio() {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio) ThrowOpenSslError("memory buffer");
  return bio;
}

std::string BioContents(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  if (size <= 0 || data == nullptr) return {};
  return std::string(data, static_cast<size_t>(size));
}

std::string Hex(const unsigned char* data, size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(size * 2);
  for (size_t i = 0; i < size; ++i) {
    hex.push_back(kDigits[data[i] >> 4]);
    hex.push_back(kDigits[data[i] & 0xf]);
  }
  return hex;
}

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &size, EVP_sha256(), nullptr) != 1) {
    ThrowOpenSslError("SHA-256");
  }
  return Hex(digest, size);
}

std::string FormatRfc3339(std::chrono::system_clock::time_point time) {
  const std::time_t seconds =
      std::chrono::system_clock::to_time_t(std::chrono::floor<std::chrono::seconds>(time));
  std::tm utc{};
  if (gmtime_r(&seconds, &utc) == nullptr) return "(time out of range)";
  char buffer[64];
  const size_t size = std::strftime(buffer, sizeof(buffer), "%Y-%m-%dT%H:%M:%SZ", &utc);
  return std::string(buffer, size);
}

std::chrono::system_clock::time_point FromAsn1Time(const ASN1_TIME* time) {
  std::tm utc{};
  if (time == nullptr || ASN1_TIME_to_tm(time, &utc) != 1) {
    ThrowOpenSslError("certificate: validity time");
  }
  return std::chrono::system_clock::from_time_t(timegm(&utc));
}

X509NamePtr BuildName(const Subject& subject, const std::string& what) {
  if (subject.common_name.empty()) throw PkiError(what + ": the subject has no common name");
  X509NamePtr name(X509_NAME_new());
  if (!name) ThrowOpenSslError(what);
  const auto add = [&](int nid, const std::string& value) {
    if (value.size() > static_cast<size_t>(INT_MAX) ||
        X509_NAME_add_entry_by_NID(name.get(), nid, MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(value.data()),
                                   static_cast<int>(value.size()), -1, 0) != 1) {
      ThrowOpenSslError(what + ": " + OBJ_nid2sn(nid) + " of the subject");
    }
  };
  add(NID_commonName, subject.common_name);
  for (const std::string& organization : subject.organizations) {
    add(NID_organizationName, organization);
  }
  return name;
}

namespace {

std::string EntryText(const X509_NAME_ENTRY* entry) {
  unsigned char* utf8 = nullptr;
  const int size = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(entry));
  if (size < 0) {
    ClearOpenSslErrors();
    return {};
  }
  std::string text(reinterpret_cast<const char*>(utf8), static_cast<size_t>(size));
  OPENSSL_free(utf8);
  return text;
}

}  // namespace

Subject ReadName(const X509_NAME* name) {
  Subject subject;
  if (name == nullptr) return subject;
  const int common_name = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
  if (common_name >= 0) subject.common_name = EntryText(X509_NAME_get_entry(name, common_name));
  for (int i = X509_NAME_get_index_by_NID(name, NID_organizationName, -1); i >= 0;
       i = X509_NAME_get_index_by_NID(name, NID_organizationName, i)) {
    subject.organizations.push_back(EntryText(X509_NAME_get_entry(name, i)));
  }
  return subject;
}

std::string DescribeName(const X509_NAME* name) {
  const Subject subject = ReadName(name);
  std::string text = "CN=" + subject.common_name;
  for (const std::string& organization : subject.organizations) text += ", O=" + organization;
  return text;
}

const EVP_MD* SigningDigest(EVP_PKEY* key) {
  if (EVP_PKEY_is_a(key, "ED25519") == 1 || EVP_PKEY_is_a(key, "ED448") == 1) return nullptr;
  return EVP_sha256();
}

bool IsCa(X509* certificate) { return (X509_get_extension_flags(certificate) & EXFLAG_CA) != 0; }

}  // namespace fleetset::pki::internal
