#include "agent/agent_config.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <unistd.h>

#include <yaml-cpp/yaml.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <climits>
#include <cstdio>
#include <cstring>
#include <memory>
#include <set>

#include "fleetset/names.h"
#include "fleetset/pki/bootstrap_token.h"
#include "fleetset/quantity.h"
#include "fleetset/scheduling.h"
#include "fleetset/strings.h"
#include "fleetset/version.h"

namespace fleetset::agent {
namespace {

// A config file is a few dozen lines; anything much larger is a mistake
// (a wrong path), and refusing it keeps a typo from eating memory.
constexpr size_t kMaxConfigBytes = 1 << 20;

std::string Quoted(std::string_view text) { return "\"" + std::string(text) + "\""; }

std::string Trim(std::string_view text) {
  const size_t begin = text.find_first_not_of(" \t");
  if (begin == std::string_view::npos) return "";
  return std::string(text.substr(begin, text.find_last_not_of(" \t") - begin + 1));
}

std::string Lowercase(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// "a, b,c" -> {"a", "b", "c"}; "" -> {} so that an empty flag clears a list.
std::vector<std::string> SplitList(std::string_view text) {
  std::vector<std::string> items;
  if (Trim(text).empty()) return items;
  size_t start = 0;
  while (true) {
    const size_t comma = text.find(',', start);
    items.push_back(Trim(text.substr(start, comma - start)));
    if (comma == std::string_view::npos) return items;
    start = comma + 1;
  }
}

// --- Checks shared by the file and the flags ------------------------------
// Each returns why a value is wrong, or "" when it is fine.

std::string CheckLabel(const std::string& key, const std::string& value) {
  if (auto errors = CheckQualifiedName(key); !errors.empty()) {
    return "invalid key " + Quoted(key) + ": " + Join(errors, "; ");
  }
  if (auto errors = CheckLabelValue(value); !errors.empty()) {
    return "invalid value " + Quoted(value) + ": " + Join(errors, "; ");
  }
  return "";
}

// Taints from the file go through the same parser as the flag's
// "key=value:Effect", so both report a bad taint in the same words.
std::string CheckTaint(const v1::Taint& taint) {
  std::string error;
  return ParseTaint(FormatTaint(taint), &error) ? "" : error;
}

bool IsPort(std::string_view text) {
  int port = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), port);
  return error == std::errc() && end == text.data() + text.size() && port >= 1 && port <= 65535;
}

// host:port, with an IPv6 host in brackets ("[fd00::1]:7443").
std::string CheckCoordinator(std::string_view address) {
  std::string_view host;
  std::string_view port;
  if (address.starts_with('[')) {
    const size_t close = address.find("]:");
    if (close != std::string_view::npos) {
      host = address.substr(1, close - 1);
      port = address.substr(close + 2);
    }
  } else if (const size_t colon = address.rfind(':'); colon != std::string_view::npos) {
    host = address.substr(0, colon);
    port = address.substr(colon + 1);
  }
  const bool host_ok = !host.empty() && host.find_first_of(" \t,/") == std::string_view::npos &&
                       (address.starts_with('[') || host.find(':') == std::string_view::npos);
  if (!host_ok || !IsPort(port)) {
    return Quoted(address) + ": must be host:port with a port from 1 to 65535";
  }
  return "";
}

// --- Setters: text (a flag, or a scalar in the file) into the config ------
// Each returns why the text is wrong, or "" once it has stored the value.

std::string SetHostnameOverride(std::string_view text, AgentConfig& config) {
  // kubelet lowercases and trims the override too, so "Node-A" names node-a.
  const std::string name = Lowercase(Trim(text));
  if (!name.empty()) {
    if (auto errors = CheckDns1123Subdomain(name); !errors.empty()) {
      return Quoted(text) + ": " + Join(errors, "; ");
    }
  }
  config.hostname_override = name;
  return "";
}

std::string SetRuntimeEndpoint(std::string_view text, AgentConfig& config) {
  constexpr std::string_view kScheme = "unix://";
  if (!text.starts_with(kScheme) || text.size() == kScheme.size() + 1 ||
      text.substr(kScheme.size(), 1) != "/") {
    return Quoted(text) + ": must be unix:// followed by the absolute path of the CRI socket";
  }
  config.container_runtime_endpoint = std::string(text);
  return "";
}

std::string SetNodeLabels(std::string_view text, AgentConfig& config) {
  Labels labels;
  for (const std::string& item : SplitList(text)) {
    const size_t equals = item.find('=');
    if (equals == std::string::npos) return Quoted(item) + ": must be key=value";
    const std::string key = item.substr(0, equals);
    const std::string value = item.substr(equals + 1);
    if (std::string reason = CheckLabel(key, value); !reason.empty()) return reason;
    labels[key] = value;
  }
  config.node_labels = std::move(labels);
  return "";
}

std::string SetTaints(std::string_view text, AgentConfig& config) {
  std::vector<v1::Taint> taints;
  for (const std::string& item : SplitList(text)) {
    std::string error;
    std::optional<v1::Taint> taint = ParseTaint(item, &error);
    if (!taint) return error;
    taints.push_back(*std::move(taint));
  }
  config.register_with_taints = std::move(taints);
  return "";
}

std::string SetAbsolutePath(std::string_view text, std::string* path) {
  if (!text.starts_with('/')) return Quoted(text) + ": must be an absolute path";
  *path = std::string(text);
  return "";
}

std::string SetNodeIp(std::string_view text, AgentConfig& config) {
  const std::string address = Trim(text);
  // Empty: detect it, as for the other settings whose default is found.
  if (address.empty()) {
    config.node_ip.clear();
    return "";
  }
  in6_addr parsed{};
  if (inet_pton(AF_INET, address.c_str(), &parsed) != 1 &&
      inet_pton(AF_INET6, address.c_str(), &parsed) != 1) {
    return Quoted(text) + ": must be an IPv4 or IPv6 address";
  }
  config.node_ip = address;
  return "";
}

std::string SetCoordinators(std::string_view text, AgentConfig& config) {
  std::vector<std::string> addresses = SplitList(text);
  for (const std::string& address : addresses) {
    if (std::string reason = CheckCoordinator(address); !reason.empty()) return reason;
  }
  config.coordinators = std::move(addresses);
  return "";
}

std::string SetLogLevel(std::string_view text, AgentConfig& config) {
  static const std::map<std::string_view, spdlog::level::level_enum> kLevels = {
      {"trace", spdlog::level::trace}, {"debug", spdlog::level::debug},
      {"info", spdlog::level::info},   {"warn", spdlog::level::warn},
      {"error", spdlog::level::err},
  };
  const auto found = kLevels.find(text);
  if (found == kLevels.end()) return Quoted(text) + ": must be trace, debug, info, warn or error";
  config.log_level = found->second;
  return "";
}

std::string SetDuration(std::string_view text, std::chrono::milliseconds* duration) {
  std::optional<std::chrono::milliseconds> parsed = ParseDuration(text);
  if (!parsed || parsed->count() == 0) {
    return Quoted(text) + ": must be a duration from 1ms to 24h such as 500ms, 5s or 1m30s";
  }
  *duration = *parsed;
  return "";
}

// A whole decimal number and nothing else.
std::optional<int> ParseInt(std::string_view text) {
  int value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

std::string SetLogMaxSize(std::string_view text, AgentConfig& config) {
  const std::string trimmed = Trim(text);
  std::optional<Quantity> size = Quantity::Parse(trimmed);
  if (!size || size->IsNegative() || size->IsZero()) {
    return Quoted(trimmed) + ": must be a positive size such as 10Mi or 500Ki";
  }
  config.container_log_max_size = size->Value();
  return "";
}

std::string SetLogMaxFiles(std::string_view text, AgentConfig& config) {
  std::optional<int> files = ParseInt(Trim(text));
  // kubelet refuses fewer than two: the live file and one rotated.
  if (!files || *files < 2) return Quoted(text) + ": must be a whole number of at least 2";
  config.container_log_max_files = *files;
  return "";
}

std::string SetPercent(std::string_view text, int* percent) {
  std::optional<int> parsed = ParseInt(Trim(text));
  if (!parsed || *parsed < 0 || *parsed > 100) {
    return Quoted(text) + ": must be a whole percentage from 0 to 100";
  }
  *percent = *parsed;
  return "";
}

std::string SetToken(std::string_view text, AgentConfig& config) {
  const std::string token = Trim(text);
  if (!token.empty() && !pki::ParseBootstrapToken(token)) {
    // The value is a secret: never echoed.
    return "must be a bootstrap token [a-z0-9]{6}.[a-z0-9]{16} (fleetsetctl token create)";
  }
  config.bootstrap_token = token;
  return "";
}

std::string SetCaCertHash(std::string_view text, AgentConfig& config) {
  const std::string pin = Lowercase(Trim(text));
  constexpr std::string_view kPrefix = "sha256:";
  const bool hex = pin.size() == kPrefix.size() + 64 && pin.starts_with(kPrefix) &&
                   pin.find_first_not_of("0123456789abcdef", kPrefix.size()) == std::string::npos;
  if (!pin.empty() && !hex) {
    return Quoted(text) + ": must be sha256: and 64 hex digits (printed by fleetsetctl token " +
           "create --print-join-command)";
  }
  config.discovery_token_ca_cert_hash = pin;
  return "";
}

// An absolute path, or empty to clear the setting.
std::string SetOptionalPath(std::string_view text, std::string* path) {
  if (text.empty()) {
    path->clear();
    return "";
  }
  return SetAbsolutePath(text, path);
}

// --- The config file ---------------------------------------------------------

// Collects "FILE:LINE: path: reason" for problems found in the file.
class FileProblems {
 public:
  FileProblems(const std::string& file, std::vector<std::string>* errors)
      : file_(file), errors_(errors) {}

  void Add(const YAML::Node& at, const std::string& path, const std::string& reason) {
    std::string where = file_;
    // yaml-cpp counts lines from 0; editors count from 1.
    if (!at.Mark().is_null()) where += ":" + std::to_string(at.Mark().line + 1);
    errors_->push_back(where + ": " + (path.empty() ? "" : path + ": ") + reason);
  }

 private:
  const std::string& file_;
  std::vector<std::string>* errors_;
};

// A scalar, or a null (an empty value) read as "".
bool ScalarText(const YAML::Node& node, std::string* text) {
  if (node.IsNull()) {
    text->clear();
    return true;
  }
  if (!node.IsScalar()) return false;
  *text = node.Scalar();
  return true;
}

void ReadNodeLabels(const YAML::Node& node, const std::string& path, FileProblems& problems,
                    AgentConfig& config) {
  if (!node.IsMap()) return problems.Add(node, path, "must be a map of label keys to values");
  Labels labels;
  for (const auto& entry : node) {
    std::string value;
    if (!entry.first.IsScalar() || !ScalarText(entry.second, &value)) {
      problems.Add(entry.first, path, "keys and values must be strings");
      continue;
    }
    const std::string& key = entry.first.Scalar();
    const std::string entry_path = path + "[" + Quoted(key) + "]";
    if (std::string reason = CheckLabel(key, value); !reason.empty()) {
      problems.Add(entry.first, entry_path, reason);
      continue;
    }
    labels[key] = value;
  }
  config.node_labels = std::move(labels);
}

void ReadTaints(const YAML::Node& node, const std::string& path, FileProblems& problems,
                AgentConfig& config) {
  if (!node.IsSequence()) {
    return problems.Add(node, path, "must be a list of {key, value, effect}");
  }
  std::vector<v1::Taint> taints;
  for (size_t i = 0; i < node.size(); ++i) {
    const YAML::Node& item = node[i];
    const std::string item_path = path + "[" + std::to_string(i) + "]";
    if (!item.IsMap()) {
      problems.Add(item, item_path, "must be a map with key, value and effect");
      continue;
    }
    v1::Taint taint;
    bool readable = true;
    for (const auto& field : item) {
      const std::string name = field.first.IsScalar() ? field.first.Scalar() : "";
      std::string text;
      if (!ScalarText(field.second, &text)) {
        problems.Add(field.second, item_path + "." + name, "must be a string");
        readable = false;
      } else if (name == "key") {
        taint.set_key(text);
      } else if (name == "value") {
        taint.set_value(text);
      } else if (name == "effect") {
        taint.set_effect(text);
      } else {
        problems.Add(field.first, item_path, "unknown key " + Quoted(name));
        readable = false;
      }
    }
    if (!readable) continue;
    if (std::string reason = CheckTaint(taint); !reason.empty()) {
      problems.Add(item, item_path, reason);
      continue;
    }
    taints.push_back(std::move(taint));
  }
  config.register_with_taints = std::move(taints);
}

void ReadCoordinators(const YAML::Node& node, const std::string& path, FileProblems& problems,
                      AgentConfig& config) {
  if (!node.IsSequence()) return problems.Add(node, path, "must be a list of host:port");
  std::vector<std::string> addresses;
  for (size_t i = 0; i < node.size(); ++i) {
    const std::string item_path = path + "[" + std::to_string(i) + "]";
    if (!node[i].IsScalar()) {
      problems.Add(node[i], item_path, "must be a string host:port");
    } else if (std::string reason = CheckCoordinator(node[i].Scalar()); !reason.empty()) {
      problems.Add(node[i], item_path, reason);
    } else {
      addresses.push_back(node[i].Scalar());
    }
  }
  config.coordinators = std::move(addresses);
}

// --- The table of settings ---------------------------------------------------

using TextSetter = std::string (*)(std::string_view text, AgentConfig& config);
using YamlReader = void (*)(const YAML::Node& node, const std::string& path, FileProblems& problems,
                            AgentConfig& config);

struct Setting {
  const char* key;        // in the config file
  const char* flag;       // without the leading "--"
  const char* type_name;  // shown in --help
  const char* help;
  TextSetter set;
  // For settings that are a list or a map in the file; nullptr for scalars,
  // which the file and the flag both give as text.
  YamlReader read_yaml = nullptr;
  // Whether the flag takes a comma-separated list and may be repeated.
  bool list = false;
};

const std::vector<Setting>& Settings() {
  static const std::vector<Setting> kSettings = {
      {"hostnameOverride", "hostname-override", "NAME",
       "Node name (default: this machine's hostname, lowercased)", SetHostnameOverride},
      {"containerRuntimeEndpoint", "container-runtime-endpoint", "ENDPOINT",
       "CRI socket of containerd or CRI-O (default: unix:///run/containerd/containerd.sock)",
       SetRuntimeEndpoint},
      {"nodeLabels", "node-labels", "KEY=VALUE,...", "Labels added to those the agent discovers",
       SetNodeLabels, ReadNodeLabels, true},
      {"registerWithTaints", "register-with-taints", "KEY=VALUE:EFFECT,...",
       "Taints the node registers with", SetTaints, ReadTaints, true},
      {"staticPodPath", "pod-manifest-path", "DIR",
       "Directory of static DaemonSet manifests (default: /etc/fleetset/manifests)",
       [](std::string_view text, AgentConfig& config) {
         // Empty turns static pods off, as kubelet's empty staticPodPath does.
         if (text.empty()) {
           config.static_pod_path.clear();
           return std::string();
         }
         return SetAbsolutePath(text, &config.static_pod_path);
       }},
      {"rootDir", "root-dir", "DIR", "Where the agent keeps its state (default: /var/lib/fleetset)",
       [](std::string_view text, AgentConfig& config) {
         return SetAbsolutePath(text, &config.root_dir);
       }},
      {"nodeIP", "node-ip", "IP",
       "Address reported for the node (default: first non-loopback IPv4, else 127.0.0.1)",
       SetNodeIp},
      {"coordinators", "coordinator", "HOST:PORT,...",
       "Coordinator addresses; none: run standalone on static manifests", SetCoordinators,
       ReadCoordinators, true},
      {"podLogRoot", "pod-log-root", "DIR", "Root of container logs (default: /var/log/pods)",
       [](std::string_view text, AgentConfig& config) {
         return SetAbsolutePath(text, &config.pod_log_root);
       }},
      {"logLevel", "log-level", "LEVEL", "trace, debug, info, warn or error (default: info)",
       SetLogLevel},
      {"syncFrequency", "sync-frequency", "DURATION",
       "How often pods are re-checked against the runtime (default: 1s)",
       [](std::string_view text, AgentConfig& config) {
         return SetDuration(text, &config.sync_frequency);
       }},
      {"fileCheckFrequency", "file-check-frequency", "DURATION",
       "How often the static manifest directory is re-scanned (default: 5s)",
       [](std::string_view text, AgentConfig& config) {
         return SetDuration(text, &config.file_check_frequency);
       }},
      {"nodeStatusUpdateFrequency", "node-status-update-frequency", "DURATION",
       "How often a heartbeat is sent to the coordinator (default: 10s)",
       [](std::string_view text, AgentConfig& config) {
         return SetDuration(text, &config.node_status_update_frequency);
       }},
      {"metricsBindAddress", "metrics-bind-address", "HOST:PORT",
       "Address serving /metrics and /healthz over HTTP; empty: none (default: 127.0.0.1:10255)",
       [](std::string_view text, AgentConfig& config) {
         const std::string address = Trim(text);
         // Port 0 picks a free port (the log names it), for tests.
         const bool any_port = address.ends_with(":0");
         const std::string checked =
             any_port ? address.substr(0, address.size() - 1) + "1" : address;
         if (!address.empty()) {
           if (std::string reason = CheckCoordinator(checked); !reason.empty()) {
             return Quoted(address) + ": must be host:port with a port from 0 to 65535";
           }
         }
         config.metrics_bind_address = address;
         return std::string();
       }},
      {"bootstrapToken", "token", "TOKEN",
       "Bootstrap token to join the cluster with (fleetsetctl token create); prefer --token-file",
       SetToken},
      {"bootstrapTokenFile", "token-file", "FILE",
       "Root-only file holding the bootstrap token, read when the node has no certificate yet "
       "and no --token is given (default: /etc/fleetset/bootstrap-token)",
       [](std::string_view text, AgentConfig& config) {
         return SetOptionalPath(text, &config.bootstrap_token_file);
       }},
      {"discoveryTokenCACertHash", "discovery-token-ca-cert-hash", "sha256:HEX",
       "Pin of the cluster CA's public key; a coordinator whose CA differs is refused",
       SetCaCertHash},
      {"tlsCertFile", "tls-cert-file", "FILE",
       "The node's certificate from the operator's own CA (with --tls-private-key-file and "
       "--tls-ca-file), instead of joining",
       [](std::string_view text, AgentConfig& config) {
         return SetOptionalPath(text, &config.tls_cert_file);
       }},
      {"tlsPrivateKeyFile", "tls-private-key-file", "FILE",
       "The key of --tls-cert-file (mode 0600)",
       [](std::string_view text, AgentConfig& config) {
         return SetOptionalPath(text, &config.tls_private_key_file);
       }},
      {"tlsCAFile", "tls-ca-file", "FILE", "The CA the coordinators' certificates chain to",
       [](std::string_view text, AgentConfig& config) {
         return SetOptionalPath(text, &config.tls_ca_file);
       }},
      {"containerLogMaxSize", "container-log-max-size", "SIZE",
       "A running container's log is rotated past this size (default: 10Mi)", SetLogMaxSize},
      {"containerLogMaxFiles", "container-log-max-files", "N",
       "Log files kept per container, the live one included; at least 2 (default: 5)",
       SetLogMaxFiles},
      {"containerLogMonitorInterval", "container-log-monitor-interval", "DURATION",
       "How often container logs are checked for rotation (default: 10s)",
       [](std::string_view text, AgentConfig& config) {
         return SetDuration(text, &config.container_log_monitor_interval);
       }},
      {"imageGCHighThresholdPercent", "image-gc-high-threshold", "PERCENT",
       "Image filesystem use past which unused images are removed; 100 turns image garbage "
       "collection off (default: 85)",
       [](std::string_view text, AgentConfig& config) {
         return SetPercent(text, &config.image_gc_high_threshold_percent);
       }},
      {"imageGCLowThresholdPercent", "image-gc-low-threshold", "PERCENT",
       "Image filesystem use that image garbage collection brings use down to (default: 80)",
       [](std::string_view text, AgentConfig& config) {
         return SetPercent(text, &config.image_gc_low_threshold_percent);
       }},
      {"imageMinimumGCAge", "minimum-image-ttl-duration", "DURATION",
       "How long an image stays unused before it may be removed (default: 2m)",
       [](std::string_view text, AgentConfig& config) {
         std::optional<std::chrono::milliseconds> age = ParseDuration(Trim(text));
         if (!age) return Quoted(text) + ": must be a duration such as 0s, 2m or 1h";
         config.image_minimum_gc_age = *age;
         return std::string();
       }},
  };
  return kSettings;
}

const Setting* FindSettingByKey(std::string_view key) {
  for (const Setting& setting : Settings()) {
    if (key == setting.key) return &setting;
  }
  return nullptr;
}

std::optional<std::string> ReadWholeFile(const std::string& path, std::string* error) {
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file) {
    *error = path + ": cannot read: " + std::strerror(errno);
    return std::nullopt;
  }
  std::string text;
  char buffer[8192];
  size_t read = 0;
  while ((read = std::fread(buffer, 1, sizeof buffer, file.get())) > 0) {
    text.append(buffer, read);
    if (text.size() > kMaxConfigBytes) {
      *error = path + ": larger than " + std::to_string(kMaxConfigBytes) + " bytes";
      return std::nullopt;
    }
  }
  if (std::ferror(file.get())) {
    // Reading a directory fails here (EISDIR), not at fopen().
    *error = path + ": cannot read: " + std::strerror(errno);
    return std::nullopt;
  }
  return text;
}

// Parses the file's text; nullopt (with the reason in *errors) when it is not
// YAML or not a single document.
std::optional<YAML::Node> ParseConfigYaml(const std::string& path, const std::string& text,
                                          std::vector<std::string>* errors) {
  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAll(text);
  } catch (const YAML::Exception& e) {
    std::string where = path;
    if (!e.mark.is_null()) {
      where += ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1);
    }
    errors->push_back(where + ": YAML syntax error: " + e.msg);
    return std::nullopt;
  }
  if (documents.size() > 1) {
    errors->push_back(path + ": must hold a single YAML document, found " +
                      std::to_string(documents.size()));
    return std::nullopt;
  }
  return documents.empty() ? YAML::Node() : documents.front();
}

void ApplyFile(const std::string& path, AgentConfig& config, std::vector<std::string>* errors) {
  std::string read_error;
  std::optional<std::string> text = ReadWholeFile(path, &read_error);
  if (!text) return errors->push_back(read_error);
  std::optional<YAML::Node> root = ParseConfigYaml(path, *text, errors);
  // An empty file (or one holding only comments) means "all defaults".
  if (!root || root->IsNull()) return;
  FileProblems problems(path, errors);
  if (!root->IsMap()) return problems.Add(*root, "", "must be a map of settings");
  std::set<std::string> seen;
  for (const auto& entry : *root) {
    const std::string key = entry.first.IsScalar() ? entry.first.Scalar() : "";
    const Setting* setting = FindSettingByKey(key);
    if (setting == nullptr) {
      problems.Add(entry.first, "", "unknown key " + Quoted(key));
      continue;
    }
    // yaml-cpp keeps both copies of a repeated key; which one wins would be
    // a surprise, so neither does.
    if (!seen.insert(key).second) {
      problems.Add(entry.first, "", "duplicate key " + Quoted(key));
      continue;
    }
    // A key with no value keeps the default.
    if (entry.second.IsNull()) continue;
    if (setting->read_yaml != nullptr) {
      setting->read_yaml(entry.second, key, problems, config);
    } else if (!entry.second.IsScalar()) {
      problems.Add(entry.second, key, "must be a single value, not a list or a map");
    } else if (std::string reason = setting->set(entry.second.Scalar(), config); !reason.empty()) {
      problems.Add(entry.second, key, reason);
    }
  }
}

void ApplyFlags(const AgentFlags& flags, AgentConfig& config, std::vector<std::string>* errors) {
  for (const Setting& setting : Settings()) {
    const auto given = flags.values.find(setting.flag);
    if (given == flags.values.end()) continue;
    if (std::string reason = setting.set(given->second, config); !reason.empty()) {
      errors->push_back(std::string("--") + setting.flag + ": " + reason);
    }
  }
}

// As kubelet checks them: the low mark below the high one (unless garbage
// collection is off).
void CheckImageGcThresholds(const AgentConfig& config, std::vector<std::string>* errors) {
  if (config.image_gc_high_threshold_percent < 100 &&
      config.image_gc_low_threshold_percent >= config.image_gc_high_threshold_percent) {
    errors->push_back("imageGCLowThresholdPercent (" +
                      std::to_string(config.image_gc_low_threshold_percent) +
                      ") must be less than imageGCHighThresholdPercent (" +
                      std::to_string(config.image_gc_high_threshold_percent) + ")");
  }
}

// How the node proves who it is, checked on the final result: the
// operator's three files together, and a token with the pin it needs.
void CheckCredentials(const AgentConfig& config, std::vector<std::string>* errors) {
  const int files = !config.tls_cert_file.empty() + !config.tls_private_key_file.empty() +
                    !config.tls_ca_file.empty();
  if (files != 0 && files != 3) {
    errors->push_back(
        "--tls-cert-file, --tls-private-key-file and --tls-ca-file go together: give all three");
  }
  // A token file may not exist (yet, or any more once the node has joined):
  // its pin is checked when the agent reads it.
  if (!config.bootstrap_token.empty() && config.discovery_token_ca_cert_hash.empty()) {
    errors->push_back(
        "--token needs --discovery-token-ca-cert-hash: the pin of the CA of the coordinator it "
        "joins (fleetsetctl token create --print-join-command prints both)");
  }
}

// The one check that needs the final result: a node named after the machine
// needs a hostname that is a valid node name.
void CheckNodeName(const AgentConfig& config, std::vector<std::string>* errors) {
  if (!config.hostname_override.empty()) return;
  const std::string name = config.NodeName();
  if (auto problems = CheckDns1123Subdomain(name); !problems.empty()) {
    errors->push_back("the machine's hostname " + Quoted(name) + " is not a valid node name (" +
                      Join(problems, "; ") + "); set hostnameOverride or --hostname-override");
  }
}

// Adds the setting flags to `app`, storing what is given in `given`.
std::vector<std::pair<const Setting*, CLI::Option*>> AddSettingFlags(
    CLI::App& app, std::map<std::string, std::vector<std::string>>& given) {
  std::vector<std::pair<const Setting*, CLI::Option*>> options;
  for (const Setting& setting : Settings()) {
    CLI::Option* option =
        app.add_option(std::string("--") + setting.flag, given[setting.flag], setting.help)
            ->type_name(setting.type_name);
    if (setting.list) {
      // Repeating a list flag adds to it, as kubelet's map and slice flags do.
      option->delimiter(',');
    } else {
      option->expected(1)->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    }
    options.emplace_back(&setting, option);
  }
  return options;
}

}  // namespace

HostIdentity DetectHostIdentity() {
  HostIdentity host;
  char name[HOST_NAME_MAX + 1] = {};
  if (gethostname(name, sizeof name - 1) == 0) host.hostname = name;
  ifaddrs* interfaces = nullptr;
  if (getifaddrs(&interfaces) != 0) return host;
  for (const ifaddrs* it = interfaces; it != nullptr; it = it->ifa_next) {
    if (it->ifa_addr == nullptr || it->ifa_addr->sa_family != AF_INET) continue;
    if ((it->ifa_flags & IFF_UP) == 0 || (it->ifa_flags & IFF_LOOPBACK) != 0) continue;
    char text[INET_ADDRSTRLEN] = {};
    const auto* address = reinterpret_cast<const sockaddr_in*>(it->ifa_addr);
    if (inet_ntop(AF_INET, &address->sin_addr, text, sizeof text) != nullptr) {
      host.primary_ipv4 = text;
      break;
    }
  }
  freeifaddrs(interfaces);
  return host;
}

std::string AgentConfig::NodeName() const {
  return Lowercase(hostname_override.empty() ? host.hostname : hostname_override);
}

std::string AgentConfig::NodeIp() const { return node_ip.empty() ? host.primary_ipv4 : node_ip; }

ConfigResult LoadAgentConfig(const AgentFlags& flags, const HostIdentity& host) {
  AgentConfig config;
  config.host = host;
  std::vector<std::string> errors;
  if (!flags.config_file.empty()) ApplyFile(flags.config_file, config, &errors);
  ApplyFlags(flags, config, &errors);
  if (errors.empty()) CheckNodeName(config, &errors);
  if (errors.empty()) CheckCredentials(config, &errors);
  if (errors.empty()) CheckImageGcThresholds(config, &errors);
  if (!errors.empty()) return ConfigError{Join(errors, "\n"), kExitConfig};
  return config;
}

CommandLineResult ParseAgentCommandLine(const std::vector<std::string>& args, std::ostream& out,
                                        const HostIdentity& host) {
  CLI::App app{"fleetset-agent runs DaemonSet pods on this node through its CRI runtime.",
               "fleetset-agent"};
  app.set_version_flag("--version", std::string("fleetset-agent v") + kVersion);
  app.require_subcommand(0, 1);
  AgentFlags flags;
  std::map<std::string, std::vector<std::string>> given;
  constexpr char kConfigHelp[] = "YAML config file; flags override its settings";
  app.add_option("--config", flags.config_file, kConfigHelp)->type_name("FILE");
  std::vector<std::pair<const Setting*, CLI::Option*>> options = AddSettingFlags(app, given);

  CLI::App* status =
      app.add_subcommand("status", "Print what the running agent last recorded, then exit");
  status->add_option("--config", flags.config_file, kConfigHelp)->type_name("FILE");
  const Setting* root_dir = nullptr;
  for (const Setting& setting : Settings()) {
    if (std::string_view(setting.flag) == "root-dir") root_dir = &setting;
  }
  options.emplace_back(root_dir, status->add_option("--root-dir", given["root-dir"], root_dir->help)
                                     ->type_name(root_dir->type_name)
                                     ->expected(1));

  std::vector<const char*> argv;
  for (const std::string& arg : args) argv.push_back(arg.c_str());
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::ParseError& e) {
    // Help and version are "errors" with exit code 0 in CLI11.
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) {
      return ExitRequest{app.exit(e, out, out)};
    }
    return ConfigError{std::string(e.what()) + "\nRun with --help for more information.",
                       kExitUsage};
  }
  for (const auto& [setting, option] : options) {
    if (option->count() > 0) flags.values[setting->flag] = Join(given[setting->flag], ",");
  }
  ConfigResult loaded = LoadAgentConfig(flags, host);
  if (auto* error = std::get_if<ConfigError>(&loaded)) return *error;
  return AgentInvocation{status->parsed() ? AgentMode::kStatus : AgentMode::kRun, flags,
                         std::get<AgentConfig>(std::move(loaded))};
}

CommandLineResult ParseAgentCommandLine(int argc, const char* const* argv, std::ostream& out) {
  return ParseAgentCommandLine(std::vector<std::string>(argv, argv + argc), out,
                               DetectHostIdentity());
}

ConfigResult ReloadAgentConfig(const AgentInvocation& invocation) {
  return LoadAgentConfig(invocation.flags, invocation.config.host);
}

}  // namespace fleetset::agent
