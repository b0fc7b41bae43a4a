// The agent hub on a DaemonSet's new revision: the nodes that follow the
// newest get it at once; the nodes that stay on their revision until the
// controller moves them are sent nothing.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "coordinator/agenthub/agent_hub.h"
#include "coordinator/controllers/revision_objects.h"
#include "fleetset/version.h"
#include "unit/controller_fixture.h"

namespace fleetset::testing {
namespace {

using coordinator::Caller;

// Keeps every state offered to its node.
class RecordingOutbox : public coordinator::AgentOutbox {
 public:
  void Offer(std::shared_ptr<const v1::DesiredState> state) override {
    std::lock_guard lock(mu_);
    offered_.push_back(std::move(state));
  }
  void Close(const coordinator::ApiError&) override {}

  std::vector<std::shared_ptr<const v1::DesiredState>> Offered() const {
    std::lock_guard lock(mu_);
    return offered_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::shared_ptr<const v1::DesiredState>> offered_;
};

class AgentHubRevisionsTest : public ControllerFixture {
 protected:
  AgentHubRevisionsTest() {
    hub_.Start([] {});
    informers_.Start();
    v1::DaemonSet daemon_set;
    daemon_set.mutable_metadata()->set_namespace_("logging");
    daemon_set.mutable_metadata()->set_name("shipper");
    (*daemon_set.mutable_spec()->mutable_selector()->mutable_match_labels())["app"] = "shipper";
    v1::PodTemplateSpec& pod = *daemon_set.mutable_spec()->mutable_template_();
    (*pod.mutable_metadata()->mutable_labels())["app"] = "shipper";
    v1::Container& container = *pod.mutable_spec()->add_containers();
    container.set_name("main");
    container.set_image("shipper:1");
    daemon_set_ = registries_.daemon_sets.Create(Caller::Anonymous(), daemon_set);
  }

  // Stores revision `number` of the DaemonSet (hash "h<number>") and lets
  // the hub take it in.
  void StoreRevision(int number) {
    v1::DaemonSetRevision revision;
    revision.set_revision(number);
    revision.set_hash("h" + std::to_string(number));
    *revision.mutable_template_() = daemon_set_.spec().template_();
    registries_.controller_revisions.Create(
        Caller::Anonymous(), coordinator::ToControllerRevision(daemon_set_, revision));
    Settle();
  }

  // Lets the hub take in every change so far, its own writes' included
  // (a connecting node's records mark it for a pass of its own).
  void Settle() {
    WaitForWatchers();
    hub_.SyncOnce();
  }

  // Connects `node_name`, reporting a pod of the DaemonSet's revision
  // `running_hash` unless it is empty.
  std::shared_ptr<RecordingOutbox> Connect(const std::string& node_name,
                                           const std::string& running_hash) {
    v1::Hello hello;
    hello.set_protocol_version(kProtocolVersion);
    hello.set_node_name(node_name);
    v1::StatusReport& status = *hello.mutable_status();
    status.set_node_name(node_name);
    if (!running_hash.empty()) {
      v1::Pod& pod = *status.add_pods();
      pod.mutable_metadata()->set_namespace_("logging");
      pod.mutable_metadata()->set_name("shipper-" + node_name);
      pod.mutable_metadata()->set_uid("uid-" + node_name);
      pod.set_node_name(node_name);
      pod.set_owner("logging/shipper");
      pod.set_revision_hash(running_hash);
    }
    auto outbox = std::make_shared<RecordingOutbox>();
    hub_.Connect(Caller::Node(node_name), hello, outbox);
    return outbox;
  }

  static std::string LastRevisionOffered(const RecordingOutbox& outbox) {
    const auto offered = outbox.Offered();
    if (offered.empty() || offered.back()->daemon_sets().empty()) return "";
    return offered.back()->daemon_sets(0).revision_hash();
  }

  coordinator::AgentHub hub_{registries_, informers_, events_, clock_};
  v1::DaemonSet daemon_set_;
};

TEST_F(AgentHubRevisionsTest, ANewRevisionReachesTheNodesThatFollowTheNewestOnly) {
  StoreRevision(1);
  auto following = Connect("node-new", "");
  auto staying = Connect("node-running", "h1");
  Settle();
  ASSERT_EQ(LastRevisionOffered(*following), "h1");
  ASSERT_EQ(LastRevisionOffered(*staying), "h1");
  const size_t offered_to_staying = staying->Offered().size();

  StoreRevision(2);
  EXPECT_EQ(LastRevisionOffered(*following), "h2") << "a node without a pod starts on the newest";
  EXPECT_EQ(staying->Offered().size(), offered_to_staying)
      << "a node running its revision stays on it until the controller moves it";
}

// A node connected before the DaemonSet had a revision gets the DaemonSet
// with its first one.
TEST_F(AgentHubRevisionsTest, TheFirstRevisionReachesEveryNode) {
  auto early = Connect("node-early", "");
  Settle();
  ASSERT_EQ(LastRevisionOffered(*early), "");

  StoreRevision(1);
  EXPECT_EQ(LastRevisionOffered(*early), "h1");
}

}  // namespace
}  // namespace fleetset::testing
