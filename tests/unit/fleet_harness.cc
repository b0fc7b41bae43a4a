#include "unit/fleet_harness.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "coordinator/frontend/grpc_status.h"
#include "coordinator/timestamps.h"
#include "fleetset/desired_eligibility.h"
#include "fleetset/manifest.h"
#include "fleetset/pod_owner.h"
#include "fleetset/version.h"

namespace fleetset::testing {

void RecordingOutbox::Offer(std::shared_ptr<const v1::DesiredState> state) {
  std::lock_guard lock(mu_);
  if (coordinator::OlderThan(*state, latest_)) return;
  latest_ = std::move(state);
  ++offers_;
}

void RecordingOutbox::Close(const coordinator::ApiError& why) {
  std::lock_guard lock(mu_);
  closed_ = coordinator::ToGrpcStatus(why);
}

std::shared_ptr<const v1::DesiredState> RecordingOutbox::latest() const {
  std::lock_guard lock(mu_);
  return latest_;
}

int RecordingOutbox::offers() const {
  std::lock_guard lock(mu_);
  return offers_;
}

std::optional<grpc::Status> RecordingOutbox::closed() const {
  std::lock_guard lock(mu_);
  return closed_;
}

namespace {

std::function<coordinator::storage::EtcdOptions()>& EtcdStoreMaker() {
  static std::function<coordinator::storage::EtcdOptions()> make;
  return make;
}

}  // namespace

void UseEtcdInFleetHarnesses(std::function<coordinator::storage::EtcdOptions()> make) {
  EtcdStoreMaker() = std::move(make);
}

FleetHarness::FleetHarness() {
  if (EtcdStoreMaker()) etcd_ = EtcdStoreMaker()();
  std::string pattern = (std::filesystem::temp_directory_path() / "fleet-test-XXXXXX").string();
  dir_ = mkdtemp(pattern.data());
  options.node_grace_period = std::chrono::seconds(40);
  Open();
}

FleetHarness::~FleetHarness() {
  Close();
  std::filesystem::remove_all(dir_);
}

namespace {

// Calls one unary method of the operator service in process.
template <typename Request, typename Response, typename Method>
grpc::Status Call(v1::OperatorService::Stub& stub, Method method, const Request& request,
                  Response* response) {
  grpc::ClientContext context;
  return (stub.*method)(&context, request, response);
}

}  // namespace

FleetClient::FleetClient(coordinator::CoordinatorServer& server)
    : server_(server), stub_(v1::OperatorService::NewStub(server.InProcessChannel())) {}

grpc::Status FleetClient::ApplyDaemonSet(const v1::ApplyDaemonSetRequest& request,
                                         v1::ApplyDaemonSetResponse* response) {
  return Call(*stub_, &v1::OperatorService::Stub::ApplyDaemonSet, request, response);
}

grpc::Status FleetClient::GetDaemonSet(const v1::ObjectKey& key, v1::DaemonSet* daemon_set) {
  v1::GetDaemonSetRequest request;
  *request.mutable_key() = key;
  return Call(*stub_, &v1::OperatorService::Stub::GetDaemonSet, request, daemon_set);
}

grpc::Status FleetClient::ListDaemonSets(const v1::ListDaemonSetsRequest& request,
                                         v1::ListDaemonSetsResponse* response) {
  return Call(*stub_, &v1::OperatorService::Stub::ListDaemonSets, request, response);
}

grpc::Status FleetClient::DeleteDaemonSet(const v1::ObjectKey& key, v1::DeleteResponse* response) {
  v1::DeleteDaemonSetRequest request;
  *request.mutable_key() = key;
  return Call(*stub_, &v1::OperatorService::Stub::DeleteDaemonSet, request, response);
}

grpc::Status FleetClient::SetImage(const v1::SetImageRequest& request,
                                   v1::ApplyDaemonSetResponse* response) {
  return Call(*stub_, &v1::OperatorService::Stub::SetImage, request, response);
}

grpc::Status FleetClient::RolloutStatus(const v1::ObjectKey& key,
                                        v1::RolloutStatusResponse* response) {
  v1::RolloutStatusRequest request;
  *request.mutable_key() = key;
  return Call(*stub_, &v1::OperatorService::Stub::RolloutStatus, request, response);
}

grpc::Status FleetClient::RolloutHistory(const v1::RolloutHistoryRequest& request,
                                         v1::RolloutHistoryResponse* response) {
  return Call(*stub_, &v1::OperatorService::Stub::RolloutHistory, request, response);
}

grpc::Status FleetClient::RolloutUndo(const v1::RolloutUndoRequest& request,
                                      v1::ApplyDaemonSetResponse* response) {
  return Call(*stub_, &v1::OperatorService::Stub::RolloutUndo, request, response);
}

grpc::Status FleetClient::GetNode(const std::string& name, v1::Node* node) {
  v1::GetNodeRequest request;
  request.set_name(name);
  return Call(*stub_, &v1::OperatorService::Stub::GetNode, request, node);
}

grpc::Status FleetClient::ListNodes(const v1::ListNodesRequest& request,
                                    v1::ListNodesResponse* response) {
  return Call(*stub_, &v1::OperatorService::Stub::ListNodes, request, response);
}

grpc::Status FleetClient::DeleteNode(const std::string& name, v1::DeleteResponse* response) {
  v1::DeleteNodeRequest request;
  request.set_name(name);
  return Call(*stub_, &v1::OperatorService::Stub::DeleteNode, request, response);
}

grpc::Status FleetClient::LabelNode(const v1::LabelNodeRequest& request, v1::Node* node) {
  return Call(*stub_, &v1::OperatorService::Stub::LabelNode, request, node);
}

grpc::Status FleetClient::TaintNode(const v1::TaintNodeRequest& request, v1::Node* node) {
  return Call(*stub_, &v1::OperatorService::Stub::TaintNode, request, node);
}

grpc::Status FleetClient::ListPods(const v1::ListPodsRequest& request,
                                   v1::ListPodsResponse* response) {
  return Call(*stub_, &v1::OperatorService::Stub::ListPods, request, response);
}

grpc::Status FleetClient::DeletePod(const v1::DeletePodRequest& request,
                                    v1::DeleteResponse* response) {
  return Call(*stub_, &v1::OperatorService::Stub::DeletePod, request, response);
}

grpc::Status FleetClient::ExplainPlacement(const v1::ExplainPlacementRequest& request,
                                           v1::ExplainPlacementResponse* response) {
  return Call(*stub_, &v1::OperatorService::Stub::ExplainPlacement, request, response);
}

grpc::Status FleetClient::ListEvents(const v1::ListEventsRequest& request,
                                     v1::ListEventsResponse* response) {
  return Call(*stub_, &v1::OperatorService::Stub::ListEvents, request, response);
}

grpc::Status FleetClient::ApplyObject(const v1::ApplyObjectRequest& request,
                                      v1::ApplyObjectResponse* response) {
  return Call(*stub_, &v1::OperatorService::Stub::ApplyObject, request, response);
}

grpc::Status FleetClient::GetObject(const v1::GetObjectRequest& request, v1::Object* object) {
  return Call(*stub_, &v1::OperatorService::Stub::GetObject, request, object);
}

grpc::Status FleetClient::ListObjects(const v1::ListObjectsRequest& request,
                                      v1::ListObjectsResponse* response) {
  return Call(*stub_, &v1::OperatorService::Stub::ListObjects, request, response);
}

grpc::Status FleetClient::DeleteObject(const v1::DeleteObjectRequest& request,
                                       v1::DeleteResponse* response) {
  return Call(*stub_, &v1::OperatorService::Stub::DeleteObject, request, response);
}

grpc::Status FleetClient::AgentConnected(const v1::Hello& hello,
                                         std::shared_ptr<coordinator::AgentOutbox> outbox) {
  return coordinator::Serve([&] {
    server_.hub().Connect(coordinator::Caller::Node(hello.node_name()), hello, std::move(outbox));
  });
}

void FleetClient::AgentReported(const std::string& node_name, const v1::StatusReport& report) {
  server_.hub().Report(node_name, report);
  server_.hub().WaitForReports();
}

void FleetClient::AgentHeartbeat(const std::string& node_name) {
  server_.hub().Heartbeat(node_name);
}

void FleetHarness::Open() {
  coordinator::ServerOptions server_options;
  server_options.listen = "";
  server_options.data_dir = dir_ + "/data";
  server_options.controllers = options;
  server_options.manual_passes = true;
  if (etcd_) {
    server_options.shared.etcd = *etcd_;
    server_options.shared.name = "fleet-harness";
  }
  std::string error;
  server_ = coordinator::CoordinatorServer::Start(server_options, clock_, &error);
  ASSERT_NE(server_, nullptr) << error;
  client_ = std::make_unique<FleetClient>(*server_);
  // On etcd the controllers run once the election (on the real clock) is
  // won: the first campaign, at once when nobody else holds the lease.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (!server_->Leading() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(server_->Leading()) << "the harness's coordinator never became the leader";
}

void FleetHarness::ReopenOn(const std::string& database) {
  ASSERT_FALSE(etcd_.has_value()) << "ReopenOn restarts on a SQLite database";
  Close();
  std::filesystem::remove_all(dir_ + "/data");
  std::filesystem::create_directories(dir_ + "/data");
  std::filesystem::copy_file(database, dir_ + "/data/fleetset.db");
  Open();
}

void FleetHarness::Close() {
  client_.reset();
  server_.reset();
  agents_.clear();
}

grpc::Status FleetHarness::Connect(const std::string& node, Labels labels,
                                   std::vector<v1::Taint> taints) {
  v1::Hello hello;
  hello.set_protocol_version(kProtocolVersion);
  hello.set_node_name(node);
  labels[kLabelHostname] = node;
  for (const auto& [key, value] : labels) (*hello.mutable_labels())[key] = value;
  for (const v1::Taint& taint : taints) *hello.add_taints() = taint;
  SimulatedAgent& agent = agents_[node];
  agent.outbox = std::make_shared<RecordingOutbox>();
  return client_->AgentConnected(hello, agent.outbox);
}

void FleetHarness::RunAgent(const std::string& node_name, bool ready) {
  SimulatedAgent& agent = agents_.at(node_name);
  std::shared_ptr<const v1::DesiredState> state = agent.outbox->latest();
  ASSERT_NE(state, nullptr) << node_name << " has no desired state";
  const NodeFacts facts = NodeFactsOf(node_name, state->node());

  v1::StatusReport report;
  report.set_node_name(node_name);
  report.set_desired_version(state->version());
  std::vector<v1::Pod> pods;
  for (const v1::DesiredDaemonSet& desired : state->daemon_sets()) {
    const std::string key = DaemonSetReference(desired.metadata());
    const EligibilityDecision decision = EvaluateDesiredDaemonSet(desired, facts);
    *report.add_eligibility() = ToEligibility(key, decision);
    if (!decision.should_run) continue;
    const v1::Pod* kept = nullptr;
    for (const v1::Pod& pod : agent.pods) {
      bool deleted = false;
      for (const std::string& uid : desired.deleted_pod_uids())
        deleted |= uid == pod.metadata().uid();
      if (pod.owner() == key && pod.revision_hash() == desired.revision_hash() && !deleted) {
        kept = &pod;
      }
    }
    if (kept != nullptr) {
      pods.push_back(*kept);
      continue;
    }
    v1::Pod& pod = pods.emplace_back();
    pod.mutable_metadata()->set_name(desired.metadata().name() + "-" +
                                     std::to_string(agent.next_pod++));
    pod.mutable_metadata()->set_namespace_(desired.metadata().namespace_());
    pod.mutable_metadata()->set_uid(node_name + "-" + pod.metadata().name());
    *pod.mutable_metadata()->mutable_labels() = desired.template_().metadata().labels();
    pod.set_node_name(node_name);
    pod.set_owner(key);
    pod.set_revision_hash(desired.revision_hash());
    pod.mutable_status()->set_phase("Running");
    v1::PodCondition& condition = *pod.mutable_status()->add_conditions();
    condition.set_type("Ready");
    condition.set_status(ready ? "True" : "False");
    *condition.mutable_last_transition_time() = coordinator::ToTimestamp(clock_.WallNow());
  }
  agent.pods = pods;
  *report.mutable_pods() = {pods.begin(), pods.end()};
  client_->AgentReported(node_name, report);
}

void FleetHarness::RunAllAgents() {
  for (auto& [name, agent] : agents_) {
    if (agent.outbox->closed()) continue;
    RunAgent(name);
  }
}

void FleetHarness::Settle(int rounds) {
  for (int i = 0; i < rounds; ++i) {
    Sync();
    RunAllAgents();
  }
  Sync();
}

std::shared_ptr<const v1::DesiredState> FleetHarness::DesiredOf(const std::string& node) const {
  return agents_.at(node).outbox->latest();
}

std::string FleetHarness::AssignedHash(const std::string& node,
                                       const std::string& daemon_set) const {
  auto state = DesiredOf(node);
  if (!state) return "";
  for (const v1::DesiredDaemonSet& desired : state->daemon_sets()) {
    if (DaemonSetReference(desired.metadata()) == daemon_set) {
      return desired.revision_hash();
    }
  }
  return "";
}

v1::ApplyDaemonSetResponse FleetHarness::Apply(const std::string& yaml) {
  std::vector<LoadedDaemonSet> loaded = LoadDaemonSets(yaml, "test.yaml");
  EXPECT_EQ(loaded.size(), 1u);
  v1::ApplyDaemonSetRequest request;
  *request.mutable_daemon_set() = loaded.at(0).daemon_set;
  v1::ApplyDaemonSetResponse response;
  grpc::Status status = client_->ApplyDaemonSet(request, &response);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return response;
}

v1::DaemonSet FleetHarness::Get(const std::string& name) {
  v1::ObjectKey key;
  key.set_name(name);
  v1::DaemonSet daemon_set;
  grpc::Status status = client_->GetDaemonSet(key, &daemon_set);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return daemon_set;
}

std::string DaemonSetYaml(const std::string& name, const std::string& image,
                          const std::string& max_unavailable, const std::string& extra_pod_spec) {
  return "apiVersion: apps/v1\n"
         "kind: DaemonSet\n"
         "metadata:\n"
         "  name: " +
         name +
         "\n"
         "spec:\n"
         "  selector:\n"
         "    matchLabels: {app: " +
         name +
         "}\n"
         "  updateStrategy:\n"
         "    type: RollingUpdate\n"
         "    rollingUpdate: {maxUnavailable: " +
         max_unavailable +
         "}\n"
         "  template:\n"
         "    metadata:\n"
         "      labels: {app: " +
         name +
         "}\n"
         "    spec:\n" +
         extra_pod_spec +
         "      containers:\n"
         "      - name: main\n"
         "        image: " +
         image + "\n";
}

void FleetHarness::StoreSecret(const std::string& name, const std::string& key,
                               const std::string& value) {
  v1::ApplyObjectRequest request;
  v1::Secret& secret = *request.mutable_object()->mutable_secret();
  secret.mutable_metadata()->set_name(name);
  (*secret.mutable_data())[key] = value;
  v1::ApplyObjectResponse response;
  ASSERT_TRUE(client_->ApplyObject(request, &response).ok());
  v1::GetObjectRequest get;
  get.set_resource("secrets");
  get.set_name(name);
  v1::Object stored;
  ASSERT_TRUE(client_->GetObject(get, &stored).ok());
  EXPECT_EQ(stored.secret().data().at(key), value);
}

}  // namespace fleetset::testing
