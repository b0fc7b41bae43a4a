// Credentials for image pulls, found the way kubelet finds them: a Docker
// config file (<root-dir>/config.json, {"auths": {"host[:port]": {"auth":
// base64(user:password)} or {"username": ..., "password": ...}}}). There is
// no Secret store on a fleetset node, so imagePullSecrets cannot name one;
// the node's credential file serves every pod, as kubelet's does.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "agent/cri_runtime.h"

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

}  // namespace fleetset::agent
