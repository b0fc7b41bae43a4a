// Where fleetsetctl finds the coordinator and its credentials: a config
// file in kubeadm's admin.conf style (see fleetset/pki/client_config.h),
// found as kubectl finds its kubeconfig, and the checks made before
// dialling so that a missing or stale credential reads as such instead of
// as a failed handshake.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "fleetset/pki/client_config.h"

namespace fleetset::ctl {

// The coordinator's default listening address.
inline constexpr char kDefaultServer[] = "127.0.0.1:7400";
inline constexpr char kSystemConfigFile[] = "/etc/fleetset/fleetsetctl.yaml";

// Looks up an environment variable; tests substitute a map.
using Environment = std::function<std::optional<std::string>(const std::string& name)>;
Environment ProcessEnvironment();

struct ClientSettings {
  // The coordinators to try, in order; never empty.
  std::vector<std::string> servers;
  // The file the credentials came from.
  std::string config_path;
  pki::ClientConfig config;
};

// The config file is the first of: `config_flag` (--config); $FLEETSET_CONFIG
// (when set, the only file read, as with KUBECONFIG); the first of
// $HOME/.config/fleetset/config.yaml and `system_config` that exists. The
// servers: `server_flag` (-s); $FLEETSET_SERVER; the file's `servers:`;
// kDefaultServer. nullopt with *error, naming the files looked at, when
// there is no file, or it cannot be read, or it lacks a credential.
// The flag and the variable may list several coordinators separated by
// commas, as the file's `servers:` does: every one of a fleet's
// coordinators serves operators, so any of them will do.
std::optional<ClientSettings> ResolveClient(const std::string& config_flag,
                                            const std::string& server_flag, const Environment& env,
                                            std::string* error,
                                            const std::string& system_config = kSystemConfigFile);

// Why the certificate cannot be used at `now` (not yet valid, expired,
// not the key's), naming the file; nullopt when it can.
std::optional<std::string> CheckClientCertificate(const ClientSettings& settings,
                                                  std::chrono::system_clock::time_point now);

}  // namespace fleetset::ctl
