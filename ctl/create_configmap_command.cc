// `fleetsetctl create configmap NAME [--from-file=[KEY=]PATH]...
// [--from-literal=KEY=VALUE]... [--from-env-file=PATH]...`: kubectl's
// generator. A file whose content is not UTF-8 goes to binaryData, as
// kubectl puts it.
#include "commands.h"
#include "config_data_sources.h"
#include "create_object.h"
#include "fleetset/names.h"
#include "fleetset/strings.h"

namespace fleetset::ctl {
namespace {

// kubectl's validateNewConfigMap, then the key goes to data or binaryData.
std::optional<std::string> AddKeyTo(v1::ConfigMap& config_map, const std::string& key,
                                    std::string value) {
  if (const std::vector<std::string> problems = CheckConfigMapKey(key); !problems.empty()) {
    return "\"" + key + "\" is not a valid key name for a ConfigMap: " + Join(problems, ",");
  }
  for (const auto& [field, keys] :
       {std::pair{"Data", config_map.data().contains(key)},
        std::pair{"BinaryData", config_map.binary_data().contains(key)}}) {
    if (keys) {
      return "cannot add key \"" + key + "\", another key by that name already exists in " + field +
             " for ConfigMap \"" + config_map.metadata().name() + "\"";
    }
  }
  auto& target =
      IsValidUtf8(value) ? *config_map.mutable_data() : *config_map.mutable_binary_data();
  target[key] = std::move(value);
  return std::nullopt;
}

// Files, then literals, then env files, as kubectl reads them.
std::optional<std::string> Build(const DataSources& sources, const std::string& name,
                                 v1::Object* object) {
  if (auto problem = CheckDataSources(sources)) return problem;
  v1::ConfigMap& config_map = *object->mutable_config_map();
  config_map.mutable_metadata()->set_name(name);
  const AddKey add = [&](const std::string& key, std::string value) {
    return AddKeyTo(config_map, key, std::move(value));
  };
  std::optional<std::string> problem = AddFromFiles(sources.files, add);
  if (!problem) problem = AddFromLiterals(sources.literals, add);
  if (!problem) problem = AddFromEnvFiles(sources.env_files, "config", add);
  return problem;
}

}  // namespace

void AddCreateConfigMapCommand(CLI::App& create, Io& io, const GlobalOptions& global) {
  static constexpr CreateCommandText kText{
      "configmap", "Create a ConfigMap from files, directories, literal values or env files",
      "  fleetsetctl create configmap fluent-bit-config -n logging --from-file=conf/\n"
      "  fleetsetctl create configmap parsers --from-file=parsers.conf=conf/parsers-v2.conf\n"
      "  fleetsetctl create configmap settings --from-literal=LOG_LEVEL=info "
      "--from-literal=FLUSH=5\n"
      "  fleetsetctl create configmap settings --from-env-file=settings.env --dry-run=client "
      "-o yaml\n"};
  auto sources = std::make_shared<DataSources>();
  CLI::App* command = AddCreateObjectCommand(create, kText, sources, Build, io, global);
  command->alias("cm");
  AddDataSourceFlags(command, sources.get(), "configmap");
}

}  // namespace fleetset::ctl
