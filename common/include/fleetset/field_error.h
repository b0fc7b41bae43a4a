// A problem with one field of an object, reported with the field's path as
// Kubernetes reports it ("spec.template.spec.containers[0].image").
#pragma once

#include <string>
#include <vector>

namespace fleetset {

struct FieldError {
  // Dotted JSON path; list items as [i], map keys as [key].
  std::string path;
  // The reason, e.g. `Required value` or `Unsupported value "Never": must be "Always"`.
  std::string message;

  std::string ToString() const { return path.empty() ? message : path + ": " + message; }
  bool operator==(const FieldError&) const = default;
};

using FieldErrors = std::vector<FieldError>;

// Path helpers so every caller spells paths the same way.
inline std::string ChildPath(const std::string& parent, const std::string& field) {
  return parent.empty() ? field : parent + "." + field;
}
inline std::string IndexPath(const std::string& parent, size_t index) {
  return parent + "[" + std::to_string(index) + "]";
}
inline std::string KeyPath(const std::string& parent, const std::string& key) {
  return parent + "[" + key + "]";
}

}  // namespace fleetset
