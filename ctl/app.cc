#include "app.h"

#include <algorithm>
#include <map>

#include "fleetset/version.h"

namespace fleetset::ctl {
namespace {

// CLI11 shows a subcommand's own options only; say where the global ones are.
void MentionGlobalFlags(CLI::App& app) {
  for (CLI::App* command : app.get_subcommands([](CLI::App*) { return true; })) {
    const std::string footer = command->get_footer();
    command->footer(footer + (footer.empty() ? "" : "\n") +
                    "Global flags: --config, -s/--server, -n/--namespace, --request-timeout (see "
                    "fleetsetctl --help)\n");
    MentionGlobalFlags(*command);
  }
}

// kubectl (pflag) reads `-n=kube-system` as `-n kube-system`; CLI11 would
// keep the '=' in the value. The short flags are rewritten to their long
// names, which CLI11 reads with '=' for options and flags alike.
std::string KubectlShortFlag(const std::string& arg) {
  static const std::map<char, std::string> kLongNames{
      {'A', "all-namespaces"}, {'R', "recursive"}, {'f', "filename"}, {'l', "selector"},
      {'n', "namespace"},      {'o', "output"},    {'s', "server"},   {'w', "watch"}};
  if (arg.size() < 3 || arg[0] != '-' || arg[2] != '=') return arg;
  const auto it = kLongNames.find(arg[1]);
  return it == kLongNames.end() ? arg : "--" + it->second + arg.substr(2);
}

}  // namespace

int RunCtl(const std::vector<std::string>& args, Io& io) {
  CLI::App app{"fleetsetctl controls a fleetset fleet: DaemonSets on bare-metal nodes.",
               "fleetsetctl"};
  app.set_version_flag("--version", std::string("fleetsetctl v") + kVersion);
  app.require_subcommand(1);
  // Subcommands inherit this, so global flags may follow the verb
  // (`fleetsetctl get ds -n kube-system`), as with kubectl.
  app.fallthrough();

  GlobalOptions global;
  app.add_option("--config", global.config,
                 "The config file with the coordinator's address, its CA and your certificate "
                 "and key. Default: $FLEETSET_CONFIG, else ~/.config/fleetset/config.yaml, else "
                 "/etc/fleetset/fleetsetctl.yaml")
      ->type_name("FILE");
  app.add_option("-s,--server", global.server,
                 "The coordinators' addresses: one, or several separated by commas, of which "
                 "each command uses one that answers (one that cannot be reached is passed over "
                 "within 3s). Default: $FLEETSET_SERVER (likewise a list), then `servers:` in "
                 "the config file, then 127.0.0.1:7400")
      ->type_name("HOST:PORT,...");
  app.add_option("-n,--namespace", global.namespace_,
                 "The namespace of DaemonSets, pods, ConfigMaps and Secrets (default \"default\")");
  app.add_option("--request-timeout", global.request_timeout,
                 "How long to wait for each answer from the coordinator: a duration such as "
                 "1s, 2m or 3h, or 0 for no limit")
      ->default_str("30s");

  AddApplyCommands(app, io, global);
  AddCreateUserCommand(*app.get_subcommand("create"), io, global);
  AddCreateConfigMapCommand(*app.get_subcommand("create"), io, global);
  AddCreateSecretCommand(*app.get_subcommand("create"), io, global);
  AddGetCommand(app, io, global);
  AddDescribeCommand(app, io, global);
  AddDeleteCommand(app, io, global);
  AddLabelCommand(app, io, global);
  AddTaintCommand(app, io, global);
  AddCordonCommands(app, io, global);
  AddRolloutCommand(app, io, global);
  AddSetCommand(app, io, global);
  AddVersionCommand(app, io, global);
  AddWhyCommand(app, io, global);
  AddTokenCommand(app, io, global);

  MentionGlobalFlags(app);

  // CLI11 consumes a reversed vector.
  std::vector<std::string> reversed;
  for (auto it = args.rbegin(); it != args.rend(); ++it) reversed.push_back(KubectlShortFlag(*it));
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError& error) {
    return app.exit(error, io.out, io.err);
  }
  return io.exit_code;
}

}  // namespace fleetset::ctl
