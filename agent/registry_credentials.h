// Credentials for image pulls, found the way kubelet finds them: the pod's
// imagePullSecrets (kubernetes.io/dockerconfigjson and
// kubernetes.io/dockercfg Secrets) first, in the order the pod lists them,
// then the node's Docker config file (<root-dir>/config.json, {"auths":
// {"host[:port]": {"auth": base64(user:password)} or {"username": ...,
// "password": ...}}}). kubelet tries each in turn until a pull succeeds.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/cri_runtime.h"
#include "agent/pod_objects.h"
#include "fleetset/v1/pod.pb.h"

namespace fleetset::agent {

// The registry host of an image reference: "127.0.0.1:5000/x" ->
// "127.0.0.1:5000", "quay.io/a/b:1" -> "quay.io", "busybox" -> "docker.io".
std::string RegistryHostOf(std::string_view image);

class RegistryCredentials {
 public:
  explicit RegistryCredentials(std::string path) : path_(std::move(path)) {}

  // The credentials for `image`'s registry, or nullopt. The file is read on
  // every call (pulls are rare), so edits apply without a restart; a
  // missing or unreadable file means no credentials.
  std::optional<cri::AuthConfig> For(std::string_view image) const;

 private:
  std::string path_;
};

// The credentials for `image` in the pod's imagePullSecrets, in the order
// the pod lists them. A Secret that is missing, of another type or not
// valid JSON is skipped (kubelet warns and pulls with what it has);
// `skipped` (when given) collects why, never the secret's contents.
std::vector<cri::AuthConfig> PullSecretCredentials(const v1::PodSpec& spec,
                                                   const std::string& pod_namespace,
                                                   const PodObjects& objects,
                                                   std::string_view image,
                                                   std::vector<std::string>* skipped = nullptr);

}  // namespace fleetset::agent
