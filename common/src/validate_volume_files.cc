// Volumes whose files the agent writes — configMap, secret, downwardAPI —
// and the lists of files that projected volumes share with them
// (Kubernetes' validateConfigMapVolumeSource, validateSecretVolumeSource,
// validateDownwardAPIVolumeSource, validateKeyToPath,
// validateDownwardAPIVolumeFile).
#include "fleetset/names.h"
#include "validation_internal.h"
#include "validation_messages.h"

namespace fleetset::internal {
namespace {

constexpr int32_t kMaxFileMode = 0777;

template <typename Source>
void ValidateDefaultMode(const Source& source, const std::string& path, FieldErrors* errors) {
  if (source.has_default_mode()) {
    ValidateFileMode(source.default_mode(), ChildPath(path, "defaultMode"), errors);
  }
}

template <typename Item>
void ValidateItemMode(const Item& item, const std::string& path, FieldErrors* errors) {
  if (item.has_mode()) ValidateFileMode(item.mode(), ChildPath(path, "mode"), errors);
}

}  // namespace

void ValidateFileMode(int32_t mode, const std::string& path, FieldErrors* errors) {
  if (mode < 0 || mode > kMaxFileMode) {
    errors->push_back(
        InvalidError(path, mode, "must be a number between 0 and 0777 (octal), both inclusive"));
  }
}

void ValidateVolumeFilePath(const std::string& value, const std::string& path,
                            std::set<std::string>* written, FieldErrors* errors) {
  if (value.empty()) {
    errors->push_back(RequiredError(path));
    return;
  }
  AppendInvalid(path, value, CheckLocalNonReservedPath(value), errors);
  if (written != nullptr && !written->insert(value).second) {
    errors->push_back(InvalidError(path, Quote(value), "conflicting duplicate paths"));
  }
}

void ValidateKeyToPaths(const Repeated<v1::KeyToPath>& items, const std::string& path,
                        std::set<std::string>* written, FieldErrors* errors) {
  for (int i = 0; i < items.size(); ++i) {
    const v1::KeyToPath& item = items[i];
    const std::string item_path = IndexPath(path, i);
    const std::string key_path = ChildPath(item_path, "key");
    if (item.key().empty()) {
      errors->push_back(RequiredError(key_path));
    } else {
      AppendInvalid(key_path, item.key(), CheckConfigMapKey(item.key()), errors);
    }
    ValidateVolumeFilePath(item.path(), ChildPath(item_path, "path"), written, errors);
    ValidateItemMode(item, item_path, errors);
  }
}

void ValidateDownwardApiFiles(const Repeated<v1::DownwardAPIVolumeFile>& items,
                              const std::string& path, std::set<std::string>* written,
                              FieldErrors* errors) {
  for (int i = 0; i < items.size(); ++i) {
    const v1::DownwardAPIVolumeFile& item = items[i];
    const std::string item_path = IndexPath(path, i);
    ValidateVolumeFilePath(item.path(), ChildPath(item_path, "path"), written, errors);
    if (item.has_field_ref()) {
      ValidateObjectFieldSelector(item.field_ref(), DownwardApiUse::kVolumeFile,
                                  ChildPath(item_path, "fieldRef"), errors);
      if (item.has_resource_field_ref()) {
        errors->push_back(ForbiddenError(
            item_path, "fieldRef and resourceFieldRef can not be specified simultaneously"));
      }
    } else if (item.has_resource_field_ref()) {
      ValidateResourceFieldSelector(item.resource_field_ref(), DownwardApiUse::kVolumeFile,
                                    ChildPath(item_path, "resourceFieldRef"), errors);
    } else {
      errors->push_back(
          RequiredError(item_path, "one of fieldRef and resourceFieldRef is required"));
    }
    ValidateItemMode(item, item_path, errors);
  }
}

void ValidateConfigMapVolume(const v1::ConfigMapVolumeSource& source, const std::string& path,
                             FieldErrors* errors) {
  if (source.name().empty()) errors->push_back(RequiredError(ChildPath(path, "name")));
  ValidateDefaultMode(source, path, errors);
  ValidateKeyToPaths(source.items(), ChildPath(path, "items"), nullptr, errors);
}

void ValidateSecretVolume(const v1::SecretVolumeSource& source, const std::string& path,
                          FieldErrors* errors) {
  if (source.secret_name().empty()) errors->push_back(RequiredError(ChildPath(path, "secretName")));
  ValidateDefaultMode(source, path, errors);
  ValidateKeyToPaths(source.items(), ChildPath(path, "items"), nullptr, errors);
}

void ValidateDownwardApiVolume(const v1::DownwardAPIVolumeSource& source, const std::string& path,
                               FieldErrors* errors) {
  ValidateDefaultMode(source, path, errors);
  ValidateDownwardApiFiles(source.items(), ChildPath(path, "items"), nullptr, errors);
}

}  // namespace fleetset::internal
