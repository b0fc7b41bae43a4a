#include "image_reference.h"

namespace fleetset::internal {

ImageReference ParseImageReference(std::string_view image) {
  ImageReference reference;
  if (const size_t at = image.find('@'); at != std::string_view::npos) {
    reference.digest = std::string(image.substr(at + 1));
    image = image.substr(0, at);
  }
  // A ':' before the last '/' belongs to the registry host ("host:5000/x"),
  // not to a tag.
  const size_t slash = image.rfind('/');
  const size_t colon = image.rfind(':');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
    reference.tag = std::string(image.substr(colon + 1));
    image = image.substr(0, colon);
  }
  reference.repository = std::string(image);
  return reference;
}

std::string DefaultImagePullPolicy(std::string_view image) {
  const ImageReference reference = ParseImageReference(image);
  // An empty image fails validation anyway; Kubernetes then picks
  // IfNotPresent because parsing yields no tag.
  if (image.empty()) return "IfNotPresent";
  if (reference.tag == "latest" || (reference.tag.empty() && reference.digest.empty())) {
    return "Always";
  }
  return "IfNotPresent";
}

}  // namespace fleetset::internal
