// fleetset-coordinator's settings: defaults, then an optional YAML file
// (config/coordinator.yaml shows every key), then flags (flags win). Every
// error names the flag or key and the reason.
#pragma once

#include <spdlog/common.h>

#include <chrono>
#include <iosfwd>
#include <string>
#include <vector>

namespace fleetset::coordinator {

inline constexpr char kDefaultListen[] = "0.0.0.0:7400";
// The port after the gRPC one, on loopback (an operator opens it to a
// Prometheus elsewhere with the flag); empty turns the endpoint off.
inline constexpr char kDefaultMetricsListen[] = "127.0.0.1:7401";
inline constexpr char kDefaultDataDir[] = "/var/lib/fleetset-coordinator";
inline constexpr char kDefaultConfigFile[] = "/etc/fleetset/coordinator.yaml";

// sysexits.h, as the agent uses them; the unit file lists both in
// RestartPreventExitStatus=.
inline constexpr int kExitUsage = 64;
inline constexpr int kExitConfig = 78;

struct CoordinatorConfig {
  std::string listen = kDefaultListen;
  // HTTP endpoint for /metrics and /healthz; empty: none.
  std::string metrics_listen = kDefaultMetricsListen;
  std::string data_dir = kDefaultDataDir;
  // kube-controller-manager's --node-monitor-grace-period.
  std::chrono::milliseconds node_monitor_grace_period{std::chrono::seconds(40)};
  // kube-apiserver's TLS flags; all empty: the coordinator's own PKI in
  // <data-dir>/pki.
  std::string tls_cert_file;
  std::string tls_private_key_file;
  std::string client_ca_file;
  // kube-controller-manager's: the CA that signs nodes' and users'
  // certificates when the operator brings their own PKI.
  std::string cluster_signing_cert_file;
  std::string cluster_signing_key_file;
  // kubeadm's apiserver-cert-extra-sans.
  std::vector<std::string> tls_sans;
  std::chrono::seconds node_cert_ttl{std::chrono::hours(24 * 30)};
  // kube-apiserver's --audit-log-path, --audit-log-maxsize (MB) and
  // --audit-log-maxbackup; an empty path: <data-dir>/audit.log.
  std::string audit_log_path;
  // kube-apiserver's: how Secrets are encrypted at rest; empty:
  // <data-dir>/pki/encryption-config.yaml, made on first start.
  std::string encryption_provider_config;
  size_t audit_log_max_size_mb = 100;
  size_t audit_log_max_backup = 10;
  spdlog::level::level_enum log_level = spdlog::level::info;
  // kube-apiserver's etcd flags. Without servers the store is SQLite in
  // <data-dir>; with them, several coordinators share the etcd cluster.
  std::vector<std::string> etcd_servers;
  std::string etcd_cafile;
  std::string etcd_certfile;
  std::string etcd_keyfile;
  std::string etcd_prefix = "/fleetset";
  // kube-controller-manager's --leader-elect-lease-duration: how long a
  // dead leader keeps the others from taking over (etcd only).
  std::chrono::seconds leader_elect_lease_duration{10};
  // kube-apiserver's --etcd-compaction-interval; zero: never.
  std::chrono::milliseconds etcd_compaction_interval{std::chrono::minutes(5)};
  // kube-apiserver's --etcd-db-metric-poll-interval; zero: never.
  std::chrono::milliseconds etcd_db_metric_poll_interval{std::chrono::seconds(30)};
  // This coordinator's name among several (default: the host name), and
  // the address the others list for it (default: the host name with the
  // --listen port).
  std::string name;
  std::string advertise_address;
};

struct CoordinatorCommandLine {
  CoordinatorConfig config;
  // Set when the process should exit at once (--help, --version, errors).
  bool exit = false;
  int exit_code = 0;
};

// `args` without the program name. --help and --version print to `out`,
// errors to `err`.
CoordinatorCommandLine ParseCoordinatorCommandLine(const std::vector<std::string>& args,
                                                   std::ostream& out, std::ostream& err);

}  // namespace fleetset::coordinator
