// fleetsetctl's subcommands. Each Add*Command registers one verb on the
// CLI11 app; the callback it installs does the work and sets the exit code.
#pragma once

#include <CLI/CLI.hpp>

#include <ostream>
#include <string>

namespace fleetset::ctl {

// What every command writes to and returns through; tests substitute
// string streams.
struct Io {
  std::istream& in;
  std::ostream& out;
  std::ostream& err;
  int exit_code = 0;
};

// kubectl's global flags. Commands keep a reference and read them when
// their callback runs, after the whole command line has been parsed.
struct GlobalOptions {
  // --config; empty: $FLEETSET_CONFIG, ~/.config/fleetset/config.yaml,
  // /etc/fleetset/fleetsetctl.yaml.
  std::string config;
  // --server/-s, one address or several separated by commas; empty:
  // FLEETSET_SERVER, the config file, 127.0.0.1:7400.
  std::string server;
  // --namespace/-n; empty: "default".
  std::string namespace_;
  // --request-timeout: a duration ("30s", "2m", "0" for none).
  std::string request_timeout = "30s";

  bool namespace_given() const { return !namespace_.empty(); }
  std::string Namespace() const { return namespace_.empty() ? "default" : namespace_; }
};

// Prints kubectl's `error: <message>` line and fails the command.
inline void Fail(Io& io, const std::string& message) {
  io.err << "error: " << message << "\n";
  io.exit_code = 1;
}

// What kubectl adds to a result line under --dry-run=server|client|none:
// " (server dry run)", " (dry run)" or nothing.
inline const char* DryRunSuffix(const std::string& dry_run) {
  return dry_run == "server" ? " (server dry run)" : dry_run == "client" ? " (dry run)" : "";
}

// kubectl's --dry-run=none|client|server on `command`, "none" by default.
inline CLI::Option* AddDryRunFlag(CLI::App* command, std::string* dry_run,
                                  const std::string& description) {
  return command->add_option("--dry-run", *dry_run, description)
      ->check(CLI::IsMember({"none", "client", "server"}))
      ->default_str("none");
}

void AddApplyCommands(CLI::App& app, Io& io, const GlobalOptions& global);
// `create user`, `create configmap` (alias cm) and `create secret`, under
// the `create` that AddApplyCommands added.
void AddCreateUserCommand(CLI::App& create, Io& io, const GlobalOptions& global);
void AddCreateConfigMapCommand(CLI::App& create, Io& io, const GlobalOptions& global);
void AddCreateSecretCommand(CLI::App& create, Io& io, const GlobalOptions& global);
void AddTokenCommand(CLI::App& app, Io& io, const GlobalOptions& global);
void AddGetCommand(CLI::App& app, Io& io, const GlobalOptions& global);
void AddDescribeCommand(CLI::App& app, Io& io, const GlobalOptions& global);
void AddDeleteCommand(CLI::App& app, Io& io, const GlobalOptions& global);
void AddLabelCommand(CLI::App& app, Io& io, const GlobalOptions& global);
void AddTaintCommand(CLI::App& app, Io& io, const GlobalOptions& global);
void AddCordonCommands(CLI::App& app, Io& io, const GlobalOptions& global);
void AddRolloutCommand(CLI::App& app, Io& io, const GlobalOptions& global);
void AddSetCommand(CLI::App& app, Io& io, const GlobalOptions& global);
void AddVersionCommand(CLI::App& app, Io& io, const GlobalOptions& global);
void AddWhyCommand(CLI::App& app, Io& io, const GlobalOptions& global);

}  // namespace fleetset::ctl
