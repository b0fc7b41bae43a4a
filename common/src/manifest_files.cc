#include "fleetset/manifest_files.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <system_error>

namespace fleetset {
namespace {

namespace fs = std::filesystem;

bool IsManifestName(const fs::path& path) {
  const std::string extension = path.extension().string();
  return extension == ".yaml" || extension == ".yml" || extension == ".json";
}

// Reads at most kMaxManifestBytes + 1 bytes so an oversized input is
// detected without reading all of it.
std::optional<std::string> ReadBounded(std::istream& in, const std::string& source,
                                       std::string* error) {
  std::string text;
  char buffer[64 * 1024];
  while (in && text.size() <= kMaxManifestBytes) {
    in.read(buffer, sizeof buffer);
    text.append(buffer, static_cast<size_t>(in.gcount()));
  }
  if (text.size() > kMaxManifestBytes) {
    *error = source + ": larger than " + std::to_string(kMaxManifestBytes) + " bytes";
    return std::nullopt;
  }
  if (in.bad()) {
    *error = source + ": read error";
    return std::nullopt;
  }
  return text;
}

std::optional<ManifestFile> ReadOneFile(const fs::path& path, std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = path.string() +
             ": cannot open: " + std::error_code(errno, std::generic_category()).message();
    return std::nullopt;
  }
  auto text = ReadBounded(in, path.string(), error);
  if (!text) return std::nullopt;
  return ManifestFile{path.string(), std::move(*text)};
}

}  // namespace

std::optional<std::vector<ManifestFile>> ReadManifestFiles(const std::string& path, bool recursive,
                                                           std::istream& stdin_stream,
                                                           std::string* error) {
  std::vector<ManifestFile> files;
  if (path == "-") {
    auto text = ReadBounded(stdin_stream, "<stdin>", error);
    if (!text) return std::nullopt;
    files.push_back({"<stdin>", std::move(*text)});
    return files;
  }
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (ec || !fs::exists(status)) {
    *error = "the path \"" + path + "\" does not exist";
    return std::nullopt;
  }
  if (!fs::is_directory(status)) {
    auto file = ReadOneFile(path, error);
    if (!file) return std::nullopt;
    files.push_back(std::move(*file));
    return files;
  }
  std::vector<fs::path> paths;
  auto collect = [&](auto iterator) {
    for (const fs::directory_entry& entry : iterator) {
      if (entry.is_regular_file() && IsManifestName(entry.path())) paths.push_back(entry.path());
    }
  };
  if (recursive) {
    collect(fs::recursive_directory_iterator(path, ec));
  } else {
    collect(fs::directory_iterator(path, ec));
  }
  if (ec) {
    *error = path + ": " + ec.message();
    return std::nullopt;
  }
  std::sort(paths.begin(), paths.end());
  for (const fs::path& file_path : paths) {
    auto file = ReadOneFile(file_path, error);
    if (!file) return std::nullopt;
    files.push_back(std::move(*file));
  }
  return files;
}

}  // namespace fleetset
