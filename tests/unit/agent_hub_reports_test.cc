// The agent hub's reports against a store that holds the intake up: a
// report still queued when its node's stream is replaced is dropped, the
// newer stream's hello having said everything again.
#include <gtest/gtest.h>

#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "coordinator/agenthub/agent_hub.h"
#include "coordinator/storage/forwarding_storage.h"
#include "coordinator/storage/memory_storage.h"
#include "coordinator/storage/watch_barrier.h"
#include "fleetset/clock.h"
#include "fleetset/version.h"

namespace fleetset::testing {
namespace {

using coordinator::Caller;

// Holds the first transaction that writes a key containing `held_key`
// until released; everything else passes through.
class HoldingStore : public coordinator::storage::ForwardingStorage {
 public:
  explicit HoldingStore(std::string held_key)
      : ForwardingStorage(coordinator::storage::OpenMemoryStorage()),
        held_key_(std::move(held_key)) {}

  void CommitAsync(
      coordinator::storage::Transaction transaction,
      std::function<void(const coordinator::storage::TransactionResult&)> done) override {
    if (Holds(transaction)) {
      entered_.set_value();
      released_.wait();
    }
    ForwardingStorage::CommitAsync(std::move(transaction), std::move(done));
  }

  void WaitUntilHolding() { entered_.get_future().wait(); }
  void Release() { release_.set_value(); }

 private:
  bool Holds(const coordinator::storage::Transaction& transaction) {
    std::lock_guard lock(mu_);
    if (held_) return false;
    for (const auto& operation : transaction.operations) {
      if (operation.key.find(held_key_) != std::string::npos) {
        held_ = true;
        return true;
      }
    }
    return false;
  }

  const std::string held_key_;
  std::mutex mu_;
  bool held_ = false;
  std::promise<void> entered_;
  std::promise<void> release_;
  std::shared_future<void> released_ = release_.get_future().share();
};

class NullOutbox : public coordinator::AgentOutbox {
 public:
  void Offer(std::shared_ptr<const v1::DesiredState>) override {}
  void Close(const coordinator::ApiError&) override {}
};

v1::Hello HelloOf(const std::string& node_name) {
  v1::Hello hello;
  hello.set_protocol_version(kProtocolVersion);
  hello.set_node_name(node_name);
  hello.mutable_status()->set_node_name(node_name);
  return hello;
}

v1::StatusReport ReportWithPod(const std::string& node_name, const std::string& pod_uid) {
  v1::StatusReport report;
  report.set_node_name(node_name);
  v1::Pod& pod = *report.add_pods();
  pod.mutable_metadata()->set_name(pod_uid);
  pod.mutable_metadata()->set_namespace_("default");
  pod.mutable_metadata()->set_uid(pod_uid);
  pod.set_node_name(node_name);
  return report;
}

class AgentHubReportsTest : public ::testing::Test {
 protected:
  AgentHubReportsTest() {
    hub_.Start([] {});
    informers_.Start();
  }
  ~AgentHubReportsTest() override { informers_.Stop(); }

  void Connect(const std::string& node_name, v1::Hello hello) {
    hub_.Connect(Caller::Node(node_name), hello, std::make_shared<NullOutbox>());
  }

  // Connects "gate" and "node-a", then holds the intake writing the
  // gate's pod: what is reported meanwhile waits in the intake's queue.
  void HoldTheIntake() {
    Connect("gate", HelloOf("gate"));
    Connect("node-a", HelloOf("node-a"));
    hub_.Report("gate", ReportWithPod("gate", "uid-gate"));
    holding_->WaitUntilHolding();
  }

  std::set<std::string> StoredPodUids() {
    coordinator::storage::WaitForWatchers(*volatile_);
    std::set<std::string> uids;
    for (const v1::Pod& pod : registries_.pods.List().items) uids.insert(pod.metadata().uid());
    return uids;
  }

  FakeClock clock_;
  std::unique_ptr<coordinator::storage::Storage> durable_ =
      coordinator::storage::OpenMemoryStorage();
  HoldingStore* holding_ = new HoldingStore("uid-gate");
  std::unique_ptr<coordinator::storage::Storage> volatile_{holding_};
  coordinator::Registries registries_{*durable_, *volatile_, clock_};
  coordinator::EventRecorder events_{registries_.events, clock_};
  coordinator::SharedInformers informers_{registries_};
  coordinator::AgentHub hub_{registries_, informers_, events_, clock_};
};

TEST_F(AgentHubReportsTest, AReportQueuedWhenItsStreamIsReplacedIsDropped) {
  HoldTheIntake();
  // Node-a reports on its first stream, then says hello on a second one
  // with another pod.
  hub_.Report("node-a", ReportWithPod("node-a", "uid-first-stream"));
  v1::Hello again = HelloOf("node-a");
  *again.mutable_status() = ReportWithPod("node-a", "uid-second-stream");
  Connect("node-a", again);
  holding_->Release();
  hub_.WaitForReports();

  const std::set<std::string> stored = StoredPodUids();
  EXPECT_TRUE(stored.contains("uid-gate"));
  EXPECT_TRUE(stored.contains("uid-second-stream"));
  EXPECT_FALSE(stored.contains("uid-first-stream"))
      << "the first stream's queued report was written after its stream was replaced";
}

TEST_F(AgentHubReportsTest, AReportQueuedOnTheCurrentStreamIsWritten) {
  HoldTheIntake();
  hub_.Report("node-a", ReportWithPod("node-a", "uid-first-stream"));
  holding_->Release();
  hub_.WaitForReports();

  EXPECT_TRUE(StoredPodUids().contains("uid-first-stream"));
}

}  // namespace
}  // namespace fleetset::testing
