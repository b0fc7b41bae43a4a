#include "coordinator/auth/admin_config.h"

#include <spdlog/spdlog.h>

#include <filesystem>

#include "coordinator/api/certificate_records.h"
#include "coordinator/registry/kinds/kinds.h"
#include "coordinator/timestamps.h"
#include "fleetset/pki/client_config.h"
#include "fleetset/pki/pki_error.h"
#include "fleetset/pki/secret_files.h"
#include "fleetset/pki/verify.h"

namespace fleetset::coordinator {

namespace {

constexpr std::chrono::seconds kAdminValidity{std::chrono::hours(24 * 365)};

bool StillGood(const ClusterPki& pki, const std::string& path, const Clock& clock) {
  std::error_code ignored;
  if (!std::filesystem::exists(path, ignored)) return false;
  try {
    const pki::ClientConfig config = pki::ParseClientConfig(pki::ReadWholeFile(path), path);
    const pki::Certificate certificate = pki::Certificate::FromPem(config.certificate_pem);
    return !pki::VerifyCertificate({certificate}, pki.client_roots(), clock.WallNow(),
                                   pki::Purpose::kClient);
  } catch (const pki::PkiError& error) {
    spdlog::warn("{}: {}; writing a new one", path, error.what());
    return false;
  }
}

// Coordinators sharing etcd start together and each writes the user:
// whichever writes second reads the first one's and writes over it.
void SaveAdminUser(Registries& registries, const Caller& system,
                   std::chrono::system_clock::time_point expires) {
  constexpr int kAttempts = 5;
  for (int attempt = 1;; ++attempt) {
    v1::User user;
    user.mutable_metadata()->set_name(kAdminUser);
    user.mutable_spec()->set_role(kRoleAdmin);
    *user.mutable_spec()->mutable_expires() = ToTimestamp(expires);
    user.mutable_spec()->set_created_by("fleetset-coordinator");
    try {
      if (std::optional<v1::User> existing = registries.users.Find("", kAdminUser)) {
        user.mutable_metadata()->set_resource_version(existing->metadata().resource_version());
        registries.users.Update(system, std::move(user));
      } else {
        registries.users.Create(system, std::move(user));
      }
      return;
    } catch (const ApiError& error) {
      const bool raced = error.reason() == ApiError::Reason::kConflict ||
                         error.reason() == ApiError::Reason::kAlreadyExists;
      if (!raced || attempt == kAttempts) throw;
    }
  }
}

}  // namespace

void EnsureAdminConfig(const ClusterPki& pki, Registries& registries, const std::string& path,
                       const std::string& server, const Clock& clock) {
  if (!pki.CanIssue() || StillGood(pki, path, clock)) return;
  const Caller system = Caller::System("pki");
  pki::PrivateKey key = pki::PrivateKey::GenerateEcP256();
  pki::Certificate certificate =
      pki.IssueClientCertificate(key.Public(), {kAdminUser, {kRoleAdmin}}, kAdminValidity);
  SaveAdminUser(registries, system, certificate.Info().not_after);
  RecordIssuedCertificate(registries.certificates, system, certificate, kSubjectUser, kAdminUser,
                          kRoleAdmin);
  pki::ClientConfig config;
  config.servers = {server};
  config.ca_pem = pki.trust_pem();
  config.certificate_pem = certificate.ToPem();
  config.key_pem = key.ToPem();
  pki::WriteFileAtomically(path, pki::RenderClientConfig(config), 0600);
  spdlog::info("wrote {} (user admin); use it with: export FLEETSET_CONFIG={}", path, path);
}

}  // namespace fleetset::coordinator
