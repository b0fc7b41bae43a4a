// A node's desired state carries only the ConfigMaps and Secrets of the
// DaemonSets it may run (the Node authorizer's rule), and each DaemonSet's
// pod priority from its PriorityClass.
#include "coordinator/agenthub/desired_state_builder.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace fleetset::coordinator {
namespace {

std::shared_ptr<const v1::DaemonSet> DaemonSet(const std::string& name,
                                               const std::map<std::string, std::string>& selector,
                                               v1::PodSpec spec) {
  auto daemon_set = std::make_shared<v1::DaemonSet>();
  daemon_set->mutable_metadata()->set_namespace_("logging");
  daemon_set->mutable_metadata()->set_name(name);
  spec.mutable_node_selector()->insert(selector.begin(), selector.end());
  *daemon_set->mutable_spec()->mutable_template_()->mutable_spec() = spec;
  return daemon_set;
}

DaemonSetRevisions WithRevision(std::shared_ptr<const v1::DaemonSet> daemon_set) {
  DaemonSetRevisions entry;
  v1::DaemonSetRevision& revision = entry.revisions.emplace_back();
  revision.set_revision(1);
  revision.set_hash("h1");
  *revision.mutable_template_() = daemon_set->spec().template_();
  entry.daemon_set = std::move(daemon_set);
  return entry;
}

v1::PodSpec Referencing(const std::string& config_map, const std::string& secret) {
  v1::PodSpec spec;
  v1::Volume& volume = *spec.add_volumes();
  volume.set_name("config");
  volume.mutable_config_map()->set_name(config_map);
  v1::Container& container = *spec.add_containers();
  container.set_name("main");
  v1::EnvVar& env = *container.add_env();
  env.set_name("PASSWORD");
  env.mutable_value_from()->mutable_secret_key_ref()->set_name(secret);
  env.mutable_value_from()->mutable_secret_key_ref()->set_key("password");
  return spec;
}

class DesiredStateBuilderTest : public ::testing::Test {
 protected:
  DesiredStateBuilderTest() {
    node_.mutable_metadata()->set_name("node-a");
    (*node_.mutable_metadata()->mutable_labels())["role"] = "logs";
    for (const std::string name : {"shipper-config", "exporter-config", "unused-config"}) {
      Add(config_maps_, name);
    }
    for (const std::string name : {"shipper-creds", "exporter-creds"}) Add(secrets_, name);
    catalog_.config_map = [this](const std::string& ns, const std::string& name) {
      return Find(config_maps_, ns, name);
    };
    catalog_.secret = [this](const std::string& ns, const std::string& name) {
      return Find(secrets_, ns, name);
    };
  }

  template <typename T>
  static void Add(std::map<std::string, std::shared_ptr<const T>>& objects,
                  const std::string& name) {
    auto object = std::make_shared<T>();
    object->mutable_metadata()->set_namespace_("logging");
    object->mutable_metadata()->set_name(name);
    objects["logging/" + name] = object;
  }
  template <typename T>
  static std::shared_ptr<const T> Find(const std::map<std::string, std::shared_ptr<const T>>& all,
                                       const std::string& ns, const std::string& name) {
    auto it = all.find(ns + "/" + name);
    return it == all.end() ? nullptr : it->second;
  }

  static std::vector<std::string> Names(const v1::DesiredState& state) {
    std::vector<std::string> names;
    for (const auto& config_map : state.config_maps())
      names.push_back(config_map.metadata().name());
    for (const auto& secret : state.secrets()) names.push_back(secret.metadata().name());
    return names;
  }

  v1::Node node_;
  std::map<std::string, std::shared_ptr<const v1::ConfigMap>> config_maps_;
  std::map<std::string, std::shared_ptr<const v1::Secret>> secrets_;
  PodObjectCatalog catalog_;
};

// Only the objects some revision references can change a node's state:
// the hub looks at its nodes for them and for no other ConfigMap or Secret.
TEST_F(DesiredStateBuilderTest, ReferencesAnyTellsWhetherSomeRevisionInTheNamespaceReferences) {
  DaemonSetRevisions shipper =
      WithRevision(DaemonSet("shipper", {}, Referencing("shipper-config", "shipper-creds")));
  v1::DaemonSetRevision& newer = shipper.revisions.emplace_back(shipper.revisions.front());
  *newer.mutable_template_()->mutable_spec() = Referencing("shipper-config-v2", "shipper-creds");
  const std::vector<DaemonSetRevisions> daemon_sets = {
      shipper, WithRevision(DaemonSet("exporter", {}, Referencing("exporter-config", "")))};
  auto config_maps = [](const std::string& namespace_, std::set<std::string> names) {
    return ObjectNames{{namespace_, PodReferences{std::move(names), {}}}};
  };

  EXPECT_TRUE(ReferencesAny(daemon_sets, config_maps("logging", {"shipper-config"})))
      << "the old revision's: nodes may still run it";
  EXPECT_TRUE(ReferencesAny(daemon_sets, config_maps("logging", {"x", "shipper-config-v2"})));
  EXPECT_TRUE(ReferencesAny(daemon_sets, config_maps("logging", {"exporter-config"})));
  EXPECT_TRUE(
      ReferencesAny(daemon_sets, ObjectNames{{"logging", PodReferences{{}, {"shipper-creds"}}}}));
  EXPECT_FALSE(ReferencesAny(daemon_sets, config_maps("logging", {"unused-config"})));
  EXPECT_FALSE(
      ReferencesAny(daemon_sets, ObjectNames{{"logging", PodReferences{{}, {"shipper-config"}}}}))
      << "a Secret named like a referenced ConfigMap";
  EXPECT_FALSE(ReferencesAny(daemon_sets, config_maps("monitoring", {"shipper-config"})))
      << "names are per namespace";
}

// A node never assigned a DaemonSet stays on the revision its pod runs
// until a rollout writes it an assignment; with no pod it starts on the
// newest, as it does when its pod's revision is gone.
TEST_F(DesiredStateBuilderTest, ANodeNeverAssignedStaysOnTheRevisionItsPodRuns) {
  DaemonSetRevisions entry = WithRevision(DaemonSet("shipper", {}, v1::PodSpec()));
  v1::DaemonSetRevision& newest = entry.revisions.emplace_back(entry.revisions.front());
  newest.set_revision(2);
  newest.set_hash("h2");
  const std::vector<DaemonSetRevisions> daemon_sets = {entry};
  auto revision_for = [&](const std::map<std::string, std::string>* running,
                          const v1::NodeAssignments* assignments = nullptr) {
    const v1::DesiredState state =
        BuildDesiredState(node_, NodeInputs{assignments, nullptr, running}, daemon_sets, catalog_);
    return state.daemon_sets(0).revision_hash();
  };
  const std::map<std::string, std::string> on_first = {{"logging/shipper", "h1"}};
  const std::map<std::string, std::string> on_pruned = {{"logging/shipper", "h0"}};
  EXPECT_EQ(revision_for(&on_first), "h1");
  EXPECT_EQ(revision_for(nullptr), "h2");
  EXPECT_EQ(revision_for(&on_pruned), "h2");
  v1::NodeAssignments moved;
  (*moved.mutable_assignments())["logging/shipper"].set_revision_hash("h2");
  EXPECT_EQ(revision_for(&on_first, &moved), "h2") << "an assignment wins";
}

// A DaemonSet's new revision (a rollout starting) changes the state of
// the nodes that follow its newest revision, not of those that stay on
// theirs until the controller moves them; a renumbered revision (a
// rollback) changes the state of the nodes on it. The hub rebuilds the
// states of the first kind only.
TEST_F(DesiredStateBuilderTest, OffersOtherRevisionTellsTheNodesARevisionChangeMoves) {
  auto shipper = std::make_shared<v1::DaemonSet>(*DaemonSet("shipper", {}, v1::PodSpec()));
  shipper->mutable_metadata()->set_uid("uid-shipper");
  DaemonSetRevisions entry = WithRevision(shipper);
  const std::map<std::string, std::string> on_first = {{"logging/shipper", "h1"}};
  const std::map<std::string, std::string> on_pruned = {{"logging/shipper", "h0"}};
  v1::NodeAssignments assigned_first;
  (*assigned_first.mutable_assignments())["logging/shipper"].set_revision_hash("h1");
  const NodeInputs following{nullptr, nullptr, nullptr};
  const NodeInputs running_first{nullptr, nullptr, &on_first};
  const NodeInputs running_pruned{nullptr, nullptr, &on_pruned};
  const NodeInputs assigned{&assigned_first, nullptr, nullptr};
  auto offered_to = [&](const NodeInputs& inputs) {
    return BuildDesiredState(node_, inputs, {entry}, catalog_);
  };
  const v1::DesiredState to_following = offered_to(following);
  const v1::DesiredState to_running = offered_to(running_first);
  const v1::DesiredState to_pruned = offered_to(running_pruned);
  const v1::DesiredState to_assigned = offered_to(assigned);
  for (const NodeInputs* inputs : {&following, &running_first, &running_pruned, &assigned}) {
    EXPECT_FALSE(OffersOtherRevision(offered_to(*inputs), entry, *inputs)) << "nothing changed yet";
  }

  v1::DaemonSetRevision& newest = entry.revisions.emplace_back(entry.revisions.front());
  newest.set_revision(2);
  newest.set_hash("h2");
  EXPECT_TRUE(OffersOtherRevision(to_following, entry, following));
  EXPECT_TRUE(OffersOtherRevision(to_pruned, entry, running_pruned))
      << "its pod's revision is gone, so it follows the newest";
  EXPECT_FALSE(OffersOtherRevision(to_running, entry, running_first));
  EXPECT_FALSE(OffersOtherRevision(to_assigned, entry, assigned));

  entry.revisions.front().set_revision(3);
  EXPECT_TRUE(OffersOtherRevision(to_running, entry, running_first))
      << "its revision was renumbered";
  EXPECT_TRUE(OffersOtherRevision(v1::DesiredState(), entry, running_first))
      << "a state from before the DaemonSet had a revision";
  EXPECT_FALSE(OffersOtherRevision(v1::DesiredState(), DaemonSetRevisions{shipper, {}}, following))
      << "without revisions the DaemonSet is in no state";
}

TEST_F(DesiredStateBuilderTest, ANodeGetsTheObjectsOfTheDaemonSetsItMayRunOnly) {
  const std::vector<DaemonSetRevisions> daemon_sets = {
      WithRevision(
          DaemonSet("shipper", {{"role", "logs"}}, Referencing("shipper-config", "shipper-creds"))),
      WithRevision(DaemonSet("exporter", {{"role", "metrics"}},
                             Referencing("exporter-config", "exporter-creds"))),
  };
  const v1::DesiredState state = BuildDesiredState(node_, {}, daemon_sets, catalog_);
  EXPECT_EQ(state.daemon_sets_size(), 2);
  EXPECT_EQ(Names(state), (std::vector<std::string>{"shipper-config", "shipper-creds"}));
}

TEST_F(DesiredStateBuilderTest, TheNodesOwnDecisionThatItRunsADaemonSetBringsItsObjects) {
  const std::vector<DaemonSetRevisions> daemon_sets = {WithRevision(DaemonSet(
      "exporter", {{"role", "metrics"}}, Referencing("exporter-config", "exporter-creds")))};
  v1::NodeReport report;
  v1::Eligibility& eligibility = *report.add_eligibility();
  eligibility.set_daemon_set("logging/exporter");
  eligibility.set_should_continue_running(true);
  const v1::DesiredState state =
      BuildDesiredState(node_, NodeInputs{nullptr, &report}, daemon_sets, catalog_);
  EXPECT_EQ(Names(state), (std::vector<std::string>{"exporter-config", "exporter-creds"}));
}

TEST_F(DesiredStateBuilderTest, AMissingObjectIsLeftOutAndTheOthersStillCome) {
  const std::vector<DaemonSetRevisions> daemon_sets = {
      WithRevision(DaemonSet("shipper", {}, Referencing("not-created-yet", "shipper-creds")))};
  const v1::DesiredState state = BuildDesiredState(node_, {}, daemon_sets, catalog_);
  EXPECT_EQ(Names(state), (std::vector<std::string>{"shipper-creds"}));
}

TEST_F(DesiredStateBuilderTest, PodsGetThePriorityOfTheirClassOrAreRefusedWhenItIsMissing) {
  auto critical = std::make_shared<v1::PriorityClass>();
  critical->mutable_metadata()->set_name("system-node-critical");
  critical->set_value(2000001000);
  auto fallback = std::make_shared<v1::PriorityClass>();
  fallback->mutable_metadata()->set_name("fleet-default");
  fallback->set_value(1000);
  fallback->set_global_default(true);
  catalog_.priority_classes = {critical, fallback};
  v1::PodSpec named;
  named.set_priority_class_name("system-node-critical");
  v1::PodSpec missing;
  missing.set_priority_class_name("high-priority");
  const std::vector<DaemonSetRevisions> daemon_sets = {
      WithRevision(DaemonSet("critical", {}, named)),
      WithRevision(DaemonSet("plain", {}, v1::PodSpec())),
      WithRevision(DaemonSet("typo", {}, missing)),
  };
  const v1::DesiredState state = BuildDesiredState(node_, {}, daemon_sets, catalog_);
  ASSERT_EQ(state.daemon_sets_size(), 3);
  EXPECT_EQ(state.daemon_sets(0).priority(), 2000001000);
  EXPECT_EQ(state.daemon_sets(0).pod_create_error(), "");
  EXPECT_EQ(state.daemon_sets(1).priority(), 1000);  // the globalDefault class
  EXPECT_EQ(state.daemon_sets(2).pod_create_error(),
            "pods \"typo-\" is forbidden: no PriorityClass with name high-priority was found");
}

}  // namespace
}  // namespace fleetset::coordinator
