// LoadObjects and LoadDaemonSets: decode, default, validate. Decoding
// problems come first, then validation problems, so the user reads them in
// the order they would fix them.
#include <algorithm>

#include "fleetset/config_objects.h"
#include "fleetset/manifest.h"
#include "fleetset/object_kinds.h"

namespace fleetset {
namespace {

// Validation is worth running on a document with decoding errors only when
// it is an object whose shape was readable: errors without a path
// (syntax, not an object, size limits) mean there is nothing sensible to
// validate, and a wrong kind means the schema is not ours.
bool WorthValidating(const DecodedDocument& document) {
  if (document.object.kind_case() == v1::Object::KIND_NOT_SET) return false;
  return std::none_of(document.errors.begin(), document.errors.end(),
                      [](const FieldError& error) { return error.path.empty(); });
}

// True when `path` is `prefix` or lies inside it ("a.b" in "a", "a[0]" in "a").
bool IsWithin(const std::string& path, const std::string& prefix) {
  if (path.size() < prefix.size() || path.compare(0, prefix.size(), prefix) != 0) return false;
  return path.size() == prefix.size() || path[prefix.size()] == '.' || path[prefix.size()] == '[';
}

// A field that failed to decode was left empty, so validation would
// complain about it a second time ("Required value" after "expected list");
// those echoes are dropped.
bool EchoesDecodeError(const FieldError& error, const FieldErrors& decode_errors) {
  return std::any_of(decode_errors.begin(), decode_errors.end(),
                     [&](const FieldError& decode) { return IsWithin(error.path, decode.path); });
}

}  // namespace

void ApplyObjectDefaults(v1::Object* object) {
  switch (object->kind_case()) {
    case v1::Object::kDaemonSet:
      return ApplyDaemonSetDefaults(object->mutable_daemon_set());
    case v1::Object::kConfigMap:
      return ApplyConfigMapDefaults(object->mutable_config_map());
    case v1::Object::kSecret:
      return ApplySecretDefaults(object->mutable_secret());
    case v1::Object::kPriorityClass:
      return ApplyPriorityClassDefaults(object->mutable_priority_class());
    case v1::Object::kNamespace:
      return ApplyNamespaceDefaults(object->mutable_namespace_());
    case v1::Object::KIND_NOT_SET:
      return;
  }
}

FieldErrors ValidateObject(const v1::Object& object) {
  switch (object.kind_case()) {
    case v1::Object::kDaemonSet:
      return ValidateDaemonSet(object.daemon_set());
    case v1::Object::kConfigMap:
      return ValidateConfigMap(object.config_map());
    case v1::Object::kSecret:
      return ValidateSecret(object.secret());
    case v1::Object::kPriorityClass:
      return ValidatePriorityClass(object.priority_class());
    case v1::Object::kNamespace:
      return ValidateNamespace(object.namespace_());
    case v1::Object::KIND_NOT_SET:
      break;
  }
  return {{"kind", "Required value"}};
}

std::vector<LoadedObject> LoadObjects(std::string_view text, const std::string& source) {
  std::vector<LoadedObject> loaded;
  for (DecodedDocument& document : DecodeManifests(text, source)) {
    LoadedObject result;
    result.source = std::move(document.source);
    result.kind = document.kind;
    result.skipped = std::move(document.skipped);
    result.errors = document.errors;
    if (WorthValidating(document)) {
      ApplyObjectDefaults(&document.object);
      for (FieldError& error : ValidateObject(document.object)) {
        if (!EchoesDecodeError(error, document.errors)) result.errors.push_back(std::move(error));
      }
    }
    result.object = std::move(document.object);
    loaded.push_back(std::move(result));
  }
  return loaded;
}

std::vector<LoadedDaemonSet> LoadDaemonSets(std::string_view text, const std::string& source) {
  std::vector<LoadedDaemonSet> loaded;
  for (LoadedObject& object : LoadObjects(text, source)) {
    LoadedDaemonSet result;
    result.source = std::move(object.source);
    result.errors = std::move(object.errors);
    if (object.object.has_daemon_set()) {
      result.daemon_set = std::move(*object.object.mutable_daemon_set());
    } else if (result.errors.empty()) {
      // Static manifests run DaemonSets; the other kinds (and the bundle
      // kinds an apply skips) mean nothing there.
      result.errors.push_back(*CheckKind(object.kind));
    }
    loaded.push_back(std::move(result));
  }
  return loaded;
}

}  // namespace fleetset
