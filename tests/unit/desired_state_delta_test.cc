// Deltas between desired states: what the coordinator computes and what the
// agent rebuilds from it must be the same state.
#include "fleetset/desired_state_delta.h"

#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace fleetset {
namespace {

using google::protobuf::util::MessageDifferencer;

v1::DesiredDaemonSet DaemonSet(const std::string& name, const std::string& revision_hash,
                               const std::string& ns = "kube-system") {
  v1::DesiredDaemonSet daemon_set;
  daemon_set.mutable_metadata()->set_namespace_(ns);
  daemon_set.mutable_metadata()->set_name(name);
  daemon_set.set_revision_hash(revision_hash);
  return daemon_set;
}

v1::DesiredState State(uint64_t version, const std::vector<v1::DesiredDaemonSet>& daemon_sets,
                       const std::string& zone = "a") {
  v1::DesiredState state;
  state.set_version(version);
  (*state.mutable_node()->mutable_labels())["zone"] = zone;
  for (const v1::DesiredDaemonSet& daemon_set : daemon_sets) *state.add_daemon_sets() = daemon_set;
  return state;
}

std::vector<std::string> Names(const v1::DesiredState& state) {
  std::vector<std::string> names;
  for (const auto& daemon_set : state.daemon_sets()) names.push_back(daemon_set.metadata().name());
  return names;
}

TEST(DesiredStateDeltaTest, CarriesOnlyWhatChanged) {
  const v1::DesiredState from =
      State(3, {DaemonSet("fluentd", "r1"), DaemonSet("exporter", "r1"), DaemonSet("old", "r1")});
  const v1::DesiredState to =
      State(4, {DaemonSet("fluentd", "r2"), DaemonSet("exporter", "r1"), DaemonSet("new", "r1")});
  const v1::DesiredStateDelta delta = MakeDesiredStateDelta(from, to);
  EXPECT_EQ(delta.version(), 4u);
  EXPECT_EQ(delta.base_version(), 3u);
  ASSERT_EQ(delta.upserts_size(), 2);
  EXPECT_EQ(delta.upserts(0).metadata().name(), "fluentd");
  EXPECT_EQ(delta.upserts(0).revision_hash(), "r2");
  EXPECT_EQ(delta.upserts(1).metadata().name(), "new");
  ASSERT_EQ(delta.deletes_size(), 1);
  EXPECT_EQ(delta.deletes(0), "kube-system/old");
  EXPECT_EQ(delta.node().labels().at("zone"), "a");
}

TEST(DesiredStateDeltaTest, AppliedOnItsBaseRebuildsTheTargetState) {
  const v1::DesiredState from =
      State(3, {DaemonSet("fluentd", "r1"), DaemonSet("exporter", "r1"), DaemonSet("old", "r1")});
  v1::DesiredDaemonSet deleted_pod = DaemonSet("exporter", "r1");
  deleted_pod.add_deleted_pod_uids("uid-1");
  const v1::DesiredState to =
      State(4, {DaemonSet("fluentd", "r2"), deleted_pod, DaemonSet("new", "r1")}, "b");
  const std::optional<v1::DesiredState> rebuilt =
      ApplyDesiredStateDelta(from, MakeDesiredStateDelta(from, to));
  ASSERT_TRUE(rebuilt.has_value());
  EXPECT_TRUE(MessageDifferencer::Equals(*rebuilt, to)) << rebuilt->DebugString();
}

TEST(DesiredStateDeltaTest, KeepsTheBaseOrderAndAppendsNewDaemonSets) {
  const v1::DesiredState base = State(1, {DaemonSet("b", "r1"), DaemonSet("a", "r1")});
  v1::DesiredStateDelta delta;
  delta.set_base_version(1);
  delta.set_version(2);
  *delta.add_upserts() = DaemonSet("c", "r1");
  *delta.add_upserts() = DaemonSet("a", "r2");
  const std::optional<v1::DesiredState> rebuilt = ApplyDesiredStateDelta(base, delta);
  ASSERT_TRUE(rebuilt.has_value());
  EXPECT_EQ(Names(*rebuilt), (std::vector<std::string>{"b", "a", "c"}));
  EXPECT_EQ(rebuilt->daemon_sets(1).revision_hash(), "r2");
  EXPECT_EQ(rebuilt->version(), 2u);
}

TEST(DesiredStateDeltaTest, SameNameInAnotherNamespaceIsAnotherDaemonSet) {
  const v1::DesiredState from = State(1, {DaemonSet("agent", "r1", "ns-a")});
  const v1::DesiredState to = State(2, {DaemonSet("agent", "r1", "ns-b")});
  const v1::DesiredStateDelta delta = MakeDesiredStateDelta(from, to);
  ASSERT_EQ(delta.upserts_size(), 1);
  EXPECT_EQ(delta.upserts(0).metadata().namespace_(), "ns-b");
  ASSERT_EQ(delta.deletes_size(), 1);
  EXPECT_EQ(delta.deletes(0), "ns-a/agent");
}

TEST(DesiredStateDeltaTest, UnchangedStateGivesAnEmptyDeltaThatStillMovesTheVersion) {
  const v1::DesiredState from = State(5, {DaemonSet("fluentd", "r1")});
  v1::DesiredState to = from;
  to.set_version(6);
  const v1::DesiredStateDelta delta = MakeDesiredStateDelta(from, to);
  EXPECT_EQ(delta.upserts_size(), 0);
  EXPECT_EQ(delta.deletes_size(), 0);
  const std::optional<v1::DesiredState> rebuilt = ApplyDesiredStateDelta(from, delta);
  ASSERT_TRUE(rebuilt.has_value());
  EXPECT_TRUE(MessageDifferencer::Equals(*rebuilt, to));
}

TEST(DesiredStateDeltaTest, NodeRecordIsReplacedWhole) {
  v1::DesiredState from = State(1, {});
  (*from.mutable_node()->mutable_labels())["disk"] = "ssd";
  from.mutable_node()->add_taints()->set_key("maintenance");
  const v1::DesiredState to = State(2, {}, "c");
  const std::optional<v1::DesiredState> rebuilt =
      ApplyDesiredStateDelta(from, MakeDesiredStateDelta(from, to));
  ASSERT_TRUE(rebuilt.has_value());
  EXPECT_EQ(rebuilt->node().labels().size(), 1u);
  EXPECT_EQ(rebuilt->node().labels().at("zone"), "c");
  EXPECT_EQ(rebuilt->node().taints_size(), 0);
}

TEST(DesiredStateDeltaTest, DeltaOnAnotherBaseIsRefused) {
  const v1::DesiredState base = State(7, {DaemonSet("fluentd", "r1")});
  v1::DesiredStateDelta delta;
  delta.set_base_version(6);
  delta.set_version(8);
  EXPECT_FALSE(ApplyDesiredStateDelta(base, delta).has_value());
}

}  // namespace
}  // namespace fleetset

namespace fleetset {
namespace {

v1::ConfigMap ConfigMap(const std::string& name, const std::string& value) {
  v1::ConfigMap config_map;
  config_map.mutable_metadata()->set_namespace_("logging");
  config_map.mutable_metadata()->set_name(name);
  (*config_map.mutable_data())["fluent-bit.conf"] = value;
  return config_map;
}

v1::Secret Secret(const std::string& name, const std::string& value) {
  v1::Secret secret;
  secret.mutable_metadata()->set_namespace_("logging");
  secret.mutable_metadata()->set_name(name);
  (*secret.mutable_data())["password"] = value;
  return secret;
}

TEST(DesiredStateDeltaTest, CarriesChangedConfigMapsAndSecretsOnlyAndRebuildsThem) {
  v1::DesiredState from = State(1, {DaemonSet("fluent-bit", "a")});
  *from.add_config_maps() = ConfigMap("kept", "same");
  *from.add_config_maps() = ConfigMap("edited", "old");
  *from.add_config_maps() = ConfigMap("dropped", "x");
  *from.add_secrets() = Secret("creds", "old");
  v1::DesiredState to = State(2, {DaemonSet("fluent-bit", "a")});
  *to.add_config_maps() = ConfigMap("kept", "same");
  *to.add_config_maps() = ConfigMap("edited", "new");
  *to.add_config_maps() = ConfigMap("added", "y");
  *to.add_secrets() = Secret("creds", "new");

  const v1::DesiredStateDelta delta = MakeDesiredStateDelta(from, to);
  ASSERT_EQ(delta.config_map_upserts_size(), 2);
  EXPECT_EQ(delta.config_map_upserts(0).metadata().name(), "edited");
  EXPECT_EQ(delta.config_map_upserts(1).metadata().name(), "added");
  ASSERT_EQ(delta.config_map_deletes_size(), 1);
  EXPECT_EQ(delta.config_map_deletes(0), "logging/dropped");
  ASSERT_EQ(delta.secret_upserts_size(), 1);
  EXPECT_EQ(delta.secret_upserts(0).data().at("password"), "new");
  EXPECT_EQ(delta.secret_deletes_size(), 0);
  EXPECT_EQ(delta.upserts_size(), 0);

  const std::optional<v1::DesiredState> rebuilt = ApplyDesiredStateDelta(from, delta);
  ASSERT_TRUE(rebuilt.has_value());
  EXPECT_TRUE(MessageDifferencer::Equals(*rebuilt, to)) << rebuilt->DebugString();
}

TEST(DesiredStateDeltaTest, ASecretNoLongerNeededIsDeletedOnTheNode) {
  v1::DesiredState from = State(1, {});
  *from.add_secrets() = Secret("creds", "s3cr3t");
  const v1::DesiredState to = State(2, {});
  const v1::DesiredStateDelta delta = MakeDesiredStateDelta(from, to);
  ASSERT_EQ(delta.secret_deletes_size(), 1);
  EXPECT_EQ(delta.secret_deletes(0), "logging/creds");
  const std::optional<v1::DesiredState> rebuilt = ApplyDesiredStateDelta(from, delta);
  ASSERT_TRUE(rebuilt.has_value());
  EXPECT_EQ(rebuilt->secrets_size(), 0);
}

}  // namespace
}  // namespace fleetset
