// fleetsetctl's argument parsing: resource aliases, label and taint
// changes (with kubectl's errors), durations and where the server address
// comes from.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "ctl/connection.h"
#include "ctl/node_change_args.h"
#include "ctl/resources.h"
#include "fleetset/pki/issuer.h"
#include "fleetset/pki/keys.h"
#include "fleetset/strings.h"

namespace fleetset::ctl {
namespace {

using ::testing::HasSubstr;

TEST(CtlResourceArgsTest, AcceptsKubectlsAliases) {
  for (const char* alias :
       {"ds", "daemonset", "daemonsets", "DaemonSets", "daemonset.apps", "daemonsets.apps"}) {
    ASSERT_NE(FindResourceType(alias), nullptr) << alias;
    EXPECT_EQ(FindResourceType(alias)->kind, ResourceKind::kDaemonSet) << alias;
  }
  for (const char* alias : {"no", "node", "nodes"}) {
    EXPECT_EQ(FindResourceType(alias)->kind, ResourceKind::kNode) << alias;
  }
  for (const char* alias : {"po", "pod", "pods"}) {
    EXPECT_EQ(FindResourceType(alias)->kind, ResourceKind::kPod) << alias;
  }
  EXPECT_EQ(FindResourceType("deployments"), nullptr);
}

TEST(CtlResourceArgsTest, ParsesTypeNameAndSlashForms) {
  std::string error;
  auto spaced = ParseResourceArgs({"ds", "a", "b"}, "get", &error);
  ASSERT_TRUE(spaced) << error;
  EXPECT_EQ(spaced->type->kind, ResourceKind::kDaemonSet);
  EXPECT_EQ(spaced->names, (std::vector<std::string>{"a", "b"}));
  auto slashed = ParseResourceArgs({"daemonset/fluentd", "ds/other"}, "get", &error);
  ASSERT_TRUE(slashed) << error;
  EXPECT_EQ(slashed->names, (std::vector<std::string>{"fluentd", "other"}));
  EXPECT_EQ(QualifiedName(*slashed->type, "fluentd"), "daemonset.apps/fluentd");
}

TEST(CtlResourceArgsTest, RejectsAsKubectlDoes) {
  std::string error;
  EXPECT_FALSE(ParseResourceArgs({"deploy"}, "get", &error));
  EXPECT_EQ(error, "the server doesn't have a resource type \"deploy\"");
  EXPECT_FALSE(ParseResourceArgs({}, "get", &error));
  EXPECT_TRUE(error.starts_with("You must specify the type of resource to get.")) << error;
  EXPECT_FALSE(ParseResourceArgs({"ds", "ds/x"}, "get", &error));
  EXPECT_TRUE(error.starts_with("there is no need to specify a resource type")) << error;
  EXPECT_FALSE(
      ParseResourceArgsOf({"pod/x"}, "rollout status", {ResourceKind::kDaemonSet}, &error));
}

TEST(CtlLabelArgsTest, SplitsResourcesFromChanges) {
  std::string error;
  auto split =
      SplitResourcesAndChanges({"node", "k8s-01", "logger=fluentd", "old-"}, "label", &error);
  ASSERT_TRUE(split) << error;
  EXPECT_EQ(split->resources, (std::vector<std::string>{"node", "k8s-01"}));
  EXPECT_EQ(split->changes, (std::vector<std::string>{"logger=fluentd", "old-"}));
  EXPECT_FALSE(SplitResourcesAndChanges({"node", "a=b", "k8s-01"}, "label", &error));
  EXPECT_EQ(error, "all resources must be specified before label changes: k8s-01");
}

TEST(CtlLabelArgsTest, ParsesSetsAndRemovals) {
  std::string error;
  auto changes = ParseLabelChanges({"logger=fluentd", "empty=", "old-"}, &error);
  ASSERT_TRUE(changes) << error;
  EXPECT_EQ(changes->set,
            (std::map<std::string, std::string>{{"empty", ""}, {"logger", "fluentd"}}));
  EXPECT_EQ(changes->remove, (std::vector<std::string>{"old"}));
}

TEST(CtlLabelArgsTest, ReportsKubectlsErrors) {
  std::string error;
  EXPECT_FALSE(ParseLabelChanges({"a=b=c"}, &error));
  EXPECT_EQ(error, "invalid label spec: a=b=c");
  EXPECT_FALSE(ParseLabelChanges({"a=b c"}, &error));
  EXPECT_TRUE(error.starts_with("invalid label value: \"a=b c\": ")) << error;
  EXPECT_FALSE(ParseLabelChanges({"a=b", "a-"}, &error));
  EXPECT_EQ(error, "can not both modify and remove a label in the same command");
  EXPECT_FALSE(ParseLabelChanges({}, &error));
  EXPECT_EQ(error, "at least one label update is required");
}

TEST(CtlTaintArgsTest, ParsesAdditionsAndRemovals) {
  std::string error;
  auto changes = ParseTaintChanges(
      {"key1=value1:NoSchedule", "dedicated:NoExecute", "key1=value1:NoSchedule-", "gone-"},
      &error);
  ASSERT_TRUE(changes) << error;
  ASSERT_EQ(changes->add.size(), 2u);
  EXPECT_EQ(changes->add[0].key(), "key1");
  EXPECT_EQ(changes->add[0].value(), "value1");
  EXPECT_EQ(changes->add[0].effect(), "NoSchedule");
  EXPECT_EQ(changes->add[1].value(), "");
  ASSERT_EQ(changes->remove.size(), 2u);
  EXPECT_EQ(changes->remove[0].key(), "key1");
  EXPECT_EQ(changes->remove[0].effect(), "NoSchedule");
  EXPECT_EQ(changes->remove[0].value(), "");
  EXPECT_EQ(changes->remove[1].key(), "gone");
  EXPECT_EQ(changes->remove[1].effect(), "");
}

TEST(CtlTaintArgsTest, ReportsKubectlsErrors) {
  std::string error;
  // Without an effect the whole text is the key, as kubectl reads it.
  EXPECT_FALSE(ParseTaintChanges({"key1=value1"}, &error));
  EXPECT_TRUE(error.starts_with("invalid taint spec: key1=value1, name part must consist of"))
      << error;
  EXPECT_FALSE(ParseTaintChanges({"key1"}, &error));
  EXPECT_EQ(error, "invalid taint spec: key1");
  EXPECT_FALSE(ParseTaintChanges({"key1=value1:Sometimes"}, &error));
  EXPECT_EQ(error, "invalid taint effect: Sometimes, unsupported taint effect");
  EXPECT_FALSE(ParseTaintChanges({"a:b:NoSchedule"}, &error));
  EXPECT_EQ(error, "invalid taint spec: a:b:NoSchedule");
  EXPECT_FALSE(ParseTaintChanges({"k=1:NoSchedule", "k=2:NoSchedule"}, &error));
  EXPECT_EQ(error, "duplicated taints with the same key and effect: k=2:NoSchedule");
  EXPECT_FALSE(ParseTaintChanges({"bad key:NoSchedule"}, &error));
  EXPECT_TRUE(error.starts_with("invalid taint spec: bad key:NoSchedule, ")) << error;
  std::string split_error;
  EXPECT_FALSE(SplitResourcesAndChanges({"node", "k:NoSchedule", "n2"}, "taint", &split_error));
  EXPECT_EQ(split_error, "all resources must be specified before taint changes: n2");
}

TEST(CtlDurationTest, ParsesKubectlsForms) {
  EXPECT_EQ(ParseKubectlDuration("30"), std::chrono::seconds(30));
  EXPECT_EQ(ParseKubectlDuration("0"), std::chrono::milliseconds(0));
  EXPECT_EQ(ParseKubectlDuration("0s"), std::chrono::milliseconds(0));
  EXPECT_EQ(ParseKubectlDuration("1m30s"), std::chrono::seconds(90));
  EXPECT_EQ(ParseKubectlDuration("500ms"), std::chrono::milliseconds(500));
  EXPECT_EQ(ParseKubectlDuration("2h"), std::chrono::hours(2));
  EXPECT_FALSE(ParseKubectlDuration("soon"));
  EXPECT_FALSE(ParseKubectlDuration("5x"));
  EXPECT_FALSE(ParseKubectlDuration(""));
}

class CtlServerResolutionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("ctl-config-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_ / "home/.config/fleetset");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& relative, const std::string& text) {
    const auto path = dir_ / relative;
    std::ofstream(path) << text;
    return path.string();
  }
  // A config naming `server`, with credentials (their content is not read
  // here).
  std::string WriteConfig(const std::string& relative, const std::string& server) {
    pki::ClientConfig config{{server}, "ca", "certificate", "key"};
    return Write(relative, pki::RenderClientConfig(config));
  }
  Environment Env(std::map<std::string, std::string> values) {
    return [values](const std::string& name) -> std::optional<std::string> {
      if (auto it = values.find(name); it != values.end()) return it->second;
      return std::nullopt;
    };
  }
  std::optional<ClientSettings> Settings(const std::string& config_flag, const std::string& flag,
                                         const Environment& env, std::string* error) {
    return ResolveClient(config_flag, flag, env, error, (dir_ / "etc.yaml").string());
  }
  std::string Resolve(const std::string& flag, const Environment& env,
                      const std::string& config_flag = "") {
    std::string error;
    auto settings = Settings(config_flag, flag, env, &error);
    EXPECT_TRUE(settings) << error;
    return settings ? Join(settings->servers, ",") : "";
  }

  std::filesystem::path dir_;
};

TEST_F(CtlServerResolutionTest, FlagThenEnvironmentThenConfigThenDefault) {
  const std::string home = (dir_ / "home").string();
  WriteConfig("home/.config/fleetset/config.yaml", "home-config:7400");
  WriteConfig("etc.yaml", "system-config:7400");
  const std::string explicit_config = WriteConfig("explicit.yaml", "explicit:7400");
  const std::string flagged_config = WriteConfig("flagged.yaml", "flagged:7400");

  EXPECT_EQ(Resolve("flag:1", Env({{"FLEETSET_SERVER", "env:2"}, {"HOME", home}})), "flag:1");
  EXPECT_EQ(Resolve("", Env({{"FLEETSET_SERVER", "env:2"}, {"HOME", home}})), "env:2");
  EXPECT_EQ(Resolve("", Env({{"FLEETSET_CONFIG", explicit_config}, {"HOME", home}})),
            "explicit:7400");
  EXPECT_EQ(Resolve("", Env({{"FLEETSET_CONFIG", explicit_config}}), flagged_config),
            "flagged:7400");
  EXPECT_EQ(Resolve("", Env({{"HOME", home}})), "home-config:7400");
  std::filesystem::remove(dir_ / "home/.config/fleetset/config.yaml");
  EXPECT_EQ(Resolve("", Env({{"HOME", home}})), "system-config:7400");
  Write("etc.yaml", pki::RenderClientConfig({{}, "ca", "certificate", "key"}));
  EXPECT_EQ(Resolve("", Env({{"HOME", home}})), "127.0.0.1:7400");
}

TEST_F(CtlServerResolutionTest, EachSourceMayListSeveralCoordinators) {
  const std::string home = (dir_ / "home").string();
  Write("home/.config/fleetset/config.yaml",
        pki::RenderClientConfig({{"c1:7400", "c2:7400", "c3:7400"}, "ca", "certificate", "key"}));

  EXPECT_EQ(Resolve("a:7400,b:7400", Env({{"FLEETSET_SERVER", "e:1,f:1"}, {"HOME", home}})),
            "a:7400,b:7400");
  EXPECT_EQ(Resolve("", Env({{"FLEETSET_SERVER", "e:1, f:1,"}, {"HOME", home}})), "e:1,f:1");
  EXPECT_EQ(Resolve("", Env({{"HOME", home}})), "c1:7400,c2:7400,c3:7400");
  // An address given twice is tried once.
  EXPECT_EQ(Resolve("a:1,b:1,a:1", Env({{"HOME", home}})), "a:1,b:1");

  std::string error;
  EXPECT_FALSE(Settings("", " , ", Env({{"HOME", home}}), &error));
  EXPECT_EQ(error, "--server \" , \" names no coordinator (HOST:PORT,...)");
}

TEST_F(CtlServerResolutionTest, NoConfigSaysWhereItLooked) {
  const std::string home = (dir_ / "home").string();
  std::string error;
  EXPECT_FALSE(Settings("", "", Env({{"HOME", home}}), &error));
  EXPECT_THAT(error, HasSubstr("no credentials: no fleetsetctl config at " + home +
                               "/.config/fleetset/config.yaml or " + (dir_ / "etc.yaml").string()));
  EXPECT_THAT(error, HasSubstr("FLEETSET_CONFIG"));
  EXPECT_FALSE(Settings("", "", Env({{"FLEETSET_CONFIG", "/nowhere.yaml"}}), &error));
  EXPECT_THAT(error, HasSubstr("no fleetsetctl config at /nowhere.yaml ("));
}

TEST_F(CtlServerResolutionTest, AConfigWithoutCredentialsNamesWhatIsMissing) {
  const std::string old = Write("old.yaml", "server: coordinator:7400\n");
  std::string error;
  EXPECT_FALSE(Settings(old, "", Env({}), &error));
  EXPECT_THAT(error, HasSubstr("config file " + old + " has no certificate-authority-data"));
  const std::string no_key =
      Write("no-key.yaml", pki::RenderClientConfig({{"c:1"}, "ca", "certificate", ""}));
  EXPECT_FALSE(Settings(no_key, "", Env({}), &error));
  EXPECT_THAT(error, HasSubstr("has no client-key-data"));
}

TEST(CtlClientCertificateTest, AnExpiredOrMismatchedCertificateIsNamedBeforeDialling) {
  const auto issued = std::chrono::system_clock::now() - std::chrono::hours(48);
  const pki::PrivateKey ca_key = pki::PrivateKey::GenerateEcP256();
  const pki::Certificate ca =
      pki::CreateSelfSignedCa(ca_key, "fleetset-ca", issued, std::chrono::hours(24 * 365));
  const pki::PrivateKey key = pki::PrivateKey::GenerateEcP256();
  pki::IssueOptions options;
  options.subject = {"alice", {"view"}};
  options.now = issued;
  options.validity = std::chrono::hours(24);
  ClientSettings settings;
  settings.config_path = "/home/alice/.config/fleetset/config.yaml";
  settings.config = {{"c:1"},
                     ca.ToPem(),
                     pki::IssueCertificate(ca, ca_key, key.Public(), options).ToPem(),
                     key.ToPem()};
  // Valid a day after it was issued, expired now.
  EXPECT_EQ(CheckClientCertificate(settings, issued + std::chrono::hours(1)), std::nullopt);
  const auto expired = CheckClientCertificate(settings, std::chrono::system_clock::now());
  ASSERT_TRUE(expired);
  EXPECT_THAT(*expired, HasSubstr("the client certificate in "
                                  "/home/alice/.config/fleetset/config.yaml expired at "));
  EXPECT_THAT(*expired, HasSubstr("ask an admin for a new config for user \"alice\""));
  settings.config.key_pem = pki::PrivateKey::GenerateEcP256().ToPem();
  const auto mismatched = CheckClientCertificate(settings, issued + std::chrono::hours(1));
  ASSERT_TRUE(mismatched);
  EXPECT_THAT(*mismatched, HasSubstr("is not the certificate's key"));
}

TEST_F(CtlServerResolutionTest, BrokenConfigIsAnError) {
  const std::string broken = Write("broken.yaml", "server: [unclosed\n");
  std::string error;
  EXPECT_FALSE(Settings("", "", Env({{"FLEETSET_CONFIG", broken}}), &error));
  EXPECT_NE(error.find("broken.yaml"), std::string::npos) << error;
}

TEST(CtlCallErrorTest, MapsCodesToKubectlsReasons) {
  const auto timeout = std::chrono::seconds(30);
  EXPECT_EQ(
      FormatCallError(grpc::Status(grpc::StatusCode::NOT_FOUND, "daemonsets.apps \"x\" not found"),
                      "h:1", true, timeout),
      "Error from server (NotFound): daemonsets.apps \"x\" not found");
  CallOptions create;
  create.context = "error when creating \"ds.yaml\"";
  EXPECT_EQ(FormatCallError(grpc::Status(grpc::StatusCode::ALREADY_EXISTS,
                                         "daemonsets.apps \"x\" already exists"),
                            "h:1", true, timeout, create),
            "Error from server (AlreadyExists): error when creating \"ds.yaml\": daemonsets.apps "
            "\"x\" already exists");
  EXPECT_EQ(FormatCallError(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                         "The DaemonSet \"x\" is invalid: spec: Required value"),
                            "h:1", true, timeout),
            "The DaemonSet \"x\" is invalid: spec: Required value");
  EXPECT_EQ(FormatCallError(grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "stale"), "h:1",
                            true, timeout),
            "Error from server (Conflict): stale");
  CallOptions client_check;
  client_check.precondition_is_client_check = true;
  EXPECT_EQ(FormatCallError(grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                                         "'logger' already has a value (fluentd), and --overwrite "
                                         "is false"),
                            "h:1", true, timeout, client_check),
            "error: 'logger' already has a value (fluentd), and --overwrite is false");
  EXPECT_EQ(FormatCallError(grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                         "failed to connect to all addresses; last error: UNKNOWN: "
                                         "ipv4:127.0.0.1:1: Failed to connect to remote host: "
                                         "Connection refused"),
                            "127.0.0.1:1", false, timeout),
            "error: cannot reach the coordinator at 127.0.0.1:1: connection refused");
  EXPECT_EQ(FormatCallError(grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "Deadline Exceeded"),
                            "10.0.0.9:7400", false, timeout),
            "error: cannot reach the coordinator at 10.0.0.9:7400: no connection within 30s");
  EXPECT_EQ(FormatCallError(grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "Deadline Exceeded"),
                            "h:1", true, timeout),
            "error: the coordinator at h:1 did not answer within 30s (--request-timeout)");
}

}  // namespace
}  // namespace fleetset::ctl
