// Projected volumes: configMap, secret, downwardAPI and serviceAccountToken
// sources written into one directory (Kubernetes' validateProjectionSources).
// Every file of every source shares that directory, so no two may have the
// same path.
#include <cstdint>

#include "validation_internal.h"
#include "validation_messages.h"

namespace fleetset::internal {
namespace {

// A token lives at least ten minutes; the API server caps it at 2^32 s.
constexpr int64_t kMinTokenSeconds = 10 * 60;
constexpr int64_t kMaxTokenSeconds = int64_t{1} << 32;

// configMap and secret sources.
void ValidateKeyProjection(const v1::KeysProjection& projection, const std::string& path,
                           std::set<std::string>* written, FieldErrors* errors) {
  if (projection.name().empty()) errors->push_back(RequiredError(ChildPath(path, "name")));
  ValidateKeyToPaths(projection.items(), ChildPath(path, "items"), written, errors);
}

void ValidateToken(const v1::ServiceAccountTokenProjection& token, const std::string& path,
                   std::set<std::string>* written, FieldErrors* errors) {
  // Unset is the default of an hour.
  if (token.has_expiration_seconds()) {
    const std::string seconds_path = ChildPath(path, "expirationSeconds");
    if (token.expiration_seconds() < kMinTokenSeconds) {
      errors->push_back(InvalidError(seconds_path, token.expiration_seconds(),
                                     "may not specify a duration less than 10 minutes"));
    } else if (token.expiration_seconds() > kMaxTokenSeconds) {
      errors->push_back(InvalidError(seconds_path, token.expiration_seconds(),
                                     "may not specify a duration larger than 2^32 seconds"));
    }
  }
  ValidateVolumeFilePath(token.path(), ChildPath(path, "path"), written, errors);
}

}  // namespace

void ValidateProjectedVolume(const v1::ProjectedVolumeSource& source, const std::string& path,
                             FieldErrors* errors) {
  if (source.has_default_mode()) {
    ValidateFileMode(source.default_mode(), ChildPath(path, "defaultMode"), errors);
  }
  std::set<std::string> written;
  const std::string sources_path = ChildPath(path, "sources");
  for (int i = 0; i < source.sources_size(); ++i) {
    const v1::VolumeProjection& projection = source.sources(i);
    const std::string source_path = IndexPath(sources_path, i);
    OneOf kinds(source_path, "may not specify more than 1 volume type", errors);
    if (kinds.Claim(projection.has_secret(), "secret")) {
      ValidateKeyProjection(projection.secret(), ChildPath(source_path, "secret"), &written,
                            errors);
    }
    if (kinds.Claim(projection.has_downward_api(), "downwardAPI")) {
      ValidateDownwardApiFiles(projection.downward_api().items(),
                               ChildPath(source_path, "downwardAPI.items"), &written, errors);
    }
    if (kinds.Claim(projection.has_config_map(), "configMap")) {
      ValidateKeyProjection(projection.config_map(), ChildPath(source_path, "configMap"), &written,
                            errors);
    }
    if (kinds.Claim(projection.has_service_account_token(), "serviceAccountToken")) {
      ValidateToken(projection.service_account_token(),
                    ChildPath(source_path, "serviceAccountToken"), &written, errors);
    }
    kinds.RequireOne(
        "must specify one of: `configMap`, `secret`, `downwardAPI` or `serviceAccountToken`");
  }
}

}  // namespace fleetset::internal
