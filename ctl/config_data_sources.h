// Where `create configmap` and `create secret generic` take their keys
// from, read as kubectl reads them: --from-file=[KEY=]PATH (a file, or
// every regular file of a directory, the key defaulting to the file's base
// name), --from-literal=KEY=VALUE and --from-env-file=PATH (KEY=VALUE
// lines; blank lines and `#` comments ignored; a KEY alone takes its value
// from the environment).
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fleetset::ctl {

// Adds one key; returns kubectl's message when the key is refused (not a
// valid key, already there).
using AddKey = std::function<std::optional<std::string>(const std::string& key, std::string value)>;

struct DataSources {
  // --from-file: [KEY=]PATH, a file or a directory.
  std::vector<std::string> files;
  // --from-literal: KEY=VALUE.
  std::vector<std::string> literals;
  // --from-env-file: PATH.
  std::vector<std::string> env_files;
};

// --from-file, --from-literal and --from-env-file on `command`; `object`
// names what the keys go into in the help ("configmap", "secret").
void AddDataSourceFlags(CLI::App* command, DataSources* sources, const std::string& object);

// Each reads its sources into `add`, in order, and returns the first error
// in kubectl's words (without "error: "), or nullopt.
std::optional<std::string> AddFromFiles(const std::vector<std::string>& sources, const AddKey& add);
std::optional<std::string> AddFromLiterals(const std::vector<std::string>& sources,
                                           const AddKey& add);
// `object` is "config" or "secret", as in kubectl's "env config file cannot
// be a directory".
std::optional<std::string> AddFromEnvFiles(const std::vector<std::string>& paths,
                                           const std::string& object, const AddKey& add);
// kubectl's check before reading anything: --from-env-file stands alone.
std::optional<std::string> CheckDataSources(const DataSources& sources);

// os.ReadFile: the whole file, or Go's message ("open PATH: no such file
// or directory") in *error.
std::optional<std::string> ReadInputFile(const std::string& path, std::string* error);

// Go's utf8.Valid: binary file content goes to a ConfigMap's binaryData.
bool IsValidUtf8(std::string_view text);

}  // namespace fleetset::ctl
