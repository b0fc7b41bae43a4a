#include "coordinator/coordinator_config.h"

#include <yaml-cpp/yaml.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <map>
#include <optional>
#include <ostream>

#include "fleetset/duration.h"
#include "fleetset/strings.h"
#include "fleetset/version.h"

namespace fleetset::coordinator {

namespace {

// Each setting once: its flag, its config file key and how to set it.
struct Setting {
  const char* flag;
  const char* key;
  const char* value_name;
  const char* help;
  std::string (*set)(const std::string& text, CoordinatorConfig& config);
};

std::string SetListen(const std::string& text, CoordinatorConfig& config) {
  const size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon + 1 == text.size()) {
    return "\"" + text + "\": must be HOST:PORT, e.g. 0.0.0.0:7400";
  }
  config.listen = text;
  return "";
}

std::string SetMetricsListen(const std::string& text, CoordinatorConfig& config) {
  if (text.empty()) {
    config.metrics_listen.clear();
    return "";
  }
  const size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon + 1 == text.size()) {
    return "\"" + text + "\": must be HOST:PORT, e.g. 127.0.0.1:7401, or empty for none";
  }
  config.metrics_listen = text;
  return "";
}

std::string SetDataDir(const std::string& text, CoordinatorConfig& config) {
  if (text.empty() || text.front() != '/') return "\"" + text + "\": must be an absolute path";
  config.data_dir = text;
  return "";
}

std::string SetGracePeriod(const std::string& text, CoordinatorConfig& config) {
  std::optional<std::chrono::milliseconds> parsed = ParseDuration(text);
  if (!parsed || parsed->count() == 0) {
    return "\"" + text + "\": must be a duration from 1ms to 24h such as 40s or 1m";
  }
  config.node_monitor_grace_period = *parsed;
  return "";
}

// A file flag: an absolute path (or empty for none).
template <std::string CoordinatorConfig::*field>
std::string SetFile(const std::string& text, CoordinatorConfig& config) {
  if (!text.empty() && text.front() != '/') return "\"" + text + "\": must be an absolute path";
  config.*field = text;
  return "";
}

std::string SetTlsSans(const std::string& text, CoordinatorConfig& config) {
  config.tls_sans = SplitList(text);
  return "";
}

std::string SetNodeCertTtl(const std::string& text, CoordinatorConfig& config) {
  std::optional<std::chrono::milliseconds> parsed = ParseDuration(text, kLongestTtl);
  if (!parsed || *parsed < std::chrono::minutes(1)) {
    return "\"" + text + "\": must be a duration from 1m to 87600h such as 720h";
  }
  config.node_cert_ttl = std::chrono::duration_cast<std::chrono::seconds>(*parsed);
  return "";
}

template <size_t CoordinatorConfig::*field>
std::string SetCount(const std::string& text, CoordinatorConfig& config) {
  if (text.empty() || text.size() > 6 ||
      text.find_first_not_of("0123456789") != std::string::npos || std::stoul(text) == 0) {
    return "\"" + text + "\": must be a whole number from 1 to 999999";
  }
  config.*field = std::stoul(text);
  return "";
}

std::string SetEtcdServers(const std::string& text, CoordinatorConfig& config) {
  std::vector<std::string> servers = SplitList(text);
  for (const std::string& url : servers) {
    const bool scheme = url.starts_with("http://") || url.starts_with("https://");
    const size_t host = url.find("://") + 3;
    const size_t colon = url.rfind(':');
    if (!scheme || colon < host || colon + 1 == url.size() ||
        url.find_first_not_of("0123456789", colon + 1) != std::string::npos) {
      return "\"" + url + "\": must be a URL such as https://10.0.0.1:2379";
    }
  }
  config.etcd_servers = std::move(servers);
  return "";
}

std::string SetEtcdPrefix(const std::string& text, CoordinatorConfig& config) {
  if (text.size() < 2 || text.front() != '/' || text.back() == '/') {
    return "\"" + text + "\": must start with / and not end with one, e.g. /fleetset";
  }
  config.etcd_prefix = text;
  return "";
}

std::string SetLeaseDuration(const std::string& text, CoordinatorConfig& config) {
  std::optional<std::chrono::milliseconds> parsed = ParseDuration(text);
  if (!parsed || *parsed < std::chrono::seconds(2) || *parsed > std::chrono::minutes(5) ||
      parsed->count() % 1000 != 0) {
    return "\"" + text + "\": must be whole seconds from 2s to 5m, such as 10s";
  }
  config.leader_elect_lease_duration = std::chrono::duration_cast<std::chrono::seconds>(*parsed);
  return "";
}

// An interval of kube-apiserver's that 0 turns off.
template <std::chrono::milliseconds CoordinatorConfig::*field>
std::string SetIntervalOrNever(const std::string& text, CoordinatorConfig& config) {
  // Go's durations, as kube-apiserver reads them, allow a bare 0.
  std::optional<std::chrono::milliseconds> parsed =
      text == "0" ? std::chrono::milliseconds(0) : ParseDuration(text);
  if (!parsed || (parsed->count() > 0 && *parsed < std::chrono::seconds(1))) {
    return "\"" + text + "\": must be 0 (never) or a duration from 1s to 24h such as 5m";
  }
  config.*field = *parsed;
  return "";
}

std::string SetName(const std::string& text, CoordinatorConfig& config) {
  if (text.empty() || text.size() > 63 ||
      text.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-.") != std::string::npos) {
    return "\"" + text + "\": must be 1 to 63 lower-case letters, digits, '-' or '.'";
  }
  config.name = text;
  return "";
}

std::string SetAdvertiseAddress(const std::string& text, CoordinatorConfig& config) {
  const size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) {
    return "\"" + text + "\": must be HOST:PORT, e.g. 10.0.0.1:7400";
  }
  config.advertise_address = text;
  return "";
}

std::string SetLogLevel(const std::string& text, CoordinatorConfig& config) {
  static const std::map<std::string, spdlog::level::level_enum> kLevels = {
      {"trace", spdlog::level::trace}, {"debug", spdlog::level::debug},
      {"info", spdlog::level::info},   {"warn", spdlog::level::warn},
      {"error", spdlog::level::err},
  };
  auto found = kLevels.find(text);
  if (found == kLevels.end()) return "\"" + text + "\": must be trace, debug, info, warn or error";
  config.log_level = found->second;
  return "";
}

const std::vector<Setting>& Settings() {
  static const std::vector<Setting> kSettings = {
      {"--listen", "listen", "HOST:PORT",
       "Address for agents and fleetsetctl (default 0.0.0.0:7400)", SetListen},
      {"--metrics-listen", "metricsListen", "HOST:PORT",
       "HTTP address serving /metrics and /healthz; empty: none (default 127.0.0.1:7401)",
       SetMetricsListen},
      {"--data-dir", "dataDir", "DIR",
       "Directory of the SQLite database (default /var/lib/fleetset-coordinator)", SetDataDir},
      {"--node-monitor-grace-period", "nodeMonitorGracePeriod", "DURATION",
       "How long a node may be silent before it is NotReady (default 40s)", SetGracePeriod},
      {"--log-level", "logLevel", "LEVEL", "trace, debug, info, warn or error (default info)",
       SetLogLevel},
      {"--tls-cert-file", "tlsCertFile", "FILE",
       "Serving certificate (PEM, may hold its chain); with --tls-private-key-file and "
       "--client-ca-file instead of the coordinator's own PKI in <data-dir>/pki",
       SetFile<&CoordinatorConfig::tls_cert_file>},
      {"--tls-private-key-file", "tlsPrivateKeyFile", "FILE", "Key of --tls-cert-file (mode 0600)",
       SetFile<&CoordinatorConfig::tls_private_key_file>},
      {"--client-ca-file", "clientCaFile", "FILE",
       "CA certificates whose client certificates are accepted",
       SetFile<&CoordinatorConfig::client_ca_file>},
      {"--cluster-signing-cert-file", "clusterSigningCertFile", "FILE",
       "With the operator's own PKI: the CA that signs node and user certificates",
       SetFile<&CoordinatorConfig::cluster_signing_cert_file>},
      {"--cluster-signing-key-file", "clusterSigningKeyFile", "FILE",
       "Key of --cluster-signing-cert-file (mode 0600)",
       SetFile<&CoordinatorConfig::cluster_signing_key_file>},
      {"--tls-san", "tlsSan", "NAMES",
       "Extra IP addresses and DNS names, comma-separated, for the serving certificate the "
       "coordinator makes (besides its hostname, localhost and its interfaces' addresses)",
       SetTlsSans},
      {"--node-cert-ttl", "nodeCertTtl", "DURATION",
       "How long a node certificate lasts; agents renew at two thirds (default 720h)",
       SetNodeCertTtl},
      {"--encryption-provider-config", "encryptionProviderConfig", "FILE",
       "EncryptionConfiguration (apiserver.config.k8s.io/v1) for Secrets at rest: aesgcm keys "
       "and identity; the first provider writes (default <data-dir>/pki/encryption-config.yaml, "
       "made with a new key on first start)",
       SetFile<&CoordinatorConfig::encryption_provider_config>},
      {"--audit-log-path", "auditLogPath", "FILE",
       "The audit log, one JSON line per change or refusal (default <data-dir>/audit.log)",
       SetFile<&CoordinatorConfig::audit_log_path>},
      {"--audit-log-maxsize", "auditLogMaxSize", "MB",
       "Size in megabytes at which the audit log is rotated (default 100)",
       SetCount<&CoordinatorConfig::audit_log_max_size_mb>},
      {"--audit-log-maxbackup", "auditLogMaxBackup", "N", "Rotated audit logs kept (default 10)",
       SetCount<&CoordinatorConfig::audit_log_max_backup>},
      {"--etcd-servers", "etcdServers", "URLS",
       "etcd members, comma-separated (https://HOST:2379,...): the store several coordinators "
       "share; without it the store is SQLite in --data-dir",
       SetEtcdServers},
      {"--etcd-cafile", "etcdCafile", "FILE", "CA that signs the etcd members' certificates",
       SetFile<&CoordinatorConfig::etcd_cafile>},
      {"--etcd-certfile", "etcdCertfile", "FILE", "Client certificate for etcd",
       SetFile<&CoordinatorConfig::etcd_certfile>},
      {"--etcd-keyfile", "etcdKeyfile", "FILE", "Key of --etcd-certfile (mode 0600)",
       SetFile<&CoordinatorConfig::etcd_keyfile>},
      {"--etcd-prefix", "etcdPrefix", "PREFIX",
       "Where in etcd this fleet's keys live (default /fleetset)", SetEtcdPrefix},
      {"--leader-elect-lease-duration", "leaderElectLeaseDuration", "DURATION",
       "With etcd: how long the leader's lease lasts without renewal, and so how long a dead "
       "leader keeps the others from taking over (default 10s)",
       SetLeaseDuration},
      {"--etcd-compaction-interval", "etcdCompactionInterval", "DURATION",
       "With etcd: how often its history is compacted, keeping one interval of it; 0: never, "
       "leaving it to etcd's --auto-compaction-retention (default 5m)",
       SetIntervalOrNever<&CoordinatorConfig::etcd_compaction_interval>},
      {"--etcd-db-metric-poll-interval", "etcdDbMetricPollInterval", "DURATION",
       "With etcd: how often each member's database size is asked for the metrics; 0: never "
       "(default 30s)",
       SetIntervalOrNever<&CoordinatorConfig::etcd_db_metric_poll_interval>},
      {"--name", "name", "NAME", "This coordinator's name among several (default: the host name)",
       SetName},
      {"--advertise-address", "advertiseAddress", "HOST:PORT",
       "The address `fleetsetctl get coordinators` lists for this coordinator (default: the "
       "host name with the --listen port)",
       SetAdvertiseAddress},
  };
  return kSettings;
}

// Applies the YAML file at `path`; appends "FILE:LINE: key: reason" errors.
void ApplyFile(const std::string& path, CoordinatorConfig& config,
               std::vector<std::string>& errors) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    errors.push_back(path + ": cannot read the file");
    return;
  } catch (const YAML::Exception& e) {
    errors.push_back(path + ":" + std::to_string(e.mark.line + 1) +
                     ": YAML syntax error: " + e.msg);
    return;
  }
  if (root.IsNull()) return;
  if (!root.IsMap()) {
    errors.push_back(path + ": must be a map of settings");
    return;
  }
  for (const auto& entry : root) {
    const std::string key = entry.first.Scalar();
    const std::string where = path + ":" + std::to_string(entry.first.Mark().line + 1) + ": " + key;
    auto setting = std::find_if(Settings().begin(), Settings().end(),
                                [&](const Setting& candidate) { return key == candidate.key; });
    if (setting == Settings().end()) {
      errors.push_back(where + ": unknown setting");
    } else if (!entry.second.IsScalar()) {
      errors.push_back(where + ": must be a single value");
    } else if (std::string problem = setting->set(entry.second.Scalar(), config);
               !problem.empty()) {
      errors.push_back(where + ": " + problem);
    }
  }
}

}  // namespace

CoordinatorCommandLine ParseCoordinatorCommandLine(const std::vector<std::string>& args,
                                                   std::ostream& out, std::ostream& err) {
  CoordinatorCommandLine result;
  CLI::App app{
      "fleetset-coordinator stores DaemonSets and nodes in SQLite (or, with several "
      "coordinators, in etcd), serves agents and fleetsetctl over gRPC, and drives rolling "
      "updates across the fleet.",
      "fleetset-coordinator"};
  app.set_version_flag("--version", std::string("fleetset-coordinator v") + kVersion);
  app.footer(
      "To move a fleet between SQLite and etcd: fleetset-coordinator migrate --help "
      "(docs/operations.md).");
  std::string config_file;
  app.add_option("--config", config_file,
                 "YAML file of settings (default /etc/fleetset/coordinator.yaml when it exists)");
  std::map<std::string, std::string> flag_values;
  for (const Setting& setting : Settings()) {
    app.add_option(setting.flag, flag_values[setting.flag], setting.help)
        ->type_name(setting.value_name);
  }
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::Success& success) {
    result.exit = true;
    result.exit_code = app.exit(success, out, err);
    return result;
  } catch (const CLI::ParseError& error) {
    result.exit = true;
    app.exit(error, out, err);
    result.exit_code = kExitUsage;
    return result;
  }
  std::vector<std::string> errors;
  if (config_file.empty() && std::filesystem::exists(kDefaultConfigFile)) {
    config_file = kDefaultConfigFile;
  }
  if (!config_file.empty()) ApplyFile(config_file, result.config, errors);
  for (const Setting& setting : Settings()) {
    if (app.count(setting.flag) == 0) continue;
    std::string problem = setting.set(flag_values[setting.flag], result.config);
    if (!problem.empty()) errors.push_back(std::string(setting.flag) + ": " + problem);
  }
  const CoordinatorConfig& config = result.config;
  const bool etcd_tls = !config.etcd_certfile.empty() || !config.etcd_keyfile.empty();
  if (etcd_tls && (config.etcd_certfile.empty() || config.etcd_keyfile.empty())) {
    errors.push_back("--etcd-certfile and --etcd-keyfile: give both or neither");
  }
  if ((etcd_tls || !config.etcd_cafile.empty()) && config.etcd_servers.empty()) {
    errors.push_back("--etcd-cafile, --etcd-certfile, --etcd-keyfile: need --etcd-servers");
  }
  if (!errors.empty()) {
    for (const std::string& error : errors) err << "fleetset-coordinator: " << error << "\n";
    result.exit = true;
    result.exit_code = kExitConfig;
  }
  return result;
}

}  // namespace fleetset::coordinator
