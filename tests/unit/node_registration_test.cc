// A node's registration when another writer changes the node between the
// hub's read and its write: tried again from a fresh read, as kubelet's
// node status updates are, rather than refusing the agent's hello.
#include "coordinator/agenthub/node_registration.h"

#include <gtest/gtest.h>

#include "coordinator/controllers/node_conditions.h"
#include "coordinator/storage/memory_storage.h"
#include "coordinator/timestamps.h"
#include "fakes/interfering_store.h"
#include "fleetset/clock.h"

namespace fleetset::testing {
namespace {

using coordinator::ApiError;
using coordinator::Caller;

class NodeRegistrationTest : public ::testing::Test {
 protected:
  NodeRegistrationTest() {
    hello_.set_node_name("node-1");
    hello_.mutable_node_info()->set_kernel_version("6.1");
    coordinator::RegisterNode(registries_.nodes, events_, clock_, kCaller, hello_);
    // The node lifecycle controller gave up on it: the next hello must
    // write it Ready again.
    v1::Node node = registries_.nodes.Get("", "node-1");
    coordinator::SetReadyCondition(node, false, coordinator::ToTimestamp(clock_.WallNow()));
    registries_.nodes.UpdateStatus(kCaller, node);
  }

  const Caller kCaller = Caller::Node("node-1");
  FakeClock clock_;
  InterferingStore* store_ = new InterferingStore("/nodes/");
  std::unique_ptr<coordinator::storage::Storage> durable_{store_};
  std::unique_ptr<coordinator::storage::Storage> volatile_ =
      coordinator::storage::OpenMemoryStorage();
  coordinator::Registries registries_{*durable_, *volatile_, clock_};
  coordinator::EventRecorder events_{registries_.events, clock_};
  v1::Hello hello_;
};

TEST_F(NodeRegistrationTest, AConcurrentChangeIsReadAgainAndTheHelloSucceeds) {
  store_->interferences = 2;
  const v1::Node node =
      coordinator::RegisterNode(registries_.nodes, events_, clock_, kCaller, hello_);
  EXPECT_EQ(store_->interferences, 0) << "both interfering writes happened";
  EXPECT_TRUE(coordinator::NodeReady(node));
  EXPECT_TRUE(coordinator::NodeReady(registries_.nodes.Get("", "node-1")));
}

TEST_F(NodeRegistrationTest, AWriterThatAlwaysGetsInBetweenEndsInAConflict) {
  store_->interferences = 1000;
  try {
    coordinator::RegisterNode(registries_.nodes, events_, clock_, kCaller, hello_);
    FAIL() << "registered although every write met a newer node";
  } catch (const ApiError& error) {
    EXPECT_EQ(error.reason(), ApiError::Reason::kConflict);
  }
  EXPECT_GE(store_->interferences, 980) << "a bounded number of attempts, not a thousand";
}

}  // namespace
}  // namespace fleetset::testing
