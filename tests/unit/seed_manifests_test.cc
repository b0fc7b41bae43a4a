// Every DaemonSet manifest from the seed articles (tests/data/seeds), loaded
// the way every entry point loads them: the sound ones load without a
// single error, the flawed ones fail exactly where Kubernetes would.
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fleetset/manifest.h"

namespace fleetset {
namespace {

using ::testing::ElementsAreArray;
using ::testing::IsEmpty;

const std::filesystem::path kSeedDir =
    std::filesystem::path(FLEETSET_SOURCE_DIR) / "tests/data/seeds";

// Expected errors (FieldError::ToString) per seed file; empty = loads cleanly.
const std::map<std::string, std::vector<std::string>>& ExpectedErrors() {
  static const auto* const kExpected = new std::map<std::string, std::vector<std::string>>{
      {"000-monitoring-daemon.yaml",
       {"spec.template.metadata.labels: Invalid value: map[app:monitoring-agent]: selector does "
        "not match template labels"}},
      {"000-monitoring-daemon-fixed.yaml", {}},
      {"000-replicaset.yaml",
       {"kind: Unsupported value \"ReplicaSet\": kind ReplicaSet is not supported; fleetset "
        "manages DaemonSets (apps/v1)"}},
      {"001-broadcom-daemonset.yaml",
       {"apiVersion: Unsupported value \"extensions/v1beta1\": DaemonSet in extensions/v1beta1 "
        "was removed in Kubernetes 1.16; use apps/v1 (which requires spec.selector)"}},
      {"001-broadcom-daemonset-fixed.yaml", {}},
      {"002-nginx-daemonset.yaml", {}},
      {"002-nginx-deployment.yaml",
       {"kind: Unsupported value \"Deployment\": kind Deployment is not supported; fleetset "
        "manages DaemonSets (apps/v1)"}},
      {"003-fluentd-anti-affinity.yaml", {}},
      {"003-fluentd-elasticsearch.yaml", {}},
      {"003-fluentd-priority-class.yaml",
       {"spec.template.spec.containers[0].image: Required value"}},
      {"003-fluentd-priority-class-fixed.yaml", {}},
      {"003-fluentd-revision-history-excerpt.yaml",
       {"yaml: line 16, column 3: end of map not found"}},
      {"003-fluentd-revision-history-fixed.yaml", {}},
      {"003-priority-class.yaml",
       {"kind: Unsupported value \"PriorityClass\": kind PriorityClass is not supported; "
        "fleetset manages DaemonSets (apps/v1)"}},
      {"004-fluentd-elasticsearch.yaml", {}},
      {"004-fluentd-elasticsearch-node-selector.yaml", {}},
      {"004-fluentd-elasticsearch-tolerations.yaml", {}},
  };
  return *kExpected;
}

std::string ReadSeed(const std::string& name) {
  std::ifstream file(kSeedDir / name);
  EXPECT_TRUE(file.good()) << name;
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

// The one object of a seed file.
LoadedDaemonSet LoadSeed(const std::string& name) {
  std::vector<LoadedDaemonSet> loaded = LoadDaemonSets(ReadSeed(name), name);
  EXPECT_EQ(loaded.size(), 1u) << name;
  return loaded.empty() ? LoadedDaemonSet{} : loaded.front();
}

std::vector<std::string> Errors(const LoadedDaemonSet& loaded) {
  std::vector<std::string> errors;
  for (const FieldError& error : loaded.errors) errors.push_back(error.ToString());
  return errors;
}

TEST(SeedManifestsTest, EverySeedFileHasAnExpectation) {
  for (const auto& entry : std::filesystem::directory_iterator(kSeedDir)) {
    EXPECT_TRUE(ExpectedErrors().contains(entry.path().filename().string()))
        << entry.path() << " is not covered by this test";
  }
}

TEST(SeedManifestsTest, LoadWithExactlyTheExpectedErrors) {
  for (const auto& [name, expected] : ExpectedErrors()) {
    EXPECT_THAT(Errors(LoadSeed(name)), ElementsAreArray(expected)) << name;
  }
}

// Seeds of other kinds are fine objects, just not ours; every other flawed
// seed comes with a repaired copy ("x.yaml" or "x-excerpt.yaml" -> "x-fixed.yaml").
TEST(SeedManifestsTest, EveryFlawedDaemonSetHasAFixedCopy) {
  for (const auto& [name, expected] : ExpectedErrors()) {
    if (expected.empty() || expected.front().starts_with("kind:")) continue;
    std::string stem = name.substr(0, name.size() - std::string(".yaml").size());
    if (stem.ends_with("-excerpt")) stem.resize(stem.size() - std::string("-excerpt").size());
    EXPECT_TRUE(ExpectedErrors().contains(stem + "-fixed.yaml")) << name;
  }
}

TEST(SeedManifestsTest, Seed001KeepsItsSettingsUnderAppsV1) {
  const LoadedDaemonSet loaded = LoadSeed("001-broadcom-daemonset-fixed.yaml");
  const v1::PodSpec& spec = loaded.daemon_set.spec().template_().spec();
  EXPECT_EQ(spec.service_account_name(), "default");
  EXPECT_EQ(spec.termination_grace_period_seconds(), 10);
  EXPECT_EQ(spec.containers(0).image_pull_policy(), "Always");
  EXPECT_EQ(spec.containers(0).ports(0).container_port(), 80);
}

TEST(SeedManifestsTest, Seed003FluentdIsDefaultedAsKubernetesWould) {
  const LoadedDaemonSet loaded = LoadSeed("003-fluentd-elasticsearch.yaml");
  const v1::DaemonSet& ds = loaded.daemon_set;
  EXPECT_EQ(ds.metadata().namespace_(), "kube-system");
  EXPECT_EQ(ds.metadata().labels().at("version"), "v1");
  EXPECT_EQ(ds.spec().update_strategy().type(), "RollingUpdate");
  const v1::Container& container = ds.spec().template_().spec().containers(0);
  EXPECT_EQ(container.image_pull_policy(), "IfNotPresent");
  EXPECT_EQ(container.env(0).value_from().field_ref().field_path(), "spec.nodeName");
  EXPECT_EQ(container.env(2).value(), "9200");
  EXPECT_EQ(container.resources().requests().at("cpu"), "100m");
  EXPECT_EQ(ds.spec().template_().spec().tolerations_size(), 2);
}

TEST(SeedManifestsTest, Seed004UpdatesAddTolerationThenNodeSelector) {
  const v1::PodSpec with_toleration =
      LoadSeed("004-fluentd-elasticsearch-tolerations.yaml").daemon_set.spec().template_().spec();
  ASSERT_EQ(with_toleration.tolerations_size(), 1);
  EXPECT_EQ(with_toleration.tolerations(0).key(), "node-role.kubernetes.io/master");
  EXPECT_EQ(with_toleration.tolerations(0).effect(), "NoSchedule");
  const v1::PodSpec with_selector =
      LoadSeed("004-fluentd-elasticsearch-node-selector.yaml").daemon_set.spec().template_().spec();
  EXPECT_EQ(with_selector.node_selector().at("logger"), "fluentd");
  EXPECT_EQ(with_selector.tolerations_size(), 1);
}

TEST(SeedManifestsTest, Seed003RevisionHistoryLimitIsKept) {
  const LoadedDaemonSet loaded = LoadSeed("003-fluentd-revision-history-fixed.yaml");
  EXPECT_THAT(Errors(loaded), IsEmpty());
  EXPECT_EQ(loaded.daemon_set.spec().revision_history_limit(), 5);
}

}  // namespace
}  // namespace fleetset
