// Where manifests come from: a file, every manifest file in a directory, or
// standard input ("-"), as `kubectl apply -f` reads them.
#pragma once

#include <istream>
#include <optional>
#include <string>
#include <vector>

namespace fleetset {

struct ManifestFile {
  // The path as given (or "<stdin>"), used in every message about it.
  std::string source;
  std::string text;
};

// Reads `path`: "-" reads `stdin_stream`; a directory yields its *.yaml,
// *.yml and *.json files in name order (recursively when `recursive`); a
// file yields itself. Returns nullopt and sets *error on an unreadable path.
// Files larger than kMaxManifestBytes are refused, not truncated.
std::optional<std::vector<ManifestFile>> ReadManifestFiles(const std::string& path, bool recursive,
                                                           std::istream& stdin_stream,
                                                           std::string* error);

inline constexpr size_t kMaxManifestBytes = 4 * 1024 * 1024;

}  // namespace fleetset
