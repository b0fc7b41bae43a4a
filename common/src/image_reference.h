// The parts of a container image reference that decide pull behaviour,
// split as the Docker reference grammar does: "[host[:port]/]path[:tag][@digest]".
#pragma once

#include <string>
#include <string_view>

namespace fleetset::internal {

struct ImageReference {
  // Everything before the tag and digest ("127.0.0.1:5000/x/y").
  std::string repository;
  std::string tag;     // Empty when absent.
  std::string digest;  // "sha256:..." or empty.
};

ImageReference ParseImageReference(std::string_view image);

// Kubernetes' default imagePullPolicy: Always for ":latest" and for images
// with neither tag nor digest (which mean ":latest"), IfNotPresent otherwise.
std::string DefaultImagePullPolicy(std::string_view image);

}  // namespace fleetset::internal
