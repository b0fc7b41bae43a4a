#include "agent/pod_objects.h"

namespace fleetset::agent {
namespace {

std::string Key(const std::string& pod_namespace, const std::string& name) {
  return pod_namespace + "/" + name;
}

template <typename T>
const T* Find(const std::map<std::string, T>& objects, const std::string& pod_namespace,
              const std::string& name) {
  auto it = objects.find(Key(pod_namespace, name));
  return it == objects.end() ? nullptr : &it->second;
}

}  // namespace

std::shared_ptr<const PodObjects> PodObjects::From(const v1::DesiredState& state) {
  auto objects = std::make_shared<PodObjects>();
  for (const v1::ConfigMap& config_map : state.config_maps()) {
    objects->config_maps_[Key(config_map.metadata().namespace_(), config_map.metadata().name())] =
        config_map;
  }
  for (const v1::Secret& secret : state.secrets()) {
    objects->secrets_[Key(secret.metadata().namespace_(), secret.metadata().name())] = secret;
  }
  return objects;
}

const v1::ConfigMap* PodObjects::FindConfigMap(const std::string& pod_namespace,
                                               const std::string& name) const {
  return Find(config_maps_, pod_namespace, name);
}

const v1::Secret* PodObjects::FindSecret(const std::string& pod_namespace,
                                         const std::string& name) const {
  return Find(secrets_, pod_namespace, name);
}

std::map<std::string, std::string> ConfigMapContents(const v1::ConfigMap& config_map) {
  std::map<std::string, std::string> contents(config_map.data().begin(), config_map.data().end());
  contents.insert(config_map.binary_data().begin(), config_map.binary_data().end());
  return contents;
}

std::string ConfigMapNotFound(const std::string& name) {
  return "configmap \"" + name + "\" not found";
}

std::string SecretNotFound(const std::string& name) { return "secret \"" + name + "\" not found"; }

}  // namespace fleetset::agent
