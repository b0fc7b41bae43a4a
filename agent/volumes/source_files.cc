#include "agent/volumes/source_files.h"

#include <algorithm>
#include <map>
#include <optional>

#include "agent/downward_api_fields.h"
#include "agent/resource_field_value.h"
#include "fleetset/strings.h"

namespace fleetset::agent {
namespace {

template <typename Item>
mode_t ItemMode(const Item& item, mode_t default_mode) {
  return item.has_mode() ? static_cast<mode_t>(item.mode()) : default_mode;
}

// The keys of one object's `contents` as files; `missing_key` begins the
// error for an item whose key the object lacks.
std::string AddKeyFiles(const std::map<std::string, std::string>& contents, const KeyItems& items,
                        mode_t default_mode, bool optional, const std::string& missing_key,
                        FilePayload* files) {
  if (items.empty()) {
    for (const auto& [key, value] : contents) (*files)[key] = {value, default_mode};
    return "";
  }
  for (const v1::KeyToPath& item : items) {
    auto it = contents.find(item.key());
    if (it == contents.end()) {
      if (optional) continue;
      return missing_key + item.key();
    }
    (*files)[item.path()] = {it->second, ItemMode(item, default_mode)};
  }
  return "";
}

}  // namespace

std::string AddConfigMapFiles(const std::string& name, const KeyItems& items, mode_t default_mode,
                              bool optional, const PodContext& context, FilePayload* files) {
  const v1::ConfigMap* found = context.objects->FindConfigMap(context.pod_namespace, name);
  // An optional ConfigMap that does not exist is one without keys.
  if (found == nullptr && !optional) return ConfigMapNotFound(name);
  return AddKeyFiles(
      found == nullptr ? std::map<std::string, std::string>() : ConfigMapContents(*found), items,
      default_mode, optional, "configmap references non-existent config key: ", files);
}

std::string AddSecretFiles(const std::string& name, const KeyItems& items, mode_t default_mode,
                           bool optional, const PodContext& context, FilePayload* files) {
  const v1::Secret* found = context.objects->FindSecret(context.pod_namespace, name);
  if (found == nullptr && !optional) return SecretNotFound(name);
  std::map<std::string, std::string> contents;
  if (found != nullptr) contents.insert(found->data().begin(), found->data().end());
  return AddKeyFiles(contents, items, default_mode, optional,
                     "references non-existent secret key: ", files);
}

void AddDownwardApiFiles(const DownwardApiItems& items, mode_t default_mode,
                         const v1::PodTemplateSpec& pod, const PodContext& context,
                         FilePayload* files, std::vector<std::string>* errors) {
  std::optional<NodeAllocatable> node;  // read once, and only when a file needs it
  for (const v1::DownwardAPIVolumeFile& item : items) {
    FileProjection file{"", ItemMode(item, default_mode)};
    if (item.has_field_ref()) {
      const std::string& path = item.field_ref().field_path();
      if (!MetadataFieldRefValue(path, pod, context, &file.data)) {
        errors->push_back("unsupported fieldPath: " + path);
        continue;
      }
    } else if (item.has_resource_field_ref()) {
      if (!node) node = ThisNodeAllocatable(context.node_memory_bytes);
      std::string error;
      // A volume has no container of its own: containerName is required.
      std::optional<std::string> value =
          ResourceFieldValue(pod.spec(), "", item.resource_field_ref(), *node, &error);
      if (!value) {
        errors->push_back(error);
        continue;
      }
      file.data = *value;
    }
    (*files)[item.path()] = file;
  }
}

std::string AggregateErrors(const std::vector<std::string>& errors) {
  std::vector<std::string> distinct;
  for (const std::string& error : errors) {
    if (std::find(distinct.begin(), distinct.end(), error) == distinct.end()) {
      distinct.push_back(error);
    }
  }
  if (distinct.size() <= 1) return distinct.empty() ? "" : distinct.front();
  return "[" + Join(distinct, ", ") + "]";
}

}  // namespace fleetset::agent
