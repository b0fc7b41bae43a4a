// The DaemonSet controller's join of nodes with their NodeAssignments and
// NodeReports, on real informers over an in-memory store: the first
// refresh joins the whole caches, later ones read again only the nodes the
// informers said changed, and a node left alone keeps its very objects
// (which is how the kept node states know it is unchanged).
#include "coordinator/controllers/node_view_cache.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/unit/controller_fixture.h"

namespace fleetset::testing {
namespace {

using coordinator::Caller;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

const Caller kCaller = Caller::Anonymous();

class NodeViewCacheTest : public ControllerFixture {
 protected:
  void SetUp() override {
    auto changed = [this](const auto& event) { cache_.Changed(event.object.metadata().name()); };
    informers_.nodes.AddHandler(changed);
    informers_.node_assignments.AddHandler(changed);
    informers_.node_reports.AddHandler(changed);
    informers_.Start();
  }

  void Assign(const std::string& node) {
    v1::NodeAssignments assignments;
    assignments.mutable_metadata()->set_name(node);
    (*assignments.mutable_assignments())["default/agent"].set_revision_hash("abc");
    registries_.node_assignments.PutAsync(kCaller, assignments);
  }

  void Report(const std::string& node, int64_t desired_version) {
    v1::NodeReport report;
    report.mutable_metadata()->set_name(node);
    report.set_desired_version(desired_version);
    registries_.node_reports.PutAsync(kCaller, report);
  }

  const std::map<std::string, coordinator::NodeView>& Refresh() {
    WaitForWatchers();
    return cache_.Refresh();
  }

  static std::vector<std::string> Names(const std::map<std::string, coordinator::NodeView>& views) {
    std::vector<std::string> names;
    for (const auto& [name, view] : views) names.push_back(name);
    return names;
  }

  coordinator::NodeViewCache cache_{informers_.nodes, informers_.node_assignments,
                                    informers_.node_reports};
};

TEST_F(NodeViewCacheTest, TheFirstRefreshJoinsEveryNodeWithItsObjects) {
  AddReadyNode("node-1");
  AddReadyNode("node-2");
  Assign("node-1");
  Report("node-2", 7);
  Assign("node-gone");

  const auto& views = Refresh();
  EXPECT_THAT(Names(views), ElementsAre("node-1", "node-2"));
  EXPECT_EQ(views.at("node-1").node, informers_.nodes.Get("", "node-1"));
  EXPECT_NE(views.at("node-1").assignments, nullptr);
  EXPECT_EQ(views.at("node-1").report, nullptr);
  EXPECT_EQ(views.at("node-2").assignments, nullptr);
  ASSERT_NE(views.at("node-2").report, nullptr);
  EXPECT_EQ(views.at("node-2").report->desired_version(), 7);
  EXPECT_THAT(cache_.AssignedButGone(), ElementsAre("node-gone"));
}

TEST_F(NodeViewCacheTest, ALaterRefreshReadsTheChangedNodesAndKeepsTheOthersObjects) {
  AddReadyNode("node-1");
  AddReadyNode("node-2");
  AddReadyNode("node-3");
  Assign("node-3");
  const auto first = Refresh();

  Report("node-1", 8);
  AddReadyNode("node-4");
  registries_.nodes.Delete(kCaller, "", "node-3");
  const auto& views = Refresh();

  EXPECT_THAT(Names(views), ElementsAre("node-1", "node-2", "node-4"));
  ASSERT_NE(views.at("node-1").report, nullptr);
  EXPECT_EQ(views.at("node-1").report->desired_version(), 8);
  EXPECT_EQ(views.at("node-1").node, first.at("node-1").node);
  EXPECT_EQ(views.at("node-2").node, first.at("node-2").node);
  EXPECT_EQ(views.at("node-4").node, informers_.nodes.Get("", "node-4"));
  EXPECT_THAT(cache_.AssignedButGone(), ElementsAre("node-3"));

  registries_.node_assignments.Delete(kCaller, "", "node-3");
  Refresh();
  EXPECT_THAT(cache_.AssignedButGone(), IsEmpty());
}

TEST_F(NodeViewCacheTest, ANodeThatComesBackHasItsAssignmentsAgain) {
  AddReadyNode("node-1");
  Assign("node-1");
  Refresh();
  registries_.nodes.Delete(kCaller, "", "node-1");
  EXPECT_THAT(Names(Refresh()), IsEmpty());
  EXPECT_THAT(cache_.AssignedButGone(), ElementsAre("node-1"));

  AddReadyNode("node-1");
  const auto& views = Refresh();
  ASSERT_THAT(Names(views), ElementsAre("node-1"));
  EXPECT_NE(views.at("node-1").assignments, nullptr);
  EXPECT_THAT(cache_.AssignedButGone(), IsEmpty());
}

}  // namespace
}  // namespace fleetset::testing
