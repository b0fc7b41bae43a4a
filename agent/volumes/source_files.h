// The files each volume source gives, as kubelet's plugins collect them
// before the atomic writer lays them out: a ConfigMap's or Secret's keys
// (configmap.MakePayload, secret.MakePayload) and the downward API's pod
// fields (downwardapi.CollectData). configMap, secret and downwardAPI
// volumes use one each; a projected volume combines them.
#pragma once

#include <string>
#include <vector>

#include "agent/pod_config_builder.h"
#include "agent/volumes/atomic_writer.h"
#include "fleetset/v1/pod.pb.h"

namespace fleetset::agent {

using KeyItems = google::protobuf::RepeatedPtrField<v1::KeyToPath>;
using DownwardApiItems = google::protobuf::RepeatedPtrField<v1::DownwardAPIVolumeFile>;

// The ConfigMap `name` of the pod's namespace into *files: every key (data
// and binaryData) as a file of its name, or only `items`, each with its
// mode or `default_mode`. Returns kubelet's error for a missing object or
// item key, unless `optional`: then a missing one gives no file.
std::string AddConfigMapFiles(const std::string& name, const KeyItems& items, mode_t default_mode,
                              bool optional, const PodContext& context, FilePayload* files);

// The same for the Secret `name`.
std::string AddSecretFiles(const std::string& name, const KeyItems& items, mode_t default_mode,
                           bool optional, const PodContext& context, FilePayload* files);

// One file per item: a field of the pod's metadata (fieldRef) or a
// container's resource (resourceFieldRef). Each item that cannot be had
// adds its error to *errors, as kubelet collects them all.
void AddDownwardApiFiles(const DownwardApiItems& items, mode_t default_mode,
                         const v1::PodTemplateSpec& pod, const PodContext& context,
                         FilePayload* files, std::vector<std::string>* errors);

// Several errors as one, as Kubernetes' aggregate error prints them: the
// error itself when alone, "[a, b]" for more (each message once), "" for
// none.
std::string AggregateErrors(const std::vector<std::string>& errors);

// A volume source's defaultMode, 0644 when unset (the API's default).
template <typename Source>
mode_t DefaultMode(const Source& source) {
  return source.has_default_mode() ? static_cast<mode_t>(source.default_mode()) : 0644;
}

// Whether a source's object (and its keys) may be missing.
template <typename Source>
bool IsOptional(const Source& source) {
  return source.has_optional() && source.optional();
}

}  // namespace fleetset::agent
