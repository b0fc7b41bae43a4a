// The agent's configuration: built-in defaults, then an optional YAML file,
// then command-line flags (flags win). Names follow kubelet wherever kubelet
// has the same setting (flag names, and its config file's camelCase keys),
// so an operator who knows kubelet already knows these.
//
// Errors never escape as exceptions: every loader returns the config or a
// ConfigError whose message names the key or flag and the reason.
#pragma once

#include <spdlog/common.h>

#include <chrono>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "agent/pod_identity.h"
#include "fleetset/duration.h"
#include "fleetset/labels.h"
#include "fleetset/v1/node.pb.h"

namespace fleetset::agent {

inline constexpr char kDefaultContainerRuntimeEndpoint[] = "unix:///run/containerd/containerd.sock";
inline constexpr char kDefaultStaticPodPath[] = "/etc/fleetset/manifests";
inline constexpr char kDefaultRootDir[] = "/var/lib/fleetset";
inline constexpr char kLoopbackIp[] = "127.0.0.1";
// kubelet's old read-only port, on loopback only.
inline constexpr char kDefaultMetricsBindAddress[] = "127.0.0.1:10255";

// Exit codes from sysexits.h. The systemd unit lists both in
// RestartPreventExitStatus= so that a bad configuration stops the service
// with a clear error instead of restarting it in a loop.
inline constexpr char kDefaultBootstrapTokenFile[] = "/etc/fleetset/bootstrap-token";
inline constexpr int kExitUsage = 64;   // EX_USAGE: the command line is malformed
inline constexpr int kExitConfig = 78;  // EX_CONFIG: a setting's value is wrong

// Facts about the machine that defaults are taken from. Captured once at
// start-up and kept across reloads, so a SIGHUP never changes the node's
// identity behind the agent's back, and so tests can pin them.
struct HostIdentity {
  // As gethostname() returns it (not yet lowercased).
  std::string hostname;
  // The first non-loopback IPv4 address of an interface that is up, or
  // 127.0.0.1 when there is none.
  std::string primary_ipv4 = kLoopbackIp;
};

HostIdentity DetectHostIdentity();

struct AgentConfig {
  // hostnameOverride / --hostname-override; empty: the machine's hostname.
  std::string hostname_override;
  std::string container_runtime_endpoint = kDefaultContainerRuntimeEndpoint;
  // Added to the labels the agent discovers (kubernetes.io/hostname, ...).
  Labels node_labels;
  std::vector<v1::Taint> register_with_taints;
  // Directory of static DaemonSet manifests; empty: no static pods.
  std::string static_pod_path = kDefaultStaticPodPath;
  std::string root_dir = kDefaultRootDir;
  // Empty: the host's primary IPv4 (HostIdentity).
  std::string node_ip;
  // host:port of each coordinator; empty: run standalone.
  std::vector<std::string> coordinators;
  std::string pod_log_root = kDefaultPodLogRoot;
  spdlog::level::level_enum log_level = spdlog::level::info;
  // How often pods are re-listed from the runtime (kubelet's PLEG relists
  // every second; the same cadence keeps restarts prompt).
  std::chrono::milliseconds sync_frequency{std::chrono::seconds(1)};
  // How often the static manifest directory is re-scanned.
  std::chrono::milliseconds file_check_frequency{std::chrono::seconds(5)};
  // How often the agent sends the coordinator a heartbeat (kubelet's
  // nodeStatusUpdateFrequency); status changes are sent as they happen.
  std::chrono::milliseconds node_status_update_frequency{std::chrono::seconds(10)};
  // host:port of the HTTP endpoint serving /metrics and /healthz; empty:
  // none.
  std::string metrics_bind_address = kDefaultMetricsBindAddress;
  // Joining (see node_credentials.h): a bootstrap token, given itself or as
  // a root-only file that holds it (the token itself wins; a file that does
  // not exist is no token), and the pin of the cluster CA.
  std::string bootstrap_token;
  std::string bootstrap_token_file = kDefaultBootstrapTokenFile;
  std::string discovery_token_ca_cert_hash;
  // The operator's own certificate, key and CA, instead of joining.
  std::string tls_cert_file;
  std::string tls_private_key_file;
  std::string tls_ca_file;
  // Container log rotation, as kubelet's container log manager: a running
  // container's log is rotated once it passes the size, keeping at most
  // that many files (the live one included), checked on the interval.
  int64_t container_log_max_size = 10 * 1024 * 1024;
  int container_log_max_files = 5;
  std::chrono::milliseconds container_log_monitor_interval{std::chrono::seconds(10)};
  // Image garbage collection, as kubelet's image manager: past the high
  // mark of the image filesystem's use, unused images go, least recently
  // used first, until use is under the low mark; none younger than the
  // minimum age. A high mark of 100 turns it off.
  int image_gc_high_threshold_percent = 85;
  int image_gc_low_threshold_percent = 80;
  std::chrono::milliseconds image_minimum_gc_age{std::chrono::minutes(2)};
  HostIdentity host;

  // The node's name: hostname_override, else the machine's hostname,
  // lowercased (as kubelet does).
  std::string NodeName() const;
  std::string NodeIp() const;
  bool Standalone() const { return coordinators.empty(); }
};

// What the command line said, kept so that a reload can re-read the file and
// apply the same flags over it again.
struct AgentFlags {
  // --config; empty: no file, defaults and flags only.
  std::string config_file;
  // The text of every setting flag that was given, by flag name without the
  // leading dashes ("node-labels" -> "zone=a,disk=ssd").
  std::map<std::string, std::string> values;
};

struct ConfigError {
  // One line per problem, each naming the key (with file and line) or flag.
  std::string message;
  int exit_code = kExitConfig;
};

using ConfigResult = std::variant<AgentConfig, ConfigError>;

// Defaults, then flags.config_file when set, then flags.values. Reports every
// problem found, not only the first.
ConfigResult LoadAgentConfig(const AgentFlags& flags, const HostIdentity& host);

enum class AgentMode {
  // Serve: run the node's pods.
  kRun,
  // `fleetset-agent status`: print what the running agent last recorded.
  kStatus,
};

// A successful command line.
struct AgentInvocation {
  AgentMode mode = AgentMode::kRun;
  AgentFlags flags;
  AgentConfig config;
};

// --help or --version was given and has been printed; exit with this code.
struct ExitRequest {
  int exit_code = 0;
};

using CommandLineResult = std::variant<AgentInvocation, ExitRequest, ConfigError>;

// args[0] is the program name. Help and version text go to `out`.
CommandLineResult ParseAgentCommandLine(const std::vector<std::string>& args, std::ostream& out,
                                        const HostIdentity& host);
CommandLineResult ParseAgentCommandLine(int argc, const char* const* argv, std::ostream& out);

// For SIGHUP: re-reads the config file the agent was started with and
// applies the same flags over it. Host facts are those of the first load.
// On error the caller keeps running with its current config.
ConfigResult ReloadAgentConfig(const AgentInvocation& invocation);

}  // namespace fleetset::agent
