// LoadDaemonSets: decode, default, validate. Decoding problems come first,
// then validation problems, so the user reads them in the order they would
// fix them.
#include <algorithm>

#include "fleetset/manifest.h"
#include "fleetset/object_kinds.h"

namespace fleetset {
namespace {

// Validation is worth running on a document with decoding errors only when
// it is a DaemonSet whose shape was readable: errors without a path
// (syntax, not an object, size limits) mean there is nothing sensible to
// validate, and a wrong kind means the schema is not ours.
bool WorthValidating(const DecodedDocument& document) {
  if (document.kind != kDaemonSetKind) return false;
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

std::vector<LoadedDaemonSet> LoadDaemonSets(std::string_view text, const std::string& source) {
  std::vector<LoadedDaemonSet> loaded;
  for (DecodedDocument& document : DecodeManifests(text, source)) {
    LoadedDaemonSet result;
    result.source = std::move(document.source);
    result.daemon_set = std::move(document.daemon_set);
    result.errors = document.errors;
    if (WorthValidating(document)) {
      ApplyDaemonSetDefaults(&result.daemon_set);
      for (FieldError& error : ValidateDaemonSet(result.daemon_set)) {
        if (!EchoesDecodeError(error, document.errors)) result.errors.push_back(std::move(error));
      }
    }
    loaded.push_back(std::move(result));
  }
  return loaded;
}

}  // namespace fleetset
