// The agent's configuration: defaults, the YAML file, flags over the file,
// every error message, and reloading.
#include "agent/agent_config.h"

#include "agent/credential_setup.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "fleetset/names.h"
#include "fleetset/scheduling.h"
#include "fleetset/version.h"

namespace fleetset::agent {
namespace {

using std::chrono::milliseconds;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

const HostIdentity kHost{"Test-Host", "10.0.0.7"};

class AgentConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "agent-config-XXXXXX";
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    file_ = dir_ + "/agent.yaml";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void WriteConfig(const std::string& text) { std::ofstream(file_) << text; }

  // Loads file_ (holding `yaml`) with the given flags.
  ConfigResult LoadYaml(const std::string& yaml, std::map<std::string, std::string> flags = {}) {
    WriteConfig(yaml);
    return LoadAgentConfig(AgentFlags{file_, std::move(flags)}, kHost);
  }

  static AgentConfig Ok(ConfigResult result) {
    if (auto* error = std::get_if<ConfigError>(&result)) {
      ADD_FAILURE() << error->message;
      return AgentConfig{};
    }
    return std::get<AgentConfig>(std::move(result));
  }

  static std::string Error(const ConfigResult& result) {
    if (const auto* error = std::get_if<ConfigError>(&result)) {
      EXPECT_EQ(error->exit_code, kExitConfig);
      return error->message;
    }
    ADD_FAILURE() << "expected an error";
    return "";
  }

  CommandLineResult Parse(std::vector<std::string> args) {
    args.insert(args.begin(), "fleetset-agent");
    out_.str("");
    return ParseAgentCommandLine(args, out_, kHost);
  }

  std::string dir_;
  std::string file_;
  std::ostringstream out_;
};

std::string Reason(const std::vector<std::string>& problems) {
  std::string joined;
  for (const std::string& problem : problems) joined += (joined.empty() ? "" : "; ") + problem;
  return joined;
}

// --- Defaults and the file ---------------------------------------------------

TEST_F(AgentConfigTest, DefaultsWithoutFileOrFlags) {
  AgentConfig config = Ok(LoadAgentConfig(AgentFlags{}, kHost));
  EXPECT_EQ(config.NodeName(), "test-host");
  EXPECT_EQ(config.NodeIp(), "10.0.0.7");
  EXPECT_EQ(config.container_runtime_endpoint, "unix:///run/containerd/containerd.sock");
  EXPECT_TRUE(config.node_labels.empty());
  EXPECT_TRUE(config.register_with_taints.empty());
  EXPECT_EQ(config.static_pod_path, "/etc/fleetset/manifests");
  EXPECT_EQ(config.root_dir, "/var/lib/fleetset");
  EXPECT_TRUE(config.Standalone());
  EXPECT_EQ(config.pod_log_root, "/var/log/pods");
  EXPECT_EQ(config.log_level, spdlog::level::info);
  EXPECT_EQ(config.sync_frequency, milliseconds(1000));
  EXPECT_EQ(config.file_check_frequency, milliseconds(5000));
}

TEST_F(AgentConfigTest, ReadsEveryKey) {
  AgentConfig config = Ok(LoadYaml(R"(
hostnameOverride: Node-A
containerRuntimeEndpoint: unix:///var/run/crio/crio.sock
nodeLabels:
  logger: fluentd
  topology.kubernetes.io/zone: rack-12
registerWithTaints:
- {key: node-role.kubernetes.io/master, effect: NoSchedule}
- {key: dedicated, value: db, effect: NoExecute}
staticPodPath: /srv/manifests
rootDir: /srv/fleetset
nodeIP: 192.168.1.20
coordinators: [coord-1:7443, "[fd00::1]:7443"]
podLogRoot: /srv/logs
logLevel: debug
syncFrequency: 500ms
fileCheckFrequency: 1m30s
)"));
  EXPECT_EQ(config.NodeName(), "node-a");
  EXPECT_EQ(config.container_runtime_endpoint, "unix:///var/run/crio/crio.sock");
  EXPECT_EQ(config.node_labels,
            (Labels{{"logger", "fluentd"}, {"topology.kubernetes.io/zone", "rack-12"}}));
  ASSERT_EQ(config.register_with_taints.size(), 2u);
  EXPECT_EQ(FormatTaint(config.register_with_taints[0]),
            "node-role.kubernetes.io/master:NoSchedule");
  EXPECT_EQ(FormatTaint(config.register_with_taints[1]), "dedicated=db:NoExecute");
  EXPECT_EQ(config.static_pod_path, "/srv/manifests");
  EXPECT_EQ(config.root_dir, "/srv/fleetset");
  EXPECT_EQ(config.NodeIp(), "192.168.1.20");
  EXPECT_THAT(config.coordinators, ElementsAre("coord-1:7443", "[fd00::1]:7443"));
  EXPECT_FALSE(config.Standalone());
  EXPECT_EQ(config.pod_log_root, "/srv/logs");
  EXPECT_EQ(config.log_level, spdlog::level::debug);
  EXPECT_EQ(config.sync_frequency, milliseconds(500));
  EXPECT_EQ(config.file_check_frequency, milliseconds(90000));
}

TEST_F(AgentConfigTest, EmptyFileAndEmptyValuesKeepDefaults) {
  EXPECT_EQ(Ok(LoadYaml("# nothing yet\n")).root_dir, "/var/lib/fleetset");
  AgentConfig config = Ok(LoadYaml("rootDir:\nnodeIP: \"\"\nstaticPodPath: \"\"\n"));
  EXPECT_EQ(config.root_dir, "/var/lib/fleetset");
  EXPECT_EQ(config.NodeIp(), "10.0.0.7");
  // An empty static pod path turns static pods off, as in kubelet.
  EXPECT_EQ(config.static_pod_path, "");
}

TEST_F(AgentConfigTest, ShippedConfigLoadsAsTheDefaults) {
  const std::string shipped = std::string(FLEETSET_SOURCE_DIR) + "/config/agent.yaml";
  AgentConfig config = Ok(LoadAgentConfig(AgentFlags{shipped, {}}, kHost));
  const AgentConfig defaults = Ok(LoadAgentConfig(AgentFlags{}, kHost));
  EXPECT_EQ(config.NodeName(), defaults.NodeName());
  EXPECT_EQ(config.NodeIp(), defaults.NodeIp());
  EXPECT_EQ(config.container_runtime_endpoint, defaults.container_runtime_endpoint);
  EXPECT_EQ(config.node_labels, defaults.node_labels);
  EXPECT_TRUE(config.register_with_taints.empty());
  EXPECT_EQ(config.static_pod_path, defaults.static_pod_path);
  EXPECT_EQ(config.root_dir, defaults.root_dir);
  EXPECT_EQ(config.coordinators, defaults.coordinators);
  EXPECT_EQ(config.pod_log_root, defaults.pod_log_root);
  EXPECT_EQ(config.log_level, defaults.log_level);
  EXPECT_EQ(config.sync_frequency, defaults.sync_frequency);
  EXPECT_EQ(config.file_check_frequency, defaults.file_check_frequency);
}

// --- Flags -----------------------------------------------------------------------

TEST_F(AgentConfigTest, EveryFlag) {
  CommandLineResult result = Parse({
      "--hostname-override=Node-B",
      "--container-runtime-endpoint=unix:///tmp/cri.sock",
      "--node-labels=logger=fluentd,disk=ssd",
      "--register-with-taints=dedicated=db:NoSchedule,gpu:PreferNoSchedule",
      "--pod-manifest-path=/srv/manifests",
      "--root-dir=/srv/state",
      "--node-ip=fd00::7",
      "--coordinator=coord-1:7443,coord-2:7443",
      "--pod-log-root=/srv/logs",
      "--log-level=trace",
      "--sync-frequency=2s",
      "--file-check-frequency=1m",
  });
  ASSERT_TRUE(std::holds_alternative<AgentInvocation>(result))
      << std::get<ConfigError>(result).message;
  const AgentInvocation& invocation = std::get<AgentInvocation>(result);
  EXPECT_EQ(invocation.mode, AgentMode::kRun);
  const AgentConfig& config = invocation.config;
  EXPECT_EQ(config.NodeName(), "node-b");
  EXPECT_EQ(config.container_runtime_endpoint, "unix:///tmp/cri.sock");
  EXPECT_EQ(config.node_labels, (Labels{{"disk", "ssd"}, {"logger", "fluentd"}}));
  ASSERT_EQ(config.register_with_taints.size(), 2u);
  EXPECT_EQ(FormatTaint(config.register_with_taints[0]), "dedicated=db:NoSchedule");
  EXPECT_EQ(FormatTaint(config.register_with_taints[1]), "gpu:PreferNoSchedule");
  EXPECT_EQ(config.static_pod_path, "/srv/manifests");
  EXPECT_EQ(config.root_dir, "/srv/state");
  EXPECT_EQ(config.NodeIp(), "fd00::7");
  EXPECT_THAT(config.coordinators, ElementsAre("coord-1:7443", "coord-2:7443"));
  EXPECT_EQ(config.pod_log_root, "/srv/logs");
  EXPECT_EQ(config.log_level, spdlog::level::trace);
  EXPECT_EQ(config.sync_frequency, milliseconds(2000));
  EXPECT_EQ(config.file_check_frequency, milliseconds(60000));
}

TEST_F(AgentConfigTest, FlagsOverrideTheFile) {
  WriteConfig("rootDir: /from/file\nlogLevel: debug\nnodeLabels: {a: b}\n");
  CommandLineResult result =
      Parse({"--config", file_, "--root-dir", "/from/flag", "--node-labels", "c=d"});
  ASSERT_TRUE(std::holds_alternative<AgentInvocation>(result));
  const AgentConfig& config = std::get<AgentInvocation>(result).config;
  EXPECT_EQ(config.root_dir, "/from/flag");
  EXPECT_EQ(config.log_level, spdlog::level::debug);
  // A list or map flag replaces the file's value as a whole.
  EXPECT_EQ(config.node_labels, (Labels{{"c", "d"}}));
}

TEST_F(AgentConfigTest, RepeatedFlags) {
  CommandLineResult result = Parse({"--node-labels", "a=1", "--node-labels", "b=2", "--root-dir",
                                    "/first", "--root-dir", "/second"});
  ASSERT_TRUE(std::holds_alternative<AgentInvocation>(result));
  const AgentConfig& config = std::get<AgentInvocation>(result).config;
  EXPECT_EQ(config.node_labels, (Labels{{"a", "1"}, {"b", "2"}}));
  EXPECT_EQ(config.root_dir, "/second");
}

TEST_F(AgentConfigTest, EmptyListFlagClearsTheFilesList) {
  WriteConfig("coordinators: [coord:7443]\n");
  CommandLineResult result = Parse({"--config", file_, "--coordinator", ""});
  ASSERT_TRUE(std::holds_alternative<AgentInvocation>(result));
  EXPECT_TRUE(std::get<AgentInvocation>(result).config.Standalone());
}

TEST_F(AgentConfigTest, StatusSubcommand) {
  CommandLineResult result = Parse({"status", "--root-dir", "/srv/state"});
  ASSERT_TRUE(std::holds_alternative<AgentInvocation>(result));
  EXPECT_EQ(std::get<AgentInvocation>(result).mode, AgentMode::kStatus);
  EXPECT_EQ(std::get<AgentInvocation>(result).config.root_dir, "/srv/state");

  WriteConfig("rootDir: /from/file\n");
  result = Parse({"status", "--config", file_});
  ASSERT_TRUE(std::holds_alternative<AgentInvocation>(result));
  EXPECT_EQ(std::get<AgentInvocation>(result).config.root_dir, "/from/file");
}

TEST_F(AgentConfigTest, HelpAndVersionAreExitRequests) {
  CommandLineResult result = Parse({"--version"});
  ASSERT_TRUE(std::holds_alternative<ExitRequest>(result));
  EXPECT_EQ(std::get<ExitRequest>(result).exit_code, 0);
  EXPECT_EQ(out_.str(), std::string("fleetset-agent v") + kVersion + "\n");

  result = Parse({"--help"});
  ASSERT_TRUE(std::holds_alternative<ExitRequest>(result));
  EXPECT_EQ(std::get<ExitRequest>(result).exit_code, 0);
  EXPECT_THAT(out_.str(), HasSubstr("--register-with-taints KEY=VALUE:EFFECT,..."));
  EXPECT_THAT(out_.str(), HasSubstr("status"));

  result = Parse({"status", "--help"});
  ASSERT_TRUE(std::holds_alternative<ExitRequest>(result));
  EXPECT_THAT(out_.str(), HasSubstr("--root-dir DIR"));
}

TEST_F(AgentConfigTest, MalformedCommandLineIsAUsageError) {
  CommandLineResult result = Parse({"--frobnicate"});
  ASSERT_TRUE(std::holds_alternative<ConfigError>(result));
  EXPECT_EQ(std::get<ConfigError>(result).message,
            "The following argument was not expected: --frobnicate\n"
            "Run with --help for more information.");
  EXPECT_EQ(std::get<ConfigError>(result).exit_code, kExitUsage);

  // status takes only --config and --root-dir.
  result = Parse({"status", "--log-level", "debug"});
  ASSERT_TRUE(std::holds_alternative<ConfigError>(result));
  EXPECT_EQ(std::get<ConfigError>(result).exit_code, kExitUsage);
}

// --- Errors: each names the key or flag, and why ----------------------------

TEST_F(AgentConfigTest, UnknownKey) {
  EXPECT_EQ(Error(LoadYaml("rootDir: /x\nfoo: 1\n")), file_ + ":2: unknown key \"foo\"");
}

TEST_F(AgentConfigTest, DuplicateKey) {
  EXPECT_EQ(Error(LoadYaml("rootDir: /x\nrootDir: /y\n")), file_ + ":2: duplicate key \"rootDir\"");
}

TEST_F(AgentConfigTest, NotAMap) {
  EXPECT_EQ(Error(LoadYaml("- rootDir\n")), file_ + ":1: must be a map of settings");
  EXPECT_EQ(Error(LoadYaml("a: 1\n---\nb: 2\n")),
            file_ + ": must hold a single YAML document, found 2");
}

TEST_F(AgentConfigTest, YamlSyntaxErrorWithLineAndColumn) {
  EXPECT_EQ(Error(LoadYaml("rootDir: /x\nlogLevel: info\n  podLogRoot: /y\n")),
            file_ + ":3:13: YAML syntax error: illegal map value");
}

TEST_F(AgentConfigTest, UnreadableFile) {
  EXPECT_EQ(Error(LoadAgentConfig(AgentFlags{dir_ + "/missing.yaml", {}}, kHost)),
            dir_ + "/missing.yaml: cannot read: No such file or directory");
  EXPECT_EQ(Error(LoadAgentConfig(AgentFlags{dir_, {}}, kHost)),
            dir_ + ": cannot read: Is a directory");
}

TEST_F(AgentConfigTest, BadLabelInFile) {
  EXPECT_EQ(Error(LoadYaml("nodeLabels:\n  Bad Key: x\n")),
            file_ +
                ":2: nodeLabels[\"Bad Key\"]: invalid key \"Bad Key\": name part must consist of "
                "alphanumeric characters, '-', '_' or '.', and must start and end with an "
                "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used "
                "for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')");
  EXPECT_EQ(
      Error(LoadYaml("nodeLabels:\n  zone: a b\n")),
      file_ + ":2: nodeLabels[\"zone\"]: invalid value \"a b\": " + Reason(CheckLabelValue("a b")));
  EXPECT_EQ(Error(LoadYaml("nodeLabels: [a]\n")),
            file_ + ":1: nodeLabels: must be a map of label keys to values");
}

TEST_F(AgentConfigTest, BadLabelFlag) {
  EXPECT_EQ(Error(LoadAgentConfig(AgentFlags{"", {{"node-labels", "a=1,zone"}}}, kHost)),
            "--node-labels: \"zone\": must be key=value");
  EXPECT_EQ(Error(LoadAgentConfig(AgentFlags{"", {{"node-labels", "Bad Key=x"}}}, kHost)),
            "--node-labels: invalid key \"Bad Key\": " + Reason(CheckQualifiedName("Bad Key")));
}

TEST_F(AgentConfigTest, BadTaintFlag) {
  EXPECT_EQ(
      Error(LoadAgentConfig(AgentFlags{"", {{"register-with-taints", "a=b:Sometimes"}}}, kHost)),
      "--register-with-taints: invalid taint \"a=b:Sometimes\": effect \"Sometimes\" is not one "
      "of NoSchedule, PreferNoSchedule, NoExecute");
  EXPECT_EQ(Error(LoadAgentConfig(AgentFlags{"", {{"register-with-taints", "gpu"}}}, kHost)),
            "--register-with-taints: invalid taint \"gpu\": missing effect (expected "
            "key[=value]:effect)");
}

TEST_F(AgentConfigTest, BadTaintInFile) {
  EXPECT_EQ(
      Error(LoadYaml("registerWithTaints:\n- {key: dedicated, value: db, effect: Sometimes}\n")),
      file_ +
          ":2: registerWithTaints[0]: invalid taint \"dedicated=db:Sometimes\": effect "
          "\"Sometimes\" is not one of NoSchedule, PreferNoSchedule, NoExecute");
  EXPECT_EQ(
      Error(LoadYaml("registerWithTaints:\n- key: gpu\n  effect: NoSchedule\n  color: red\n")),
      file_ + ":4: registerWithTaints[0]: unknown key \"color\"");
  EXPECT_EQ(Error(LoadYaml("registerWithTaints: {key: gpu}\n")),
            file_ + ":1: registerWithTaints: must be a list of {key, value, effect}");
}

TEST_F(AgentConfigTest, BadDuration) {
  const std::string reason = ": must be a duration from 1ms to 24h such as 500ms, 5s or 1m30s";
  EXPECT_EQ(Error(LoadAgentConfig(AgentFlags{"", {{"sync-frequency", "5"}}}, kHost)),
            "--sync-frequency: \"5\"" + reason);
  EXPECT_EQ(Error(LoadYaml("fileCheckFrequency: 0s\n")),
            file_ + ":1: fileCheckFrequency: \"0s\"" + reason);
  EXPECT_EQ(Error(LoadYaml("syncFrequency: 25h\n")), file_ + ":1: syncFrequency: \"25h\"" + reason);
}

TEST_F(AgentConfigTest, BadScalarSettings) {
  EXPECT_EQ(Error(LoadYaml("containerRuntimeEndpoint: tcp://10.0.0.1:1234\n")),
            file_ +
                ":1: containerRuntimeEndpoint: \"tcp://10.0.0.1:1234\": must be unix:// followed "
                "by the absolute path of the CRI socket");
  EXPECT_EQ(Error(LoadYaml("rootDir: var/lib\n")),
            file_ + ":1: rootDir: \"var/lib\": must be an absolute path");
  EXPECT_EQ(Error(LoadYaml("nodeIP: 10.0.0\n")),
            file_ + ":1: nodeIP: \"10.0.0\": must be an IPv4 or IPv6 address");
  EXPECT_EQ(Error(LoadYaml("logLevel: verbose\n")),
            file_ + ":1: logLevel: \"verbose\": must be trace, debug, info, warn or error");
  EXPECT_EQ(Error(LoadYaml("rootDir: [/a]\n")),
            file_ + ":1: rootDir: must be a single value, not a list or a map");
  EXPECT_EQ(Error(LoadYaml("hostnameOverride: node_1\n")),
            file_ + ":1: hostnameOverride: \"node_1\": " + Reason(CheckDns1123Subdomain("node_1")));
}

TEST_F(AgentConfigTest, DiskSettingsHaveKubeletsDefaultsKeysAndFlags) {
  const AgentConfig defaults = Ok(LoadAgentConfig(AgentFlags{}, kHost));
  EXPECT_EQ(defaults.container_log_max_size, 10 * 1024 * 1024);
  EXPECT_EQ(defaults.container_log_max_files, 5);
  EXPECT_EQ(defaults.image_gc_high_threshold_percent, 85);
  EXPECT_EQ(defaults.image_gc_low_threshold_percent, 80);
  EXPECT_EQ(defaults.image_minimum_gc_age, std::chrono::minutes(2));
  const AgentConfig file = Ok(LoadYaml(
      "containerLogMaxSize: 1Mi\ncontainerLogMaxFiles: 3\ncontainerLogMonitorInterval: 1s\n"
      "imageGCHighThresholdPercent: 60\nimageGCLowThresholdPercent: 40\n"
      "imageMinimumGCAge: 0s\n"));
  EXPECT_EQ(file.container_log_max_size, 1024 * 1024);
  EXPECT_EQ(file.container_log_max_files, 3);
  EXPECT_EQ(file.container_log_monitor_interval, milliseconds(1000));
  EXPECT_EQ(file.image_gc_high_threshold_percent, 60);
  EXPECT_EQ(file.image_gc_low_threshold_percent, 40);
  EXPECT_EQ(file.image_minimum_gc_age, milliseconds(0));
  const AgentConfig flags = Ok(LoadAgentConfig(AgentFlags{"",
                                                          {{"container-log-max-size", "500Ki"},
                                                           {"container-log-max-files", "2"},
                                                           {"image-gc-high-threshold", "100"},
                                                           {"image-gc-low-threshold", "100"},
                                                           {"minimum-image-ttl-duration", "1h"}}},
                                               kHost));
  EXPECT_EQ(flags.container_log_max_size, 500 * 1024);
  EXPECT_EQ(flags.container_log_max_files, 2);
  // 100 turns collection off, so the low mark may equal it.
  EXPECT_EQ(flags.image_gc_high_threshold_percent, 100);
  EXPECT_EQ(flags.image_minimum_gc_age, std::chrono::hours(1));
}

TEST_F(AgentConfigTest, BadDiskSettingsNameTheKeyAndTheReason) {
  EXPECT_EQ(
      Error(LoadYaml("containerLogMaxSize: lots\n")),
      file_ + ":1: containerLogMaxSize: \"lots\": must be a positive size such as 10Mi or 500Ki");
  EXPECT_EQ(Error(LoadYaml("containerLogMaxFiles: 1\n")),
            file_ + ":1: containerLogMaxFiles: \"1\": must be a whole number of at least 2");
  EXPECT_EQ(Error(LoadYaml("imageGCHighThresholdPercent: 101\n")),
            file_ +
                ":1: imageGCHighThresholdPercent: \"101\": must be a whole percentage from 0 "
                "to 100");
  EXPECT_EQ(Error(LoadYaml("imageGCHighThresholdPercent: 50\nimageGCLowThresholdPercent: 50\n")),
            "imageGCLowThresholdPercent (50) must be less than imageGCHighThresholdPercent (50)");
  EXPECT_EQ(Error(LoadAgentConfig(AgentFlags{"", {{"minimum-image-ttl-duration", "soon"}}}, kHost)),
            "--minimum-image-ttl-duration: \"soon\": must be a duration such as 0s, 2m or 1h");
}

TEST_F(AgentConfigTest, BadCoordinator) {
  const std::string reason = "must be host:port with a port from 1 to 65535";
  EXPECT_EQ(Error(LoadYaml("coordinators: [coord]\n")),
            file_ + ":1: coordinators[0]: \"coord\": " + reason);
  EXPECT_EQ(Error(LoadAgentConfig(AgentFlags{"", {{"coordinator", "a:1,b:70000"}}}, kHost)),
            "--coordinator: \"b:70000\": " + reason);
  EXPECT_EQ(Error(LoadAgentConfig(AgentFlags{"", {{"coordinator", "fd00::1:7443"}}}, kHost)),
            "--coordinator: \"fd00::1:7443\": " + reason);
}

TEST_F(AgentConfigTest, ReportsEveryProblemFileFirstThenFlags) {
  WriteConfig("foo: 1\nlogLevel: loud\n");
  EXPECT_EQ(Error(LoadAgentConfig(AgentFlags{file_, {{"root-dir", "rel"}}}, kHost)),
            file_ + ":1: unknown key \"foo\"\n" + file_ +
                ":2: logLevel: \"loud\": must be trace, debug, info, warn or error\n"
                "--root-dir: \"rel\": must be an absolute path");
}

TEST_F(AgentConfigTest, MachineHostnameThatIsNoNodeName) {
  const HostIdentity host{"build_box", "10.0.0.7"};
  ConfigResult result = LoadAgentConfig(AgentFlags{}, host);
  EXPECT_EQ(Error(result), "the machine's hostname \"build_box\" is not a valid node name (" +
                               Reason(CheckDns1123Subdomain("build_box")) +
                               "); set hostnameOverride or --hostname-override");
  EXPECT_EQ(Ok(LoadAgentConfig(AgentFlags{"", {{"hostname-override", "box-1"}}}, host)).NodeName(),
            "box-1");
}

TEST_F(AgentConfigTest, CommandLineReportsConfigErrorsWithExitConfig) {
  CommandLineResult result = Parse({"--log-level", "loud"});
  ASSERT_TRUE(std::holds_alternative<ConfigError>(result));
  EXPECT_EQ(std::get<ConfigError>(result).message,
            "--log-level: \"loud\": must be trace, debug, info, warn or error");
  EXPECT_EQ(std::get<ConfigError>(result).exit_code, kExitConfig);
}

// --- Reload --------------------------------------------------------------------

TEST_F(AgentConfigTest, ReloadRereadsTheFileAndKeepsTheFlags) {
  WriteConfig("nodeLabels: {a: b}\nlogLevel: info\nrootDir: /from/file\n");
  CommandLineResult parsed = Parse({"--config", file_, "--root-dir", "/from/flag"});
  ASSERT_TRUE(std::holds_alternative<AgentInvocation>(parsed));
  const AgentInvocation& invocation = std::get<AgentInvocation>(parsed);

  WriteConfig("nodeLabels: {a: c}\nlogLevel: debug\nrootDir: /changed\n");
  AgentConfig reloaded = Ok(ReloadAgentConfig(invocation));
  EXPECT_EQ(reloaded.node_labels, (Labels{{"a", "c"}}));
  EXPECT_EQ(reloaded.log_level, spdlog::level::debug);
  EXPECT_EQ(reloaded.root_dir, "/from/flag");
  EXPECT_EQ(reloaded.NodeName(), "test-host");

  WriteConfig("nodeLabels: {a: c}\nlogLevel: loud\n");
  EXPECT_EQ(Error(ReloadAgentConfig(invocation)),
            file_ + ":2: logLevel: \"loud\": must be trace, debug, info, warn or error");
}

}  // namespace
}  // namespace fleetset::agent

namespace fleetset::agent {
namespace {

// --- Credentials --------------------------------------------------------------

class AgentCredentialSettingsTest : public AgentConfigTest {};

constexpr char kToken[] = "abcdef.0123456789abcdef";
const std::string kPin = "sha256:" + std::string(64, 'a');

TEST_F(AgentCredentialSettingsTest, TokenAndPinAreCheckedAndTheTokenNeverEchoed) {
  const AgentConfig config =
      Ok(LoadYaml("", {{"token", kToken}, {"discovery-token-ca-cert-hash", kPin}}));
  EXPECT_EQ(config.bootstrap_token, kToken);
  EXPECT_EQ(config.discovery_token_ca_cert_hash, kPin);
  EXPECT_EQ(config.bootstrap_token_file, "/etc/fleetset/bootstrap-token");

  const std::string bad_token = Error(LoadYaml("", {{"token", "secret-value.oops"}}));
  EXPECT_THAT(bad_token, HasSubstr("--token: must be a bootstrap token"));
  EXPECT_THAT(bad_token, ::testing::Not(HasSubstr("secret-value")));
  EXPECT_THAT(Error(LoadYaml("", {{"discovery-token-ca-cert-hash", "sha256:12"}})),
              HasSubstr("--discovery-token-ca-cert-hash: \"sha256:12\": must be sha256: and 64 "
                        "hex digits"));
  EXPECT_THAT(Error(LoadYaml("", {{"token", kToken}})),
              HasSubstr("--token needs --discovery-token-ca-cert-hash"));
}

TEST_F(AgentCredentialSettingsTest, TheOperatorsFilesGoTogether) {
  EXPECT_THAT(Error(LoadYaml("tlsCertFile: /etc/fleetset/node.crt\n")),
              HasSubstr("--tls-cert-file, --tls-private-key-file and --tls-ca-file go together"));
  const AgentConfig config =
      Ok(LoadYaml("tlsCertFile: /etc/fleetset/node.crt\ntlsPrivateKeyFile: /etc/fleetset/node.key\n"
                  "tlsCAFile: /etc/fleetset/ca.crt\n"));
  EXPECT_EQ(config.tls_private_key_file, "/etc/fleetset/node.key");
  EXPECT_THAT(Error(LoadYaml("tlsCAFile: ca.crt\n")), HasSubstr("must be an absolute path"));
}

TEST_F(AgentCredentialSettingsTest, TheTokenFileMustBePrivateAndIsOptionalOnceJoined) {
  AgentConfig config = Ok(LoadYaml("", {{"root-dir", dir_ + "/root"},
                                        {"token-file", dir_ + "/token"},
                                        {"discovery-token-ca-cert-hash", kPin}}));
  // No file, no certificate: the agent says what it lacks.
  NodeCredentialOptions options = CredentialOptionsFor(config);
  EXPECT_EQ(options.token, "");
  EXPECT_EQ(options.pki_dir, dir_ + "/root/pki");
  NodeCredentials credentials(options);
  try {
    LoadNodeCredentials(credentials, options);
    ADD_FAILURE() << "loaded credentials that are not there";
  } catch (const CredentialError& error) {
    EXPECT_THAT(error.what(), HasSubstr("no node certificate in " + dir_ +
                                        "/root/pki yet, and "
                                        "no --token to join with"));
  }

  std::ofstream(dir_ + "/token") << kToken << "\n";
  std::filesystem::permissions(dir_ + "/token", std::filesystem::perms::owner_read |
                                                    std::filesystem::perms::owner_write |
                                                    std::filesystem::perms::others_read);
  EXPECT_THROW(CredentialOptionsFor(config), CredentialError);
  std::filesystem::permissions(
      dir_ + "/token", std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  EXPECT_EQ(CredentialOptionsFor(config).token, kToken);
  // The token given itself wins over the file.
  config.bootstrap_token = "zyxwvu.0123456789abcdef";
  EXPECT_EQ(CredentialOptionsFor(config).token, "zyxwvu.0123456789abcdef");
}

}  // namespace
}  // namespace fleetset::agent
