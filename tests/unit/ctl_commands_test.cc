// fleetsetctl's verbs run in process (RunCtl with string streams) against a
// fake OperatorService on a local port: what is sent, what is printed, and
// the exit code.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

#include "ctl/app.h"
#include "ctl/resources.h"
#include "fleetset/object_kinds.h"
#include "fleetset/v1/operator_service.grpc.pb.h"
#include "support/coordinator_client.h"

namespace fleetset::ctl {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

google::protobuf::Timestamp SecondsAgo(int64_t seconds) {
  google::protobuf::Timestamp timestamp;
  timestamp.set_seconds(std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count() -
                        seconds);
  return timestamp;
}

// Answers as the coordinator is expected to: kubectl's messages, the codes
// documented in docs/cli.md.
class FakeCoordinator final : public v1::OperatorService::Service {
 public:
  std::mutex mutex;
  std::vector<v1::DaemonSet> daemon_sets;
  std::vector<v1::Node> nodes;
  std::vector<v1::Pod> pods;
  std::vector<v1::Event> events;
  std::vector<v1::RolloutStatusResponse> statuses;
  size_t status_calls = 0;
  std::vector<v1::ApplyDaemonSetRequest> applied;
  std::vector<v1::TaintNodeRequest> taints;
  std::vector<v1::SetImageRequest> images;
  std::vector<v1::WatchEvent> watch_events;
  // ConfigMaps, Secrets, PriorityClasses and Namespaces.
  std::vector<v1::Object> objects;
  std::vector<v1::ApplyObjectRequest> applied_objects;
  std::vector<v1::ListObjectsRequest> object_lists;
  std::vector<v1::DeleteObjectRequest> deleted_objects;

  grpc::Status Version(grpc::ServerContext*, const v1::VersionRequest*,
                       v1::VersionResponse* response) override {
    response->set_version("0.1.0");
    return grpc::Status::OK;
  }

  grpc::Status ApplyDaemonSet(grpc::ServerContext*, const v1::ApplyDaemonSetRequest* request,
                              v1::ApplyDaemonSetResponse* response) override {
    std::lock_guard lock(mutex);
    applied.push_back(*request);
    const std::string& name = request->daemon_set().metadata().name();
    const bool exists =
        FindDaemonSet(request->daemon_set().metadata().namespace_(), name) != nullptr;
    if (exists && request->create_only()) {
      return grpc::Status(grpc::StatusCode::ALREADY_EXISTS,
                          "daemonsets.apps \"" + name + "\" already exists");
    }
    response->set_result(exists ? "configured" : "created");
    if (!exists && !request->dry_run()) daemon_sets.push_back(request->daemon_set());
    return grpc::Status::OK;
  }

  grpc::Status GetDaemonSet(grpc::ServerContext*, const v1::GetDaemonSetRequest* request,
                            v1::DaemonSet* response) override {
    std::lock_guard lock(mutex);
    const v1::DaemonSet* found = FindDaemonSet(request->key().namespace_(), request->key().name());
    if (found == nullptr) return DaemonSetNotFound(request->key().name());
    *response = *found;
    return grpc::Status::OK;
  }

  grpc::Status ListDaemonSets(grpc::ServerContext*, const v1::ListDaemonSetsRequest* request,
                              v1::ListDaemonSetsResponse* response) override {
    std::lock_guard lock(mutex);
    for (const auto& item : daemon_sets) {
      if (request->all_namespaces() || item.metadata().namespace_() == request->namespace_()) {
        *response->add_items() = item;
      }
    }
    return grpc::Status::OK;
  }

  grpc::Status DeleteDaemonSet(grpc::ServerContext*, const v1::DeleteDaemonSetRequest* request,
                               v1::DeleteResponse*) override {
    std::lock_guard lock(mutex);
    auto it = std::find_if(daemon_sets.begin(), daemon_sets.end(), [&](const auto& item) {
      return item.metadata().name() == request->key().name();
    });
    if (it == daemon_sets.end()) return DaemonSetNotFound(request->key().name());
    daemon_sets.erase(it);
    return grpc::Status::OK;
  }

  grpc::Status SetImage(grpc::ServerContext*, const v1::SetImageRequest* request,
                        v1::ApplyDaemonSetResponse* response) override {
    std::lock_guard lock(mutex);
    images.push_back(*request);
    for (const auto& [container, image] : request->images()) {
      if (container != "*" && container != "fluentd") {
        return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                            "unable to find container named \"" + container + "\"");
      }
    }
    response->set_result("image updated");
    return grpc::Status::OK;
  }

  grpc::Status GetNode(grpc::ServerContext*, const v1::GetNodeRequest* request,
                       v1::Node* response) override {
    std::lock_guard lock(mutex);
    v1::Node* found = FindNode(request->name());
    if (found == nullptr) return NodeNotFound(request->name());
    *response = *found;
    return grpc::Status::OK;
  }

  grpc::Status ListNodes(grpc::ServerContext*, const v1::ListNodesRequest*,
                         v1::ListNodesResponse* response) override {
    std::lock_guard lock(mutex);
    for (const auto& node : nodes) *response->add_items() = node;
    return grpc::Status::OK;
  }

  grpc::Status LabelNode(grpc::ServerContext*, const v1::LabelNodeRequest* request,
                         v1::Node* response) override {
    std::lock_guard lock(mutex);
    v1::Node* node = FindNode(request->name());
    if (node == nullptr) return NodeNotFound(request->name());
    auto& labels = *node->mutable_metadata()->mutable_labels();
    for (const auto& [key, value] : request->set()) {
      if (!request->overwrite() && labels.contains(key)) {
        return grpc::Status(
            grpc::StatusCode::FAILED_PRECONDITION,
            "'" + key + "' already has a value (" + labels.at(key) + "), and --overwrite is false");
      }
    }
    for (const auto& [key, value] : request->set()) labels[key] = value;
    for (const std::string& key : request->remove()) labels.erase(key);
    *response = *node;
    return grpc::Status::OK;
  }

  grpc::Status TaintNode(grpc::ServerContext*, const v1::TaintNodeRequest* request,
                         v1::Node* response) override {
    std::lock_guard lock(mutex);
    taints.push_back(*request);
    v1::Node* node = FindNode(request->name());
    if (node == nullptr) return NodeNotFound(request->name());
    *response = *node;
    return grpc::Status::OK;
  }

  grpc::Status SetNodeSchedulable(grpc::ServerContext*,
                                  const v1::SetNodeSchedulableRequest* request,
                                  v1::Node* response) override {
    std::lock_guard lock(mutex);
    v1::Node* node = FindNode(request->name());
    if (node == nullptr) return NodeNotFound(request->name());
    node->mutable_spec()->set_unschedulable(request->unschedulable());
    *response = *node;
    return grpc::Status::OK;
  }

  grpc::Status ListPods(grpc::ServerContext*, const v1::ListPodsRequest* request,
                        v1::ListPodsResponse* response) override {
    std::lock_guard lock(mutex);
    for (const auto& pod : pods) {
      if (!request->all_namespaces() && pod.metadata().namespace_() != request->namespace_())
        continue;
      if (!request->node_name().empty() && pod.node_name() != request->node_name()) continue;
      *response->add_items() = pod;
    }
    return grpc::Status::OK;
  }

  grpc::Status DeletePod(grpc::ServerContext*, const v1::DeletePodRequest*,
                         v1::DeleteResponse*) override {
    return grpc::Status::OK;
  }

  grpc::Status RolloutStatus(grpc::ServerContext*, const v1::RolloutStatusRequest*,
                             v1::RolloutStatusResponse* response) override {
    std::lock_guard lock(mutex);
    *response = statuses[std::min(status_calls++, statuses.size() - 1)];
    return grpc::Status::OK;
  }

  grpc::Status RolloutHistory(grpc::ServerContext*, const v1::RolloutHistoryRequest* request,
                              v1::RolloutHistoryResponse* response) override {
    for (int64_t revision : {1, 2}) {
      if (request->revision() != 0 && request->revision() != revision) continue;
      v1::DaemonSetRevision* entry = response->add_revisions();
      entry->set_revision(revision);
      if (revision == 2) entry->set_change_cause("fleetsetctl set image ds/fluentd fluentd=f:v2");
      v1::Container* container = entry->mutable_template_()->mutable_spec()->add_containers();
      container->set_name("fluentd");
      container->set_image(revision == 1 ? "f:v1" : "f:v2");
    }
    return grpc::Status::OK;
  }

  grpc::Status RolloutUndo(grpc::ServerContext*, const v1::RolloutUndoRequest* request,
                           v1::ApplyDaemonSetResponse* response) override {
    if (request->to_revision() > 2) {
      return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                          "unable to find specified revision " +
                              std::to_string(request->to_revision()) + " in history");
    }
    response->set_result("rolled back");
    return grpc::Status::OK;
  }

  grpc::Status ExplainPlacement(grpc::ServerContext*, const v1::ExplainPlacementRequest* request,
                                v1::ExplainPlacementResponse* response) override {
    auto* worker = response->add_nodes();
    worker->set_node_name("k8s-01");
    worker->set_pod_name("fluentd-x7k2p");
    worker->mutable_eligibility()->set_should_run(true);
    worker->mutable_eligibility()->set_reason(
        "node matches the pod's selector, affinity and tolerations");
    if (request->node_name().empty()) {
      auto* master = response->add_nodes();
      master->set_node_name("k8s-master-01");
      master->mutable_eligibility()->set_reason(
          "node has taint node-role.kubernetes.io/master:NoSchedule that the pod does not "
          "tolerate");
    }
    return grpc::Status::OK;
  }

  grpc::Status ListEvents(grpc::ServerContext*, const v1::ListEventsRequest* request,
                          v1::ListEventsResponse* response) override {
    std::lock_guard lock(mutex);
    for (const auto& event : events) {
      if (event.involved_object() == request->involved_object()) *response->add_items() = event;
    }
    return grpc::Status::OK;
  }

  grpc::Status Watch(grpc::ServerContext*, const v1::WatchRequest*,
                     grpc::ServerWriter<v1::WatchEvent>* writer) override {
    for (const auto& event : watch_events) writer->Write(event);
    return grpc::Status::OK;
  }

  grpc::Status ApplyObject(grpc::ServerContext*, const v1::ApplyObjectRequest* request,
                           v1::ApplyObjectResponse* response) override {
    std::lock_guard lock(mutex);
    applied_objects.push_back(*request);
    const v1::ObjectMeta& metadata = *MetadataOf(request->object());
    const ResourceType& type = TypeOf(request->object());
    v1::Object* existing = FindObject(type, metadata.namespace_(), metadata.name());
    if (existing != nullptr && request->create_only()) {
      return grpc::Status(grpc::StatusCode::ALREADY_EXISTS,
                          std::string(type.plural) + " \"" + metadata.name() + "\" already exists");
    }
    response->set_result(existing == nullptr ? "created"
                         : existing->SerializeAsString() == request->object().SerializeAsString()
                             ? "unchanged"
                             : "configured");
    *response->mutable_object() = request->object();
    if (request->dry_run()) return grpc::Status::OK;
    if (existing != nullptr) {
      *existing = request->object();
    } else {
      objects.push_back(request->object());
    }
    return grpc::Status::OK;
  }

  grpc::Status GetObject(grpc::ServerContext*, const v1::GetObjectRequest* request,
                         v1::Object* response) override {
    std::lock_guard lock(mutex);
    const ResourceType& type = *FindResourceType(request->resource());
    const v1::Object* found = FindObject(type, request->namespace_(), request->name());
    if (found == nullptr) return ObjectNotFound(type, request->name());
    *response = *found;
    return grpc::Status::OK;
  }

  grpc::Status ListObjects(grpc::ServerContext*, const v1::ListObjectsRequest* request,
                           v1::ListObjectsResponse* response) override {
    std::lock_guard lock(mutex);
    object_lists.push_back(*request);
    for (const auto& object : objects) {
      if (TypeOf(object).resource != request->resource()) continue;
      if (!request->all_namespaces() && MetadataOf(object)->namespace_() != request->namespace_()) {
        continue;
      }
      *response->add_items() = object;
    }
    return grpc::Status::OK;
  }

  grpc::Status DeleteObject(grpc::ServerContext*, const v1::DeleteObjectRequest* request,
                            v1::DeleteResponse*) override {
    std::lock_guard lock(mutex);
    deleted_objects.push_back(*request);
    const ResourceType& type = *FindResourceType(request->resource());
    const v1::Object* found = FindObject(type, request->namespace_(), request->name());
    if (found == nullptr) return ObjectNotFound(type, request->name());
    objects.erase(objects.begin() + (found - objects.data()));
    return grpc::Status::OK;
  }

 private:
  static const ResourceType& TypeOf(const v1::Object& object) {
    return *FindResourceTypeOfKind(KindName(object.kind_case()));
  }
  v1::Object* FindObject(const ResourceType& type, const std::string& namespace_,
                         const std::string& name) {
    for (auto& object : objects) {
      const v1::ObjectMeta& metadata = *MetadataOf(object);
      if (&TypeOf(object) == &type && metadata.namespace_() == namespace_ &&
          metadata.name() == name) {
        return &object;
      }
    }
    return nullptr;
  }
  static grpc::Status ObjectNotFound(const ResourceType& type, const std::string& name) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND,
                        std::string(type.plural) + " \"" + name + "\" not found");
  }
  v1::DaemonSet* FindDaemonSet(const std::string& namespace_, const std::string& name) {
    for (auto& item : daemon_sets) {
      if (item.metadata().namespace_() == namespace_ && item.metadata().name() == name)
        return &item;
    }
    return nullptr;
  }
  v1::Node* FindNode(const std::string& name) {
    for (auto& node : nodes) {
      if (node.metadata().name() == name) return &node;
    }
    return nullptr;
  }
  static grpc::Status DaemonSetNotFound(const std::string& name) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND, "daemonsets.apps \"" + name + "\" not found");
  }
  static grpc::Status NodeNotFound(const std::string& name) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND, "nodes \"" + name + "\" not found");
  }
};

// A file under a directory of this test's own, made with its parents.
std::string WriteTestFile(const std::string& relative, const std::string& content) {
  const std::filesystem::path path = std::filesystem::path(::testing::TempDir()) /
                                     ("ctl-create-" + std::to_string(getpid())) / relative;
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << content;
  return path.string();
}

struct Result {
  int code;
  std::string out;
  std::string err;
};

Result RunInProcess(const std::vector<std::string>& args, const std::string& input = "") {
  std::istringstream in(input);
  std::ostringstream out;
  std::ostringstream err;
  Io io{in, out, err};
  const int code = RunCtl(args, io);
  return {code, out.str(), err.str()};
}

// A fleetsetctl config with a certificate from a throwaway CA, for the
// whole of one test.
class TestCredentials {
  using TestTls = testing::TestTls;
  using ScopedClientConfig = testing::ScopedClientConfig;

 public:
  TestCredentials()
      : tls_(testing::MakeTestTls({"admin", {"admin"}})),
        // One file per process: ctest runs the tests of this binary in
        // parallel processes, each with its own CA.
        config_(::testing::TempDir() + "ctl-test-config-" + std::to_string(getpid()) + ".yaml",
                "127.0.0.1:1", tls_.client) {}
  const TestTls& tls() const { return tls_; }

 private:
  TestTls tls_;
  ScopedClientConfig config_;
};

class CtlCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", credentials_.tls().ServerCredentials(), &port);
    builder.RegisterService(&fake_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    address_ = "127.0.0.1:" + std::to_string(port);

    v1::DaemonSet fluentd;
    fluentd.mutable_metadata()->set_name("fluentd");
    fluentd.mutable_metadata()->set_namespace_("kube-system");
    *fluentd.mutable_metadata()->mutable_creation_timestamp() = SecondsAgo(3);
    (*fluentd.mutable_spec()->mutable_selector()->mutable_match_labels())["name"] = "fluentd";
    auto* container = fluentd.mutable_spec()->mutable_template_()->mutable_spec()->add_containers();
    container->set_name("fluentd");
    container->set_image("f:v1");
    fluentd.mutable_status()->set_desired_number_scheduled(2);
    fluentd.mutable_status()->set_number_ready(1);
    fake_.daemon_sets.push_back(fluentd);

    v1::Node node;
    node.mutable_metadata()->set_name("k8s-01");
    (*node.mutable_metadata()->mutable_labels())["logger"] = "fluentd";
    *node.mutable_metadata()->mutable_creation_timestamp() = SecondsAgo(3600 * 24 * 25);
    auto* ready = node.mutable_status()->add_conditions();
    ready->set_type("Ready");
    ready->set_status("True");
    node.mutable_status()->mutable_node_info()->set_agent_version("v0.1.0");
    fake_.nodes.push_back(node);

    v1::Pod pod;
    pod.mutable_metadata()->set_name("fluentd-x7k2p");
    pod.mutable_metadata()->set_namespace_("kube-system");
    *pod.mutable_metadata()->mutable_creation_timestamp() = SecondsAgo(2);
    pod.set_node_name("k8s-01");
    pod.set_owner("kube-system/fluentd");
    pod.mutable_status()->set_phase("Running");
    pod.mutable_status()->set_pod_ip("10.0.0.7");
    auto* status = pod.mutable_status()->add_container_statuses();
    status->set_ready(true);
    fake_.pods.push_back(pod);
  }
  void TearDown() override { server_->Shutdown(); }

  // Runs against the fake: the address goes first, as a user's alias would.
  Result Ctl(std::vector<std::string> args, const std::string& input = "") {
    args.insert(args.begin(), {"-s", address_});
    return RunInProcess(args, input);
  }

  // A fluent-bit bundle as the coordinator would hold it: a ConfigMap and
  // a Secret in "logging", a PriorityClass, the Namespace.
  void AddConfigObjects() {
    v1::ConfigMap config;
    config.mutable_metadata()->set_name("fluent-bit-config");
    config.mutable_metadata()->set_namespace_("logging");
    (*config.mutable_metadata()->mutable_labels())["k8s-app"] = "fluent-bit";
    *config.mutable_metadata()->mutable_creation_timestamp() = SecondsAgo(5 * 3600);
    (*config.mutable_data())["fluent-bit.conf"] = "[SERVICE]\n    Flush 1\n";
    (*config.mutable_data())["parsers.conf"] = "[PARSER]\n    Name json\n";
    (*config.mutable_binary_data())["logo.png"] = std::string("\x89PNG\r\n\x1a\n", 8);
    *fake_.objects.emplace_back().mutable_config_map() = config;

    v1::Secret secret;
    secret.mutable_metadata()->set_name("es-credentials");
    secret.mutable_metadata()->set_namespace_("logging");
    *secret.mutable_metadata()->mutable_creation_timestamp() = SecondsAgo(5 * 3600);
    secret.set_type("Opaque");
    (*secret.mutable_data())["username"] = "elastic";
    (*secret.mutable_data())["password"] = "s3cr3t";
    *fake_.objects.emplace_back().mutable_secret() = secret;

    v1::PriorityClass priority;
    priority.mutable_metadata()->set_name("fleet-critical");
    *priority.mutable_metadata()->mutable_creation_timestamp() = SecondsAgo(25 * 86400);
    priority.set_value(1000000);
    priority.set_preemption_policy("PreemptLowerPriority");
    priority.set_description("Log collectors");
    *fake_.objects.emplace_back().mutable_priority_class() = priority;

    v1::Namespace logging;
    logging.mutable_metadata()->set_name("logging");
    (*logging.mutable_metadata()->mutable_labels())["kubernetes.io/metadata.name"] = "logging";
    *logging.mutable_metadata()->mutable_creation_timestamp() = SecondsAgo(25 * 86400);
    logging.mutable_status()->set_phase("Active");
    *fake_.objects.emplace_back().mutable_namespace_() = logging;
  }

  TestCredentials credentials_;
  FakeCoordinator fake_;
  std::unique_ptr<grpc::Server> server_;
  std::string address_;
};

TEST(CtlUnreachableTest, OneLineAndExitCodeOne) {
  TestCredentials credentials;
  for (const std::vector<std::string>& command : {std::vector<std::string>{"get", "ds"},
                                                  {"describe", "node", "x"},
                                                  {"delete", "ds", "a", "b"},
                                                  {"rollout", "status", "ds/x"},
                                                  {"label", "node", "x", "a=b"}}) {
    std::vector<std::string> args{"--server", "127.0.0.1:1"};
    args.insert(args.end(), command.begin(), command.end());
    const Result result = RunInProcess(args);
    EXPECT_EQ(result.code, 1) << command[0];
    EXPECT_EQ(result.err,
              "error: cannot reach the coordinator at 127.0.0.1:1: connection refused\n")
        << command[0];
    EXPECT_EQ(result.out, "") << command[0];
  }
}

TEST(CtlUnreachableTest, ApplyStopsAtTheFirstUnreachableCall) {
  const std::string two = R"(apiVersion: apps/v1
kind: DaemonSet
metadata: {name: a}
spec:
  selector: {matchLabels: {app: a}}
  template:
    metadata: {labels: {app: a}}
    spec: {containers: [{name: a, image: busybox}]}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: b}
spec:
  selector: {matchLabels: {app: b}}
  template:
    metadata: {labels: {app: b}}
    spec: {containers: [{name: b, image: busybox}]}
)";
  TestCredentials credentials;
  const Result result = RunInProcess({"apply", "-f", "-", "-s", "127.0.0.1:1"}, two);
  EXPECT_EQ(result.code, 1);
  EXPECT_EQ(result.err, "error: cannot reach the coordinator at 127.0.0.1:1: connection refused\n");
}

TEST_F(CtlCommandsTest, GetDaemonSetsPrintsKubectlsTable) {
  const Result result = Ctl({"get", "ds", "-n", "kube-system"});
  EXPECT_EQ(result.code, 0) << result.err;
  EXPECT_EQ(result.out,
            "NAME      DESIRED   CURRENT   READY   UP-TO-DATE   AVAILABLE   NODE SELECTOR   AGE\n"
            "fluentd   2         0         1       0            0           <none>          3s\n");
}

TEST_F(CtlCommandsTest, GetInAnEmptyNamespaceSaysSoOnStderr) {
  const Result result = Ctl({"get", "daemonsets"});
  EXPECT_EQ(result.code, 0);
  EXPECT_EQ(result.out, "");
  EXPECT_EQ(result.err, "No resources found in default namespace.\n");
}

TEST_F(CtlCommandsTest, AcceptsKubectlsFlagSpellings) {
  for (const char* flag : {"-n=kube-system", "--namespace=kube-system", "-nkube-system"}) {
    const Result result = Ctl({"get", "ds", flag, "-o", "name"});
    EXPECT_EQ(result.out, "daemonset.apps/fluentd\n") << flag << ": " << result.err;
  }
  EXPECT_EQ(Ctl({"-n", "kube-system", "get", "pods", "--selector", "name=fluentd", "-o=name"}).out,
            "pod/fluentd-x7k2p\n");
  EXPECT_EQ(Ctl({"get", "ds", "-A=true", "-o=name"}).out, "daemonset.apps/fluentd\n");
}

TEST_F(CtlCommandsTest, GetAllNamespacesAddsTheNamespaceColumn) {
  const Result result = Ctl({"get", "pods", "-A"});
  EXPECT_EQ(result.code, 0) << result.err;
  EXPECT_THAT(result.out,
              StartsWith("NAMESPACE     NAME            READY   STATUS    RESTARTS   AGE\n"
                         "kube-system   fluentd-x7k2p   1/1     Running   0          2s\n"));
}

TEST_F(CtlCommandsTest, GetPodsOnANode) {
  EXPECT_THAT(Ctl({"get", "po", "-n", "kube-system", "--field-selector", "spec.nodeName=k8s-01",
                   "-o", "name"})
                  .out,
              "pod/fluentd-x7k2p\n");
  EXPECT_EQ(Ctl({"get", "po", "-n", "kube-system", "--field-selector", "spec.nodeName=k8s-02"}).err,
            "No resources found in kube-system namespace.\n");
  EXPECT_EQ(Ctl({"get", "po", "--field-selector", "status.phase=Running"}).code, 1);
}

TEST_F(CtlCommandsTest, GetByNameReportsTheMissingOnes) {
  const Result result = Ctl({"get", "ds/fluentd", "ds/nope", "-n", "kube-system", "-o", "name"});
  EXPECT_EQ(result.code, 1);
  EXPECT_EQ(result.out, "daemonset.apps/fluentd\n");
  EXPECT_EQ(result.err, "Error from server (NotFound): daemonsets.apps \"nope\" not found\n");
  const Result pod = Ctl({"get", "pod", "nope", "-n", "kube-system"});
  EXPECT_EQ(pod.err, "Error from server (NotFound): pods \"nope\" not found\n");
}

TEST_F(CtlCommandsTest, GetOneObjectAsJsonPrintsItBare) {
  const Result result = Ctl({"get", "ds", "fluentd", "-n", "kube-system", "-o", "json"});
  EXPECT_EQ(result.code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("\"kind\": \"DaemonSet\""));
  EXPECT_THAT(result.out, HasSubstr("\"desiredNumberScheduled\": 2"));
  const Result list = Ctl({"get", "nodes", "-o", "yaml"});
  EXPECT_THAT(list.out, HasSubstr("kind: List"));
  EXPECT_THAT(list.out, HasSubstr("kind: Node"));
}

TEST_F(CtlCommandsTest, GetNodes) {
  const Result result = Ctl({"get", "no"});
  EXPECT_EQ(result.out,
            "NAME     STATUS   ROLES    AGE   VERSION\n"
            "k8s-01   Ready    <none>   25d   v0.1.0\n");
}

// A fleet of 10,000 nodes lists in about 5 MB, past gRPC's default 4 MiB
// for a received message.
TEST_F(CtlCommandsTest, GetNodesOfALargeFleetIsNotCutAtFourMebibytes) {
  {
    std::lock_guard lock(fake_.mutex);
    v1::Node big = fake_.nodes.front();
    (*big.mutable_metadata()->mutable_annotations())["padding"] = std::string(1024, 'x');
    for (int i = 0; i < 5000; ++i) {
      big.mutable_metadata()->set_name("node-" + std::to_string(i));
      fake_.nodes.push_back(big);
    }
  }
  const Result result = Ctl({"get", "nodes"});
  EXPECT_EQ(result.code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("node-4999 "));
}

TEST_F(CtlCommandsTest, WatchPrintsARowPerEvent) {
  v1::WatchEvent event;
  event.set_type("MODIFIED");
  *event.mutable_daemon_set() = fake_.daemon_sets[0];
  event.mutable_daemon_set()->mutable_status()->set_number_ready(2);
  fake_.watch_events.push_back(event);
  const Result result = Ctl({"get", "ds", "-n", "kube-system", "-w"});
  EXPECT_EQ(result.code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("\nfluentd   2   0   2   0   0   <none>   "));
}

TEST_F(CtlCommandsTest, DescribeDaemonSetIncludesPodsAndEvents) {
  v1::Event event;
  *event.mutable_time() = SecondsAgo(48);
  event.set_type("Normal");
  event.set_reason("SuccessfulCreate");
  event.set_message("Created pod: fluentd-x7k2p");
  event.set_involved_object("daemonset/kube-system/fluentd");
  fake_.events.push_back(event);
  const Result result = Ctl({"describe", "ds", "fluentd", "-n", "kube-system"});
  EXPECT_EQ(result.code, 0) << result.err;
  EXPECT_THAT(result.out, StartsWith("Name:           fluentd\n"));
  EXPECT_THAT(result.out,
              HasSubstr("Pods Status:  1 Running / 0 Waiting / 0 Succeeded / 0 Failed\n"));
  EXPECT_THAT(result.out, HasSubstr("  Normal  SuccessfulCreate  48s   daemonset-controller  "
                                    "Created pod: fluentd-x7k2p\n"));
  const Result missing = Ctl({"describe", "ds", "nope"});
  EXPECT_EQ(missing.code, 1);
  EXPECT_EQ(missing.err, "Error from server (NotFound): daemonsets.apps \"nope\" not found\n");
}

TEST_F(CtlCommandsTest, DescribeNodeListsItsPods) {
  const Result result = Ctl({"describe", "node", "k8s-01"});
  EXPECT_EQ(result.code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("Non-terminated Pods:"));
  EXPECT_THAT(result.out, HasSubstr("fluentd-x7k2p"));
  EXPECT_THAT(result.out, HasSubstr("Events:"));
}

TEST_F(CtlCommandsTest, ApplySendsEachValidDocumentAndReportsTheInvalidOnes) {
  const std::string manifests = R"(apiVersion: apps/v1
kind: DaemonSet
metadata: {name: fluentd, namespace: kube-system}
spec:
  selector: {matchLabels: {name: fluentd}}
  template:
    metadata: {labels: {name: fluentd}}
    spec: {containers: [{name: fluentd, image: f:v2}]}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: Broken_Name}
spec: {}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: exporter}
spec:
  selector: {matchLabels: {app: exporter}}
  template:
    metadata: {labels: {app: exporter}}
    spec: {containers: [{name: exporter, image: prom/node-exporter}]}
)";
  const Result result = Ctl({"apply", "-f", "-"}, manifests);
  EXPECT_EQ(result.code, 1);
  EXPECT_EQ(result.out,
            "daemonset.apps/fluentd configured\n"
            "daemonset.apps/exporter created\n");
  EXPECT_THAT(result.err, HasSubstr("DaemonSet \"Broken_Name\" is invalid"));
  ASSERT_EQ(fake_.applied.size(), 2u);
  EXPECT_FALSE(fake_.applied[0].create_only());
  EXPECT_EQ(fake_.applied[1].daemon_set().metadata().namespace_(), "default");

  const Result created = Ctl({"create", "-f", "-", "-n", "kube-system"}, manifests);
  EXPECT_EQ(created.code, 1);
  EXPECT_THAT(created.err,
              HasSubstr("Error from server (AlreadyExists): error when creating "
                        "\"<stdin>#1\": daemonsets.apps \"fluentd\" already exists\n"));
  EXPECT_THAT(created.out, HasSubstr("daemonset.apps/exporter created\n"));
  EXPECT_EQ(fake_.applied.back().daemon_set().metadata().namespace_(), "kube-system");
  EXPECT_TRUE(fake_.applied.back().create_only());

  const Result dry = Ctl({"apply", "-f", "-", "--dry-run=server", "-n", "other"}, manifests);
  EXPECT_THAT(dry.err, HasSubstr("the namespace from the provided object \"kube-system\" does not "
                                 "match the namespace \"other\""));
  EXPECT_THAT(dry.out, HasSubstr("daemonset.apps/exporter created (server dry run)\n"));
  EXPECT_TRUE(fake_.applied.back().dry_run());
}

// A published bundle: the kinds fleetset keeps go to the coordinator in file
// order, the ones only an API server needs are skipped with a note.
constexpr char kFluentBitBundle[] = R"(apiVersion: v1
kind: Namespace
metadata: {name: logging}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: fluent-bit-config
  namespace: logging
data: {fluent-bit.conf: "[INPUT]\n    Name tail\n"}
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: fluent-bit
  namespace: logging
---
apiVersion: v1
kind: Secret
metadata: {name: es-credentials}
stringData: {password: s3cr3t}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: fluent-bit-read}
rules:
  - apiGroups: [""]
    resources: [namespaces, pods]
    verbs: [get, list, watch]
---
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: fleet-critical}
value: 1000000
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: fluent-bit, namespace: logging}
spec:
  selector: {matchLabels: {app: fluent-bit}}
  template:
    metadata: {labels: {app: fluent-bit}}
    spec:
      priorityClassName: fleet-critical
      containers: [{name: fluent-bit, image: fluent/fluent-bit:2.2}]
)";

TEST_F(CtlCommandsTest, ApplyBundleSendsEachKindInOrderAndSkipsTheRest) {
  const Result result = Ctl({"apply", "-f", "-", "-n", "logging"}, kFluentBitBundle);
  EXPECT_EQ(result.code, 0) << result.err;
  EXPECT_EQ(result.out,
            "namespace/logging created\n"
            "configmap/fluent-bit-config created\n"
            "secret/es-credentials created\n"
            "priorityclass.scheduling.k8s.io/fleet-critical created\n"
            "daemonset.apps/fluent-bit created\n");
  EXPECT_EQ(result.err,
            "serviceaccount/fluent-bit skipped: fleetset has no ServiceAccounts\n"
            "clusterrole/fluent-bit-read skipped: fleetset has no ClusterRoles\n");
  ASSERT_EQ(fake_.applied_objects.size(), 4u);
  EXPECT_EQ(fake_.applied_objects[0].object().namespace_().metadata().name(), "logging");
  const v1::ConfigMap& config = fake_.applied_objects[1].object().config_map();
  EXPECT_EQ(config.metadata().namespace_(), "logging");
  EXPECT_EQ(config.data().at("fluent-bit.conf"), "[INPUT]\n    Name tail\n");
  // -n fills the namespace the Secret leaves out; stringData is merged.
  const v1::Secret& secret = fake_.applied_objects[2].object().secret();
  EXPECT_EQ(secret.metadata().namespace_(), "logging");
  EXPECT_EQ(secret.data().at("password"), "s3cr3t");
  EXPECT_EQ(fake_.applied_objects[3].object().priority_class().metadata().namespace_(), "");
  EXPECT_FALSE(fake_.applied_objects[3].create_only());
  ASSERT_EQ(fake_.applied.size(), 1u);
  EXPECT_EQ(fake_.applied[0].daemon_set().metadata().namespace_(), "logging");

  const Result again = Ctl({"apply", "-f", "-", "-n", "logging"}, kFluentBitBundle);
  EXPECT_THAT(again.out, HasSubstr("configmap/fluent-bit-config unchanged\n"));
}

TEST_F(CtlCommandsTest, ApplyBundleDryRuns) {
  const Result client = Ctl({"apply", "-f", "-", "--dry-run=client"}, kFluentBitBundle);
  EXPECT_EQ(client.code, 0) << client.err;
  EXPECT_EQ(client.out,
            "namespace/logging created (dry run)\n"
            "configmap/fluent-bit-config created (dry run)\n"
            "secret/es-credentials created (dry run)\n"
            "priorityclass.scheduling.k8s.io/fleet-critical created (dry run)\n"
            "daemonset.apps/fluent-bit created (dry run)\n");
  EXPECT_THAT(client.err, HasSubstr("serviceaccount/fluent-bit skipped"));
  EXPECT_TRUE(fake_.applied_objects.empty());

  const Result server = Ctl({"create", "-f", "-", "--dry-run=server"}, kFluentBitBundle);
  EXPECT_THAT(server.out, HasSubstr("secret/es-credentials created (server dry run)\n"));
  ASSERT_EQ(fake_.applied_objects.size(), 4u);
  EXPECT_TRUE(fake_.applied_objects[2].dry_run());
  EXPECT_TRUE(fake_.applied_objects[2].create_only());
  EXPECT_TRUE(fake_.objects.empty());
}

TEST_F(CtlCommandsTest, ApplyReportsInvalidObjectsAndForeignNamespaces) {
  const std::string manifests = R"(apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: fleet-critical}
value: 1000000
---
apiVersion: v1
kind: ConfigMap
metadata: {name: fluent-bit-config, namespace: logging}
data: {"bad key": x}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: parsers, namespace: logging}
data: {parsers.conf: x}
)";
  const Result result = Ctl({"apply", "-f", "-", "-n", "other"}, manifests);
  EXPECT_EQ(result.code, 1);
  // The PriorityClass has no namespace for -n to disagree with.
  EXPECT_EQ(result.out, "priorityclass.scheduling.k8s.io/fleet-critical created\n");
  EXPECT_THAT(result.err,
              StartsWith("error: <stdin>#2: ConfigMap \"fluent-bit-config\" is invalid:\n* data"));
  EXPECT_THAT(result.err, HasSubstr("error: the namespace from the provided object \"logging\" "
                                    "does not match the namespace \"other\""));
  EXPECT_EQ(fake_.applied_objects.size(), 1u);
}

TEST_F(CtlCommandsTest, CreateConfigMapFromFilesAndLiterals) {
  const std::string conf = WriteTestFile("cm/conf/fluent-bit.conf", "[INPUT]\n    Name tail\n");
  WriteTestFile("cm/conf/logo.png", std::string("\x89PNG\r\n\x1a\n", 8));
  WriteTestFile("cm/conf/nested/skipped.conf", "not a key: a subdirectory");
  const std::string directory = std::filesystem::path(conf).parent_path().string();
  const std::string parsers = WriteTestFile("cm/parsers-v2.conf", "[PARSER]\n");
  const Result result =
      Ctl({"create", "configmap", "fluent-bit-config", "-n", "logging", "--from-file=" + directory,
           "--from-file=parsers.conf=" + parsers, "--from-literal=FLUSH=5=five"});
  EXPECT_EQ(result.code, 0) << result.err;
  EXPECT_EQ(result.out, "configmap/fluent-bit-config created\n");
  ASSERT_EQ(fake_.applied_objects.size(), 1u);
  EXPECT_TRUE(fake_.applied_objects[0].create_only());
  EXPECT_FALSE(fake_.applied_objects[0].dry_run());
  const v1::ConfigMap& sent = fake_.applied_objects[0].object().config_map();
  EXPECT_EQ(sent.metadata().namespace_(), "logging");
  EXPECT_EQ(sent.data_size(), 3);
  EXPECT_EQ(sent.data().at("fluent-bit.conf"), "[INPUT]\n    Name tail\n");
  EXPECT_EQ(sent.data().at("parsers.conf"), "[PARSER]\n");
  EXPECT_EQ(sent.data().at("FLUSH"), "5=five");
  // Not UTF-8: binaryData, as kubectl puts it.
  EXPECT_EQ(sent.binary_data().at("logo.png"), std::string("\x89PNG\r\n\x1a\n", 8));

  const Result again =
      Ctl({"create", "cm", "fluent-bit-config", "-n", "logging", "--from-literal=FLUSH=1"});
  EXPECT_EQ(again.code, 1);
  EXPECT_EQ(again.err,
            "error: failed to create configmap: configmaps \"fluent-bit-config\" already exists\n");
}

TEST_F(CtlCommandsTest, CreateConfigMapFromAnEnvFile) {
  const std::string env = WriteTestFile(
      "cm/settings.env", "# defaults\n\nLOG_LEVEL=info\n  FLUSH=5\r\nFROM_ENVIRONMENT\n");
  setenv("FROM_ENVIRONMENT", "inherited", 1);
  const Result result = Ctl({"create", "configmap", "settings", "--from-env-file=" + env, "-o",
                             "name", "--dry-run=server"});
  unsetenv("FROM_ENVIRONMENT");
  EXPECT_EQ(result.code, 0) << result.err;
  EXPECT_EQ(result.out, "configmap/settings\n");
  ASSERT_EQ(fake_.applied_objects.size(), 1u);
  EXPECT_TRUE(fake_.applied_objects[0].dry_run());
  const v1::ConfigMap& sent = fake_.applied_objects[0].object().config_map();
  EXPECT_EQ(sent.metadata().namespace_(), "default");
  EXPECT_EQ(sent.data().at("LOG_LEVEL"), "info");
  EXPECT_EQ(sent.data().at("FLUSH"), "5");
  EXPECT_EQ(sent.data().at("FROM_ENVIRONMENT"), "inherited");
  EXPECT_EQ(sent.data_size(), 3);
}

TEST_F(CtlCommandsTest, CreateConfigMapClientDryRunPrintsTheObject) {
  const Result result = Ctl({"create", "cm", "settings", "--from-literal=LOG_LEVEL=info",
                             "--dry-run=client", "-o", "yaml"});
  EXPECT_EQ(result.code, 0) << result.err;
  EXPECT_EQ(result.out,
            "apiVersion: v1\n"
            "data:\n"
            "  LOG_LEVEL: info\n"
            "kind: ConfigMap\n"
            "metadata:\n"
            "  name: settings\n");
  EXPECT_EQ(Ctl({"create", "cm", "settings", "--dry-run=client"}).out,
            "configmap/settings created (dry run)\n");
  EXPECT_TRUE(fake_.applied_objects.empty());
}

TEST_F(CtlCommandsTest, CreateConfigMapRefusesWhatKubectlRefuses) {
  const std::string env = WriteTestFile("cm/refused.env", "A=1\n");
  const std::string directory = std::filesystem::path(env).parent_path().string();
  for (const auto& [flags, message] : std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{"--from-env-file=" + env, "--from-literal=B=2"},
            "from-env-file cannot be combined with from-file or from-literal"},
           {{"--from-literal=A=1", "--from-literal=A=2"},
            "cannot add key \"A\", another key by that name already exists in Data for "
            "ConfigMap \"refused\""},
           {{"--from-literal=A"}, "invalid literal source A, expected key=value"},
           {{"--from-file=key=" + directory}, "cannot give a key name for a directory path"},
           {{"--from-file=" + directory + "/missing"},
            "error reading " + directory + "/missing: no such file or directory"},
           {{"--from-file=a=b=c"}, "key names or file paths cannot contain '='"},
           {{"--from-env-file=" + directory}, "env config file cannot be a directory"},
           {{"--from-literal=bad/key=1"},
            "\"bad/key\" is not a valid key name for a ConfigMap: a valid config key must "
            "consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or "
            "'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"}}) {
    std::vector<std::string> args{"create", "configmap", "refused"};
    args.insert(args.end(), flags.begin(), flags.end());
    const Result result = Ctl(args);
    EXPECT_EQ(result.code, 1) << flags[0];
    EXPECT_EQ(result.err, "error: " + message + "\n") << flags[0];
  }
  EXPECT_EQ(Ctl({"create", "cm", "a", "b"}).err, "error: exactly one NAME is required, got 2\n");
  EXPECT_TRUE(fake_.applied_objects.empty());
}

TEST_F(CtlCommandsTest, CreateSecretGeneric) {
  const std::string password = WriteTestFile("secret/es-password", "s3cr3t");
  const Result result = Ctl({"create", "secret", "generic", "es-credentials", "-n", "logging",
                             "--from-literal=username=elastic", "--from-file=password=" + password,
                             "--type=kubernetes.io/basic-auth"});
  EXPECT_EQ(result.out, "secret/es-credentials created\n") << result.err;
  const v1::ApplyObjectRequest& request = fake_.applied_objects.at(0);
  EXPECT_TRUE(request.create_only());
  EXPECT_EQ(request.object().secret().metadata().namespace_(), "logging");
  EXPECT_EQ(request.object().secret().type(), "kubernetes.io/basic-auth");
  // Values go to data as they are (bytes; base64 only in JSON and YAML).
  EXPECT_EQ(request.object().secret().data().at("username"), "elastic");
  EXPECT_EQ(request.object().secret().data().at("password"), "s3cr3t");

  EXPECT_EQ(Ctl({"create", "secret", "generic", "es-credentials", "-n", "logging",
                 "--from-literal=username=elastic"})
                .err,
            "error: failed to create secret: secrets \"es-credentials\" already exists\n");
  EXPECT_EQ(
      Ctl({"create", "secret", "generic", "x", "--from-literal=a=1", "--from-literal=a=2"}).err,
      "error: cannot add key a, another key by that name already exists\n");
  EXPECT_THAT(Ctl({"create", "secret", "generic", "x", "--from-literal=bad/key=1"}).err,
              StartsWith("error: \"bad/key\" is not valid key name for a Secret a valid config "
                         "key must consist of"));
}

TEST_F(CtlCommandsTest, CreateSecretTls) {
  const std::string cert =
      WriteTestFile("secret/tls.crt", credentials_.tls().server_certificate_pem);
  const std::string key = WriteTestFile("secret/tls.key", credentials_.tls().server_key_pem);
  const Result result =
      Ctl({"create", "secret", "tls", "fluent-bit-tls", "--cert=" + cert, "--key=" + key});
  EXPECT_EQ(result.code, 0) << result.err;
  EXPECT_EQ(result.out, "secret/fluent-bit-tls created\n");
  const v1::Secret& sent = fake_.applied_objects.at(0).object().secret();
  EXPECT_EQ(sent.type(), "kubernetes.io/tls");
  EXPECT_EQ(sent.data().at("tls.crt"), credentials_.tls().server_certificate_pem);
  EXPECT_EQ(sent.data().at("tls.key"), credentials_.tls().server_key_pem);

  const std::string other_key =
      WriteTestFile("secret/other.key", credentials_.tls().client.key_pem);
  EXPECT_EQ(Ctl({"create", "secret", "tls", "x", "--cert=" + cert, "--key=" + other_key}).err,
            "error: tls: private key does not match public key\n");
  EXPECT_EQ(Ctl({"create", "secret", "tls", "x", "--cert=" + key, "--key=" + key}).err,
            "error: tls: failed to find any PEM data in certificate input\n");
  EXPECT_EQ(Ctl({"create", "secret", "tls", "x", "--cert=" + cert}).err,
            "error: key and cert must be specified\n");
  EXPECT_EQ(fake_.applied_objects.size(), 1u);
}

TEST_F(CtlCommandsTest, CreateSecretDockerRegistry) {
  const Result result =
      Ctl({"create", "secret", "docker-registry", "registry-creds",
           "--docker-server=registry.example.net:5000", "--docker-username=fleet",
           "--docker-password=s3cr3t", "--docker-email=ops@example.net", "-o", "name"});
  EXPECT_EQ(result.code, 0) << result.err;
  EXPECT_EQ(result.out, "secret/registry-creds\n");
  const v1::Secret& sent = fake_.applied_objects.at(0).object().secret();
  EXPECT_EQ(sent.type(), "kubernetes.io/dockerconfigjson");
  EXPECT_EQ(sent.data().at(".dockerconfigjson"),
            R"({"auths":{"registry.example.net:5000":{"username":"fleet","password":"s3cr3t",)"
            R"("email":"ops@example.net","auth":"ZmxlZXQ6czNjcjN0"}}})");
  EXPECT_EQ(Ctl({"create", "secret", "docker-registry", "x", "--docker-username=fleet"}).err,
            "error: either --from-file or the combination of --docker-username, "
            "--docker-password and --docker-server is required\n");
}

TEST_F(CtlCommandsTest, DeleteEachName) {
  const Result result = Ctl({"delete", "ds", "fluentd", "nope", "-n", "kube-system"});
  EXPECT_EQ(result.code, 1);
  EXPECT_EQ(result.out, "daemonset.apps \"fluentd\" deleted\n");
  EXPECT_EQ(result.err, "Error from server (NotFound): daemonsets.apps \"nope\" not found\n");
  EXPECT_EQ(Ctl({"delete", "pod/fluentd-x7k2p"}).out, "pod \"fluentd-x7k2p\" deleted\n");
  EXPECT_EQ(Ctl({"delete", "ds", "gone", "--ignore-not-found"}).code, 0);
}

TEST_F(CtlCommandsTest, GetConfigObjectsPrintsKubectlsTables) {
  AddConfigObjects();
  Result result = Ctl({"get", "cm", "-n", "logging"});
  EXPECT_EQ(result.code, 0) << result.err;
  EXPECT_EQ(result.out,
            "NAME                DATA   AGE\n"
            "fluent-bit-config   3      5h\n");
  result = Ctl({"get", "secrets", "-n", "logging"});
  EXPECT_EQ(result.out,
            "NAME             TYPE     DATA   AGE\n"
            "es-credentials   Opaque   2      5h\n");
  result = Ctl({"get", "pc"});
  EXPECT_EQ(result.out,
            "NAME             VALUE     GLOBAL-DEFAULT   AGE   PREEMPTIONPOLICY\n"
            "fleet-critical   1000000   false            25d   PreemptLowerPriority\n");
  result = Ctl({"get", "namespaces"});
  EXPECT_EQ(result.out,
            "NAME      STATUS   AGE\n"
            "logging   Active   25d\n");
  // Cluster-scoped kinds are listed without a namespace.
  EXPECT_EQ(fake_.object_lists.back().namespace_(), "");
}

TEST_F(CtlCommandsTest, GetConfigObjectsAcrossNamespacesAndByLabel) {
  AddConfigObjects();
  Result result = Ctl({"get", "configmaps", "-A"});
  EXPECT_EQ(result.out,
            "NAMESPACE   NAME                DATA   AGE\n"
            "logging     fluent-bit-config   3      5h\n");
  EXPECT_TRUE(fake_.object_lists.back().all_namespaces());
  result = Ctl({"get", "cm", "-l", "k8s-app=fluent-bit"});
  EXPECT_EQ(result.err, "No resources found in default namespace.\n");
  EXPECT_EQ(fake_.object_lists.back().resource(), "configmaps");
  EXPECT_EQ(fake_.object_lists.back().namespace_(), "default");
  EXPECT_EQ(fake_.object_lists.back().label_selector(), "k8s-app=fluent-bit");
  // The namespace of PriorityClasses does not matter, even under -A.
  EXPECT_EQ(Ctl({"get", "pc", "-A", "-o", "name"}).out,
            "priorityclass.scheduling.k8s.io/fleet-critical\n");
}

TEST_F(CtlCommandsTest, GetConfigObjectsByName) {
  AddConfigObjects();
  EXPECT_EQ(Ctl({"get", "cm/fluent-bit-config", "secret/es-credentials", "-n", "logging"}).err,
            "error: fleetsetctl get takes one resource type at a time\n");
  Result result =
      Ctl({"get", "configmap", "fluent-bit-config", "nope", "-n", "logging", "-o", "name"});
  EXPECT_EQ(result.code, 1);
  EXPECT_EQ(result.out, "configmap/fluent-bit-config\n");
  EXPECT_EQ(result.err, "Error from server (NotFound): configmaps \"nope\" not found\n");
  EXPECT_EQ(Ctl({"get", "secret/es-credentials", "-n", "logging", "-o", "name"}).out,
            "secret/es-credentials\n");
  EXPECT_EQ(Ctl({"get", "ns", "logging", "-o", "name"}).out, "namespace/logging\n");
  EXPECT_EQ(Ctl({"get", "priorityclass.scheduling.k8s.io", "nope"}).err,
            "Error from server (NotFound): priorityclasses.scheduling.k8s.io \"nope\" not "
            "found\n");
}

TEST_F(CtlCommandsTest, GetSecretAsYamlPrintsItsDataInBase64) {
  AddConfigObjects();
  fake_.objects[1].mutable_secret()->mutable_metadata()->mutable_creation_timestamp()->set_seconds(
      1700000000);
  const Result result = Ctl({"get", "secret", "es-credentials", "-n", "logging", "-o", "yaml"});
  EXPECT_EQ(result.code, 0) << result.err;
  EXPECT_EQ(result.out,
            "apiVersion: v1\n"
            "data:\n"
            "  password: czNjcjN0\n"
            "  username: ZWxhc3RpYw==\n"
            "kind: Secret\n"
            "metadata:\n"
            "  creationTimestamp: \"2023-11-14T22:13:20Z\"\n"
            "  name: es-credentials\n"
            "  namespace: logging\n"
            "type: Opaque\n");
  const Result json = Ctl({"get", "pc", "-o", "json"});
  EXPECT_THAT(json.out, HasSubstr("\"kind\": \"List\""));
  EXPECT_THAT(json.out, HasSubstr("\"apiVersion\": \"scheduling.k8s.io/v1\""));
  EXPECT_THAT(json.out, HasSubstr("\"kind\": \"PriorityClass\""));
  EXPECT_THAT(json.out, HasSubstr("\"value\": 1000000"));
  EXPECT_THAT(Ctl({"get", "cm", "-n", "logging", "-o", "yaml"}).out,
              HasSubstr("    binaryData:\n      logo.png: iVBORw0KGgo=\n"));
}

TEST_F(CtlCommandsTest, GetConfigObjectsRefusesWatch) {
  const Result result = Ctl({"get", "cm", "-w"});
  EXPECT_EQ(result.code, 1);
  EXPECT_EQ(result.err,
            "error: configmaps cannot be watched: the coordinator watches daemonsets, nodes and "
            "pods\n");
}

TEST_F(CtlCommandsTest, DescribeConfigMapShowsEachKey) {
  AddConfigObjects();
  const Result result = Ctl({"describe", "cm", "fluent-bit-config", "-n", "logging"});
  EXPECT_EQ(result.code, 0) << result.err;
  EXPECT_EQ(result.out,
            "Name:         fluent-bit-config\n"
            "Namespace:    logging\n"
            "Labels:       k8s-app=fluent-bit\n"
            "Annotations:  <none>\n"
            "\n"
            "Data\n"
            "====\n"
            "fluent-bit.conf:\n"
            "----\n"
            "[SERVICE]\n"
            "    Flush 1\n"
            "\n"
            "\n"
            "parsers.conf:\n"
            "----\n"
            "[PARSER]\n"
            "    Name json\n"
            "\n"
            "\n"
            "\n"
            "BinaryData\n"
            "====\n"
            "logo.png: 8 bytes\n"
            "\n"
            "Events:  <none>\n");
  EXPECT_EQ(Ctl({"describe", "configmaps"}).err, "No resources found in default namespace.\n");
}

TEST_F(CtlCommandsTest, DescribeSecretShowsSizesNotValues) {
  AddConfigObjects();
  const std::string described = Ctl({"describe", "secret/es-credentials", "-n", "logging"}).out;
  EXPECT_EQ(described,
            "Name:         es-credentials\n"
            "Namespace:    logging\n"
            "Labels:       <none>\n"
            "Annotations:  <none>\n"
            "\n"
            "Type:  Opaque\n"
            "\n"
            "Data\n"
            "====\n"
            "password:  6 bytes\n"
            "username:  7 bytes\n");
  EXPECT_THAT(described, ::testing::Not(HasSubstr("s3cr3t")));
}

TEST_F(CtlCommandsTest, DescribePriorityClassAndNamespace) {
  AddConfigObjects();
  Result result = Ctl({"describe", "pc", "fleet-critical"});
  EXPECT_EQ(result.code, 0) << result.err;
  EXPECT_EQ(result.out,
            "Name:              fleet-critical\n"
            "Value:             1000000\n"
            "GlobalDefault:     false\n"
            "PreemptionPolicy:  PreemptLowerPriority\n"
            "Description:       Log collectors\n"
            "Annotations:       <none>\n"
            "Events:            <none>\n");
  result = Ctl({"describe", "ns"});
  EXPECT_EQ(result.code, 0) << result.err;
  EXPECT_EQ(result.out,
            "Name:         logging\n"
            "Labels:       kubernetes.io/metadata.name=logging\n"
            "Annotations:  <none>\n"
            "Status:       Active\n"
            "\n"
            "No resource quota.\n"
            "\n"
            "No LimitRange resource.\n");
  EXPECT_EQ(Ctl({"describe", "users"}).err, "error: describe is not supported for users\n");
}

TEST_F(CtlCommandsTest, DeleteConfigObjects) {
  AddConfigObjects();
  Result result = Ctl({"delete", "cm", "fluent-bit-config", "nope", "-n", "logging"});
  EXPECT_EQ(result.code, 1);
  EXPECT_EQ(result.out, "configmap \"fluent-bit-config\" deleted\n");
  EXPECT_EQ(result.err, "Error from server (NotFound): configmaps \"nope\" not found\n");
  EXPECT_EQ(fake_.deleted_objects.front().resource(), "configmaps");
  EXPECT_EQ(fake_.deleted_objects.front().namespace_(), "logging");
  EXPECT_EQ(Ctl({"delete", "secret/es-credentials", "-n", "logging"}).out,
            "secret \"es-credentials\" deleted\n");
  result = Ctl({"delete", "pc", "fleet-critical", "-n", "logging"});
  EXPECT_EQ(result.out, "priorityclass.scheduling.k8s.io \"fleet-critical\" deleted\n");
  EXPECT_EQ(fake_.deleted_objects.back().namespace_(), "");
  EXPECT_EQ(Ctl({"delete", "ns", "logging"}).out, "namespace \"logging\" deleted\n");
  EXPECT_TRUE(fake_.objects.empty());
}

TEST_F(CtlCommandsTest, LabelAsKubectl) {
  Result result = Ctl({"label", "node", "k8s-01", "logger=vector"});
  EXPECT_EQ(result.code, 1);
  EXPECT_EQ(result.err,
            "error: 'logger' already has a value (fluentd), and --overwrite is false\n");
  result = Ctl({"label", "node", "k8s-01", "logger=vector", "--overwrite"});
  EXPECT_EQ(result.out, "node/k8s-01 labeled\n");
  result = Ctl({"label", "nodes", "k8s-01", "logger-", "missing-"});
  EXPECT_EQ(result.out, "label \"missing\" not found.\nnode/k8s-01 unlabeled\n");
  result = Ctl({"label", "node", "k8s-01", "missing-"});
  EXPECT_EQ(result.out, "label \"missing\" not found.\nnode/k8s-01 not labeled\n");
  result = Ctl({"label", "node", "nope", "a=b"});
  EXPECT_EQ(result.err, "Error from server (NotFound): nodes \"nope\" not found\n");
  result = Ctl({"label", "ds", "fluentd", "a=b"});
  EXPECT_EQ(result.code, 1);
}

TEST_F(CtlCommandsTest, TaintAsKubectl) {
  Result result = Ctl({"taint", "nodes", "k8s-01", "key1=value1:NoSchedule"});
  EXPECT_EQ(result.out, "node/k8s-01 tainted\n");
  ASSERT_EQ(fake_.taints.size(), 1u);
  EXPECT_EQ(fake_.taints[0].add(0).effect(), "NoSchedule");
  result = Ctl({"taint", "nodes", "k8s-01", "key1=value1:NoSchedule-"});
  EXPECT_EQ(result.out, "node/k8s-01 untainted\n");
  EXPECT_EQ(fake_.taints.back().remove(0).key(), "key1");
  result = Ctl({"taint", "node", "k8s-01", "key1=v2:NoSchedule", "--overwrite"});
  EXPECT_EQ(result.out, "node/k8s-01 modified\n");
  result = Ctl({"taint", "node", "k8s-01", "key1=value1:Sometimes"});
  EXPECT_EQ(result.err, "error: invalid taint effect: Sometimes, unsupported taint effect\n");
  EXPECT_EQ(fake_.taints.size(), 3u);
}

TEST_F(CtlCommandsTest, CordonAndUncordon) {
  EXPECT_EQ(Ctl({"cordon", "k8s-01"}).out, "node/k8s-01 cordoned\n");
  EXPECT_EQ(Ctl({"cordon", "k8s-01"}).out, "node/k8s-01 already cordoned\n");
  EXPECT_THAT(Ctl({"get", "nodes"}).out, HasSubstr("Ready,SchedulingDisabled"));
  EXPECT_EQ(Ctl({"uncordon", "node/k8s-01"}).out, "node/k8s-01 uncordoned\n");
}

TEST_F(CtlCommandsTest, RolloutStatusPrintsEachNewMessageUntilDone) {
  v1::RolloutStatusResponse waiting;
  waiting.set_message(
      "Waiting for daemon set \"fluentd\" rollout to finish: 1 out of 2 new pods have been "
      "updated...");
  v1::RolloutStatusResponse done;
  done.set_done(true);
  done.set_message("daemon set \"fluentd\" successfully rolled out");
  fake_.statuses = {waiting, done};
  const Result result = Ctl({"rollout", "status", "ds/fluentd", "-n", "kube-system"});
  EXPECT_EQ(result.code, 0) << result.err;
  EXPECT_EQ(result.out, waiting.message() + "\n" + done.message() + "\n");
}

TEST_F(CtlCommandsTest, RolloutStatusFailsWithTheServersReason) {
  v1::RolloutStatusResponse failed;
  failed.set_message(
      "Waiting for daemon set \"fluentd\" rollout to finish: 0 of 2 updated pods are available...");
  failed.set_failure("pod fluentd-x7k2p on k8s-01: ImagePullBackOff");
  fake_.statuses = {failed};
  const Result result = Ctl({"rollout", "status", "daemonset/fluentd"});
  EXPECT_EQ(result.code, 1);
  EXPECT_EQ(result.err, "error: pod fluentd-x7k2p on k8s-01: ImagePullBackOff\n");
}

TEST_F(CtlCommandsTest, RolloutStatusTimesOut) {
  v1::RolloutStatusResponse waiting;
  waiting.set_message("Waiting for daemon set spec update to be observed...");
  fake_.statuses = {waiting};
  const Result result = Ctl({"rollout", "status", "ds/fluentd", "--timeout=300ms"});
  EXPECT_EQ(result.code, 1);
  EXPECT_EQ(result.out, "Waiting for daemon set spec update to be observed...\n");
  EXPECT_EQ(result.err, "error: timed out waiting for the condition\n");
  EXPECT_EQ(Ctl({"rollout", "status", "ds/fluentd", "--watch=false"}).code, 0);
}

TEST_F(CtlCommandsTest, RolloutHistoryAndUndo) {
  Result result = Ctl({"rollout", "history", "daemonset/fluentd", "-n", "kube-system"});
  EXPECT_EQ(result.out,
            "daemonset.apps/fluentd \n"
            "REVISION  CHANGE-CAUSE\n"
            "1         <none>\n"
            "2         fleetsetctl set image ds/fluentd fluentd=f:v2\n"
            "\n");
  result = Ctl({"rollout", "history", "ds/fluentd", "--revision=1"});
  EXPECT_THAT(result.out, StartsWith("daemonset.apps/fluentd with revision #1\nPod Template:\n"));
  EXPECT_THAT(result.out, HasSubstr("    Image:         f:v1\n"));
  result = Ctl({"rollout", "undo", "ds/fluentd"});
  EXPECT_EQ(result.out, "daemonset.apps/fluentd rolled back\n");
  result = Ctl({"rollout", "undo", "ds/fluentd", "--to-revision=9"});
  EXPECT_EQ(result.code, 1);
  EXPECT_EQ(result.err, "error: unable to find specified revision 9 in history\n");
}

TEST_F(CtlCommandsTest, SetImage) {
  Result result = Ctl({"set", "image", "daemonset/fluentd", "fluentd=f:v2", "-n", "kube-system"});
  EXPECT_EQ(result.out, "daemonset.apps/fluentd image updated\n");
  ASSERT_EQ(fake_.images.size(), 1u);
  EXPECT_EQ(fake_.images[0].key().namespace_(), "kube-system");
  EXPECT_EQ(fake_.images[0].images().at("fluentd"), "f:v2");
  result = Ctl({"set", "image", "ds", "fluentd", "sidecar=s:v2"});
  EXPECT_EQ(result.err, "error: unable to find container named \"sidecar\"\n");
  EXPECT_EQ(Ctl({"set", "image", "ds/fluentd"}).err,
            "error: at least one image update is required\n");
}

TEST_F(CtlCommandsTest, VersionAsksTheServer) {
  EXPECT_EQ(Ctl({"version"}).out, "Client Version: v0.1.0\nServer Version: v0.1.0\n");
  EXPECT_EQ(RunInProcess({"version", "--client", "-s", "127.0.0.1:1"}).out,
            "Client Version: v0.1.0\n");
}

TEST_F(CtlCommandsTest, WhyExplainsEachNode) {
  const Result result = Ctl({"why", "ds/fluentd", "-n", "kube-system"});
  EXPECT_EQ(result.code, 0) << result.err;
  EXPECT_EQ(result.out,
            "NODE            POD             SHOULD-RUN   REASON\n"
            "k8s-01          fluentd-x7k2p   true         node matches the pod's selector, "
            "affinity and tolerations\n"
            "k8s-master-01   <none>          false        node has taint "
            "node-role.kubernetes.io/master:NoSchedule that the pod does not tolerate\n");
  EXPECT_THAT(Ctl({"why", "ds", "fluentd", "k8s-01"}).out, HasSubstr("k8s-01"));
}

TEST_F(CtlCommandsTest, UsageErrorsAreKubectls) {
  EXPECT_EQ(Ctl({"get", "deployments"}).err,
            "error: the server doesn't have a resource type \"deployments\"\n");
  EXPECT_EQ(Ctl({"get", "ds", "-o", "jsonpath"}).code, 1);
  EXPECT_EQ(Ctl({"get", "ds", "x", "-l", "app=x"}).err,
            "error: name cannot be provided when a selector is specified\n");
  EXPECT_EQ(RunInProcess({"--request-timeout", "soon", "get", "ds"}).code, 1);
}

TEST(CtlHelpTest, EverySubcommandHasHelp) {
  for (const std::vector<std::string>& command : {std::vector<std::string>{"get"},
                                                  {"describe"},
                                                  {"apply"},
                                                  {"create"},
                                                  {"create", "configmap"},
                                                  {"create", "secret", "generic"},
                                                  {"create", "secret", "tls"},
                                                  {"create", "secret", "docker-registry"},
                                                  {"delete"},
                                                  {"label"},
                                                  {"taint"},
                                                  {"cordon"},
                                                  {"uncordon"},
                                                  {"rollout", "status"},
                                                  {"rollout", "history"},
                                                  {"rollout", "undo"},
                                                  {"set", "image"},
                                                  {"version"},
                                                  {"why"}}) {
    std::vector<std::string> args = command;
    args.push_back("--help");
    const Result result = RunInProcess(args);
    EXPECT_EQ(result.code, 0) << command[0];
    EXPECT_THAT(result.out, HasSubstr("Usage: fleetsetctl " + command[0])) << command[0];
  }
}

}  // namespace
}  // namespace fleetset::ctl
