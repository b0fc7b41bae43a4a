#include "coordinator/controllers/node_state_cache.h"

#include <gtest/gtest.h>

#include <memory>

namespace fleetset::coordinator {
namespace {

constexpr char kKey[] = "default/agent";
// Put on kept states by the test: a state that still has it was kept, one
// without it was computed again.
constexpr char kMarker[] = "kept from the last pass";

v1::DaemonSet DaemonSet(int64_t generation) {
  v1::DaemonSet daemon_set;
  daemon_set.mutable_metadata()->set_name("agent");
  daemon_set.mutable_metadata()->set_namespace_("default");
  daemon_set.mutable_metadata()->set_uid("uid-1");
  daemon_set.mutable_metadata()->set_generation(generation);
  daemon_set.mutable_spec()->mutable_template_()->mutable_spec()->add_containers()->set_name("c");
  return daemon_set;
}

NodeView ViewOf(const std::string& name) {
  auto node = std::make_shared<v1::Node>();
  node->mutable_metadata()->set_name(name);
  return NodeView{node, nullptr, nullptr};
}

class NodeStateCacheTest : public ::testing::Test {
 protected:
  // One pass: takes the states and gives them back marked.
  std::map<std::string, std::string> Pass(const v1::DaemonSet& daemon_set, bool give_back = true) {
    std::vector<NodeDaemonSetState> states = cache_.Take(daemon_set, kKey, nodes_, pods_);
    std::map<std::string, std::string> reasons;
    for (NodeDaemonSetState& state : states) {
      reasons[state.node_name] = state.reason;
      state.reason = kMarker;
    }
    if (give_back) cache_.Give(kKey, std::move(states));
    return reasons;
  }

  NodeStateCache cache_;
  std::map<std::string, NodeView> nodes_ = {{"node-1", ViewOf("node-1")},
                                            {"node-2", ViewOf("node-2")}};
  PodIndex::PodsByNode pods_;
};

TEST_F(NodeStateCacheTest, AStateIsKeptWhileNothingItIsComputedFromChanges) {
  EXPECT_NE(Pass(DaemonSet(1))["node-1"], kMarker);
  const auto reasons = Pass(DaemonSet(1));
  EXPECT_EQ(reasons.at("node-1"), kMarker);
  EXPECT_EQ(reasons.at("node-2"), kMarker);
}

TEST_F(NodeStateCacheTest, ANodeWhoseObjectsOrPodsChangedIsComputedAgainAlone) {
  Pass(DaemonSet(1));
  nodes_["node-1"].report = std::make_shared<v1::NodeReport>();
  auto reasons = Pass(DaemonSet(1));
  EXPECT_NE(reasons.at("node-1"), kMarker);
  EXPECT_EQ(reasons.at("node-2"), kMarker);

  cache_.PodsChanged(kKey, "node-2");
  cache_.PodsChanged("default/other", "node-1");
  reasons = Pass(DaemonSet(1));
  EXPECT_EQ(reasons.at("node-1"), kMarker);
  EXPECT_NE(reasons.at("node-2"), kMarker);
}

TEST_F(NodeStateCacheTest, ANewSpecOrNodeListComputesEveryNodeAgain) {
  Pass(DaemonSet(1));
  auto reasons = Pass(DaemonSet(2));
  EXPECT_NE(reasons.at("node-1"), kMarker);
  EXPECT_NE(reasons.at("node-2"), kMarker);

  nodes_.emplace("node-0", ViewOf("node-0"));
  reasons = Pass(DaemonSet(2));
  EXPECT_EQ(reasons.size(), 3u);
  for (const auto& [name, reason] : reasons) EXPECT_NE(reason, kMarker) << name;
}

TEST_F(NodeStateCacheTest, StatesNotGivenBackOrForgottenAreComputedAgain) {
  Pass(DaemonSet(1), /*give_back=*/false);
  EXPECT_NE(Pass(DaemonSet(1)).at("node-1"), kMarker);

  cache_.Retain({});
  EXPECT_NE(Pass(DaemonSet(1)).at("node-1"), kMarker);
  cache_.Clear();
  EXPECT_NE(Pass(DaemonSet(1)).at("node-1"), kMarker);
}

}  // namespace
}  // namespace fleetset::coordinator
