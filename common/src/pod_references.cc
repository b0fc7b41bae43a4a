#include "fleetset/pod_references.h"

namespace fleetset {
namespace {

void AddContainer(const v1::Container& container, PodReferences& references) {
  for (const v1::EnvVar& env : container.env()) {
    const v1::EnvVarSource& from = env.value_from();
    if (!from.config_map_key_ref().name().empty()) {
      references.config_maps.insert(from.config_map_key_ref().name());
    }
    if (!from.secret_key_ref().name().empty()) {
      references.secrets.insert(from.secret_key_ref().name());
    }
  }
  for (const v1::EnvFromSource& source : container.env_from()) {
    if (!source.config_map_ref().name().empty()) {
      references.config_maps.insert(source.config_map_ref().name());
    }
    if (!source.secret_ref().name().empty()) references.secrets.insert(source.secret_ref().name());
  }
}

void AddVolume(const v1::Volume& volume, PodReferences& references) {
  if (!volume.config_map().name().empty())
    references.config_maps.insert(volume.config_map().name());
  if (!volume.secret().secret_name().empty()) {
    references.secrets.insert(volume.secret().secret_name());
  }
  for (const v1::VolumeProjection& source : volume.projected().sources()) {
    if (!source.config_map().name().empty())
      references.config_maps.insert(source.config_map().name());
    if (!source.secret().name().empty()) references.secrets.insert(source.secret().name());
  }
}

}  // namespace

PodReferences ReferencesOf(const v1::PodSpec& spec) {
  PodReferences references;
  for (const v1::Container& container : spec.init_containers()) AddContainer(container, references);
  for (const v1::Container& container : spec.containers()) AddContainer(container, references);
  for (const v1::Volume& volume : spec.volumes()) AddVolume(volume, references);
  for (const v1::LocalObjectReference& pull : spec.image_pull_secrets()) {
    if (!pull.name().empty()) references.secrets.insert(pull.name());
  }
  return references;
}

}  // namespace fleetset
