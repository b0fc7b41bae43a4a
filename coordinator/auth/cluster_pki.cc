#include "coordinator/auth/cluster_pki.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "fleetset/pki/pki_error.h"
#include "fleetset/pki/secret_files.h"
#include "fleetset/pki/verify.h"

namespace fleetset::coordinator {

namespace {

using std::chrono::hours;
using std::chrono::seconds;

constexpr seconds kCaValidity = hours(24 * 365 * 10);
constexpr seconds kServingValidity = hours(24 * 365);
constexpr char kCaCommonName[] = "fleetset-ca";
constexpr char kServingCommonName[] = "fleetset-coordinator";

bool IsIpAddress(const std::string& text) {
  unsigned char buffer[16];
  return inet_pton(AF_INET, text.c_str(), buffer) == 1 ||
         inet_pton(AF_INET6, text.c_str(), buffer) == 1;
}

void AddUnique(std::vector<std::string>& list, const std::string& value) {
  if (!value.empty() && std::find(list.begin(), list.end(), value) == list.end()) {
    list.push_back(value);
  }
}

// A key file must be its owner's alone: a CA key others can read lets them
// mint any identity.
std::string ReadKeyFile(const std::string& path) {
  if (std::optional<std::string> problem = pki::CheckPrivateFileMode(path)) {
    throw pki::PkiError(*problem);
  }
  return pki::ReadWholeFile(path);
}

bool Exists(const std::string& path) {
  std::error_code ignored;
  return std::filesystem::exists(path, ignored);
}

// Whether `certificate` still serves: signed by `ca`, more than a third of
// its life left, and naming every address wanted.
bool ServingCertificateCurrent(const pki::Certificate& certificate, const pki::Certificate& ca,
                               const ServingNames& wanted,
                               std::chrono::system_clock::time_point now) {
  if (pki::VerifyCertificate({certificate}, {ca}, now, pki::Purpose::kServer)) return false;
  const pki::CertificateInfo info = certificate.Info();
  if (now > info.not_after - (info.not_after - info.not_before) / 3) return false;
  auto covers = [](const std::vector<std::string>& have, const std::vector<std::string>& want) {
    return std::all_of(want.begin(), want.end(), [&](const std::string& name) {
      return std::find(have.begin(), have.end(), name) != have.end();
    });
  };
  return covers(info.dns_names, wanted.dns_names) && covers(info.ip_addresses, wanted.ip_addresses);
}

}  // namespace

ServingNames DetectServingNames(const std::string& listen, const std::vector<std::string>& extras) {
  ServingNames names;
  names.dns_names.push_back("localhost");
  names.ip_addresses = {"127.0.0.1", "::1"};
  char hostname[256] = {};
  if (gethostname(hostname, sizeof(hostname) - 1) == 0) AddUnique(names.dns_names, hostname);
  ifaddrs* interfaces = nullptr;
  if (getifaddrs(&interfaces) == 0) {
    for (ifaddrs* entry = interfaces; entry != nullptr; entry = entry->ifa_next) {
      if (entry->ifa_addr == nullptr || !(entry->ifa_flags & IFF_UP)) continue;
      char text[INET6_ADDRSTRLEN] = {};
      if (entry->ifa_addr->sa_family == AF_INET) {
        inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(entry->ifa_addr)->sin_addr, text,
                  sizeof(text));
        AddUnique(names.ip_addresses, text);
      }
    }
    freeifaddrs(interfaces);
  }
  std::string host = listen.substr(0, listen.rfind(':'));
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host != "0.0.0.0" && host != "::" && !host.empty()) {
    AddUnique(IsIpAddress(host) ? names.ip_addresses : names.dns_names, host);
  }
  for (const std::string& extra : extras) {
    AddUnique(IsIpAddress(extra) ? names.ip_addresses : names.dns_names, extra);
  }
  return names;
}

std::unique_ptr<ClusterPki> ClusterPki::Open(const PkiOptions& options, const Clock& clock) {
  std::unique_ptr<ClusterPki> pki(new ClusterPki(clock));
  const bool operators = !options.tls_cert_file.empty() || !options.tls_private_key_file.empty() ||
                         !options.client_ca_file.empty();
  if (operators) {
    pki->OpenOperators(options);
  } else {
    pki->OpenOwn(options);
  }
  pki->ca_pin_ = pki::Certificate::FromPem(pki->trust_pem_).Key().Pin();
  return pki;
}

void ClusterPki::OpenOwn(const PkiOptions& options) {
  const std::string dir = options.data_dir + "/pki";
  const std::string ca_crt = dir + "/ca.crt", ca_key = dir + "/ca.key";
  const auto now = clock_.WallNow();
  if (Exists(ca_crt) != Exists(ca_key)) {
    throw pki::PkiError(dir + ": ca.crt and ca.key must both be there (or neither, to make new)");
  }
  if (!Exists(ca_crt)) {
    pki::PrivateKey key = pki::PrivateKey::GenerateEcP256();
    pki::Certificate ca = pki::CreateSelfSignedCa(key, kCaCommonName, now, kCaValidity);
    pki::WriteFileAtomically(ca_key, key.ToPem(), 0600);
    pki::WriteFileAtomically(ca_crt, ca.ToPem(), 0644);
    spdlog::info("created the cluster CA in {} ({})", ca_crt, ca.Key().Pin());
  }
  signer_ = std::make_unique<Signer>(Signer{pki::Certificate::FromPem(pki::ReadWholeFile(ca_crt)),
                                            pki::PrivateKey::FromPem(ReadKeyFile(ca_key))});
  if (!signer_->certificate.Matches(signer_->key)) {
    throw pki::PkiError(ca_key + " is not the key of " + ca_crt);
  }
  client_roots_ = {signer_->certificate};
  trust_pem_ = signer_->certificate.ToPem();

  const std::string server_crt = dir + "/server.crt", server_key = dir + "/server.key";
  const ServingNames wanted = DetectServingNames(options.listen, options.extra_sans);
  std::optional<pki::PrivateKey> key;
  if (Exists(server_key)) key = pki::PrivateKey::FromPem(ReadKeyFile(server_key));
  bool current = false;
  if (key && Exists(server_crt)) {
    pki::Certificate existing = pki::Certificate::FromPem(pki::ReadWholeFile(server_crt));
    current = existing.Matches(*key) &&
              ServingCertificateCurrent(existing, signer_->certificate, wanted, now);
  }
  if (!current) {
    if (!key) {
      key = pki::PrivateKey::GenerateEcP256();
      pki::WriteFileAtomically(server_key, key->ToPem(), 0600);
    }
    pki::IssueOptions issue;
    issue.subject.common_name = kServingCommonName;
    issue.usage = pki::Usage::kServer;
    issue.now = now;
    issue.validity = kServingValidity;
    issue.dns_names = wanted.dns_names;
    issue.ip_addresses = wanted.ip_addresses;
    pki::Certificate serving =
        pki::IssueCertificate(signer_->certificate, signer_->key, key->Public(), issue);
    pki::WriteFileAtomically(server_crt, serving.ToPem(), 0644);
    spdlog::info("made the serving certificate {} for {} and {}", server_crt,
                 fmt::join(wanted.dns_names, ", "), fmt::join(wanted.ip_addresses, ", "));
  }
  serving_chain_pem_ = pki::ReadWholeFile(server_crt) + trust_pem_;
  serving_key_pem_ = key->ToPem();
}

void ClusterPki::OpenOperators(const PkiOptions& options) {
  if (options.tls_cert_file.empty() || options.tls_private_key_file.empty() ||
      options.client_ca_file.empty()) {
    throw pki::PkiError("--tls-cert-file, --tls-private-key-file and --client-ca-file go together");
  }
  const std::string chain = pki::ReadWholeFile(options.tls_cert_file);
  std::vector<pki::Certificate> serving = pki::Certificate::ChainFromPem(chain);
  pki::PrivateKey key = pki::PrivateKey::FromPem(ReadKeyFile(options.tls_private_key_file));
  if (!serving.front().Matches(key)) {
    throw pki::PkiError(options.tls_private_key_file + " is not the key of " +
                        options.tls_cert_file);
  }
  const std::string client_ca = pki::ReadWholeFile(options.client_ca_file);
  client_roots_ = pki::Certificate::ChainFromPem(client_ca);
  serving_key_pem_ = key.ToPem();
  // Agents find the CA to pin in the chain the coordinator sends: send
  // the client CA along when the serving file has no CA of its own.
  const bool chain_has_ca = serving.size() > 1 && serving.back().Info().is_ca;
  serving_chain_pem_ = chain_has_ca ? chain : chain + client_ca;
  trust_pem_ = chain_has_ca ? serving.back().ToPem() : client_roots_.front().ToPem();
  if (options.signing_cert_file.empty() != options.signing_key_file.empty()) {
    throw pki::PkiError("--cluster-signing-cert-file and --cluster-signing-key-file go together");
  }
  if (!options.signing_cert_file.empty()) {
    signer_ = std::make_unique<Signer>(
        Signer{pki::Certificate::FromPem(pki::ReadWholeFile(options.signing_cert_file)),
               pki::PrivateKey::FromPem(ReadKeyFile(options.signing_key_file))});
    if (!signer_->certificate.Matches(signer_->key)) {
      throw pki::PkiError(options.signing_key_file + " is not the key of " +
                          options.signing_cert_file);
    }
  }
}

pki::Certificate ClusterPki::IssueClientCertificate(const pki::PublicKey& subject_key,
                                                    const pki::Subject& subject,
                                                    std::chrono::seconds validity) const {
  if (!signer_) {
    throw pki::PkiError(
        "this coordinator has no CA key to sign with (start it with "
        "--cluster-signing-cert-file and --cluster-signing-key-file)");
  }
  pki::IssueOptions issue;
  issue.subject = subject;
  issue.usage = pki::Usage::kClient;
  issue.now = clock_.WallNow();
  issue.validity = validity;
  return pki::IssueCertificate(signer_->certificate, signer_->key, subject_key, issue);
}

}  // namespace fleetset::coordinator
