// The rules and messages are kubectl's (cmd/create/create_configmap.go,
// cmd/util/env_file.go, util/ParseFileSource and ParseLiteralSource).
#include "config_data_sources.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "fleetset/names.h"
#include "fleetset/strings.h"

namespace fleetset::ctl {
namespace {

namespace fs = std::filesystem;

// Go prints system errors in lower case ("no such file or directory").
std::string Reason(const std::string& message) {
  std::string reason = message;
  if (!reason.empty()) {
    reason[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(reason[0])));
  }
  return reason;
}

// What os.Stat says of a source: nullopt when it exists, else kubectl's
// "error reading PATH: REASON".
std::optional<std::string> StatError(const std::string& path, fs::file_status* status) {
  std::error_code error;
  *status = fs::status(path, error);
  if (error) return "error reading " + path + ": " + Reason(error.message());
  return std::nullopt;
}

// Go's path.Base: the last element, trailing slashes ignored.
std::string BaseName(const std::string& path) {
  std::string trimmed = path;
  while (trimmed.size() > 1 && trimmed.back() == '/') trimmed.pop_back();
  if (trimmed.empty()) return ".";
  const size_t slash = trimmed.rfind('/');
  return slash == std::string::npos || trimmed.size() == 1 ? trimmed : trimmed.substr(slash + 1);
}

// ParseFileSource: "PATH" (the key is its base name) or "KEY=PATH".
std::optional<std::string> ParseFileSource(const std::string& source, std::string* key,
                                           std::string* path) {
  const auto separators = std::count(source.begin(), source.end(), '=');
  if (separators == 0) {
    *key = BaseName(source);
    *path = source;
    return std::nullopt;
  }
  if (separators > 1) return "key names or file paths cannot contain '='";
  const size_t equals = source.find('=');
  if (equals == 0) return "key name for file path " + source.substr(1) + " missing";
  if (equals + 1 == source.size())
    return "file path for key name " + source.substr(0, equals) + " missing";
  *key = source.substr(0, equals);
  *path = source.substr(equals + 1);
  return std::nullopt;
}

std::optional<std::string> AddFile(const std::string& key, const std::string& path,
                                   const AddKey& add) {
  std::string error;
  std::optional<std::string> content = ReadInputFile(path, &error);
  if (!content) return error;
  return add(key, std::move(*content));
}

// Every regular file of a directory, in name order as os.ReadDir gives
// them; subdirectories, symlinks, devices and pipes are passed over.
std::optional<std::string> AddDirectory(const std::string& directory, const AddKey& add) {
  std::error_code error;
  std::vector<fs::directory_entry> entries;
  for (fs::directory_iterator it(directory, error), end; !error && it != end; it.increment(error)) {
    entries.push_back(*it);
  }
  if (error) return "error listing files in " + directory + ": " + Reason(error.message());
  std::sort(entries.begin(), entries.end(),
            [](const auto& a, const auto& b) { return a.path().filename() < b.path().filename(); });
  for (const fs::directory_entry& entry : entries) {
    if (entry.symlink_status(error).type() != fs::file_type::regular) continue;
    const std::string name = entry.path().filename().string();
    if (auto problem = AddFile(name, directory + "/" + name, add)) return problem;
  }
  return std::nullopt;
}

bool IsGoSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

// processEnvFileLine: "KEY=VALUE" (the value as written, up to the end of
// the line), "KEY" (the value from the environment), or nothing for a
// blank line or a comment.
std::optional<std::string> AddEnvLine(std::string line, const std::string& path, size_t index,
                                      const AddKey& add) {
  if (!IsValidUtf8(line)) {
    return "env file " + path + " contains invalid utf8 bytes at line " + std::to_string(index + 1);
  }
  if (index == 0 && line.starts_with("\xEF\xBB\xBF")) line.erase(0, 3);
  line.erase(0, std::find_if_not(line.begin(), line.end(), IsGoSpace) - line.begin());
  if (line.empty() || line[0] == '#') return std::nullopt;
  const size_t equals = line.find('=');
  const std::string key = line.substr(0, equals);
  if (const std::vector<std::string> problems = CheckEnvVarName(key); !problems.empty()) {
    return "\"" + key + "\" is not a valid key name: " + Join(problems, ";");
  }
  if (equals != std::string::npos) return add(key, line.substr(equals + 1));
  const char* from_environment = std::getenv(key.c_str());
  return add(key, from_environment != nullptr ? from_environment : "");
}

}  // namespace

std::optional<std::string> ReadInputFile(const std::string& path, std::string* error) {
  std::error_code ignored;
  if (fs::is_directory(path, ignored)) {
    *error = "read " + path + ": is a directory";
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = "open " + path + ": " + Reason(std::strerror(errno));
    return std::nullopt;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void AddDataSourceFlags(CLI::App* command, DataSources* sources, const std::string& object) {
  command
      ->add_option("--from-file", sources->files,
                   "[KEY=]PATH: a file, whose base name is the " + object +
                       " key unless KEY is given, or a directory, each of whose regular files "
                       "becomes a key; may be repeated")
      ->type_name("[KEY=]PATH");
  command
      ->add_option("--from-literal", sources->literals,
                   "KEY=VALUE: a key and its value; may be repeated")
      ->type_name("KEY=VALUE");
  command
      ->add_option("--from-env-file", sources->env_files,
                   "PATH: a file of KEY=VALUE lines (blank lines and # comments are ignored; a "
                   "KEY alone takes its value from the environment); may be repeated")
      ->type_name("PATH");
}

std::optional<std::string> CheckDataSources(const DataSources& sources) {
  if (!sources.env_files.empty() && (!sources.files.empty() || !sources.literals.empty())) {
    return "from-env-file cannot be combined with from-file or from-literal";
  }
  return std::nullopt;
}

std::optional<std::string> AddFromFiles(const std::vector<std::string>& sources,
                                        const AddKey& add) {
  for (const std::string& source : sources) {
    std::string key;
    std::string path;
    if (auto problem = ParseFileSource(source, &key, &path)) return problem;
    fs::file_status status;
    if (auto problem = StatError(path, &status)) return problem;
    std::optional<std::string> problem;
    if (fs::is_directory(status)) {
      if (source.find('=') != std::string::npos) {
        return "cannot give a key name for a directory path";
      }
      problem = AddDirectory(path, add);
    } else {
      problem = AddFile(key, path, add);
    }
    if (problem) return problem;
  }
  return std::nullopt;
}

std::optional<std::string> AddFromLiterals(const std::vector<std::string>& sources,
                                           const AddKey& add) {
  for (const std::string& source : sources) {
    const size_t equals = source.find('=');
    if (equals == 0 || equals == std::string::npos) {
      return "invalid literal source " + source + ", expected key=value";
    }
    if (auto problem = add(source.substr(0, equals), source.substr(equals + 1))) return problem;
  }
  return std::nullopt;
}

std::optional<std::string> AddFromEnvFiles(const std::vector<std::string>& paths,
                                           const std::string& object, const AddKey& add) {
  for (const std::string& path : paths) {
    fs::file_status status;
    if (auto problem = StatError(path, &status)) return problem;
    if (fs::is_directory(status)) return "env " + object + " file cannot be a directory";
    std::string error;
    const std::optional<std::string> content = ReadInputFile(path, &error);
    if (!content) return error;
    std::istringstream lines(*content);
    size_t index = 0;
    for (std::string line; std::getline(lines, line); ++index) {
      if (line.ends_with('\r')) line.pop_back();
      if (auto problem = AddEnvLine(std::move(line), path, index, add)) return problem;
    }
  }
  return std::nullopt;
}

bool IsValidUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const auto byte = [&](size_t at) { return static_cast<unsigned char>(text[at]); };
    const unsigned char lead = byte(i);
    size_t length = 0;
    unsigned char low = 0x80;
    unsigned char high = 0xBF;
    if (lead < 0x80) {
      ++i;
      continue;
    }
    if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      if (lead == 0xE0) low = 0xA0;   // no overlong forms
      if (lead == 0xED) high = 0x9F;  // no surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      if (lead == 0xF0) low = 0x90;
      if (lead == 0xF4) high = 0x8F;  // nothing past U+10FFFF
    } else {
      return false;
    }
    if (i + length > text.size() || byte(i + 1) < low || byte(i + 1) > high) return false;
    for (size_t k = 2; k < length; ++k) {
      if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return false;
    }
    i += length;
  }
  return true;
}

}  // namespace fleetset::ctl
