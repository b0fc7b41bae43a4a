#include "support/fleet_e2e.h"

#include <gmock/gmock.h>
#include <google/protobuf/util/time_util.h>
#include <stdlib.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <iostream>
#include <sstream>
#include <stdexcept>

#include "agent/pod_identity.h"
#include "fleetset/strings.h"
#include "support/prerequisites.h"

namespace fleetset::testing {
namespace {

using std::chrono::milliseconds;

// The agents re-check their runtime every 500 ms rather than the
// single-node tests' 200 ms: three agents share two cores.
constexpr milliseconds kAgentSyncFrequency{500};
// Nothing is in the static manifest directories.
constexpr milliseconds kAgentFileCheckFrequency{5000};

std::string Trim(const std::string& text) {
  const size_t first = text.find_first_not_of(" \t\r");
  if (first == std::string::npos) return "";
  const size_t last = text.find_last_not_of(" \t\r");
  return text.substr(first, last - first + 1);
}

int ToInt(const std::string& text) {
  int value = -1;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return -1;
  return value;
}

// node[key] and node[index] that give a null node, instead of throwing,
// when something on the way is missing or of another kind.
YAML::Node Child(const YAML::Node& node, const std::string& key) {
  if (!node.IsDefined() || !node.IsMap()) return YAML::Node();
  const YAML::Node child = node[key];
  return child.IsDefined() ? child : YAML::Node();
}

YAML::Node Item(const YAML::Node& node, size_t index) {
  if (!node.IsDefined() || !node.IsSequence() || node.size() <= index) return YAML::Node();
  return node[index];
}

// A scalar yaml-cpp will write in double quotes, so it stays a string
// ("3600" must not become a number).
YAML::Node Quoted(const std::string& text) {
  YAML::Node node(text);
  node.SetTag("!");
  return node;
}

// Writes `node` keeping the quoting of the scalars that were quoted in
// the file (yaml-cpp marks them with the tag "!"): the manifest reader,
// like kubectl's, takes a plain `9200` for a number and "9200" for a
// string, and yaml-cpp's own emitter would drop the quotes.
void Emit(YAML::Emitter& out, const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      out << YAML::BeginMap;
      for (const auto& entry : node) {
        out << YAML::Key;
        Emit(out, entry.first);
        out << YAML::Value;
        Emit(out, entry.second);
      }
      out << YAML::EndMap;
      break;
    case YAML::NodeType::Sequence:
      out << YAML::BeginSeq;
      for (const auto& item : node) Emit(out, item);
      out << YAML::EndSeq;
      break;
    case YAML::NodeType::Scalar:
      if (node.Tag() == "!") {
        out << YAML::DoubleQuoted << node.Scalar();
      } else {
        out << node.Scalar();
      }
      break;
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      out << YAML::Null;
      break;
  }
}

}  // namespace

std::string Show(const CommandResult& result) {
  return "exit " + std::to_string(result.exit_code) + "\nstdout:\n" + result.out + "stderr:\n" +
         result.err;
}

std::vector<TableRow> ParseTable(const std::string& text) {
  std::istringstream lines(text);
  std::string header;
  while (std::getline(lines, header) && Trim(header).empty()) {
  }
  // A title ends where two spaces begin; the tab writer pads each column to
  // its widest cell plus at least two spaces, so cells start exactly where
  // their titles do.
  struct Column {
    std::string title;
    size_t start;
  };
  std::vector<Column> columns;
  for (size_t at = header.find_first_not_of(' '); at != std::string::npos;) {
    size_t end = header.find("  ", at);
    if (end == std::string::npos) end = header.size();
    columns.push_back({Trim(header.substr(at, end - at)), at});
    at = header.find_first_not_of(' ', end);
  }
  std::vector<TableRow> rows;
  std::string line;
  while (std::getline(lines, line)) {
    if (Trim(line).empty()) break;
    TableRow row;
    for (size_t i = 0; i < columns.size(); ++i) {
      const size_t start = columns[i].start;
      const size_t end = i + 1 < columns.size() ? columns[i + 1].start : std::string::npos;
      row[columns[i].title] =
          start < line.size()
              ? Trim(line.substr(start, end == std::string::npos ? end : end - start))
              : "";
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

std::vector<DaemonSetRow> ParseDaemonSetTable(const std::string& text) {
  std::vector<DaemonSetRow> rows;
  for (TableRow& cells : ParseTable(text)) {
    DaemonSetRow row;
    row.name = cells["NAME"];
    row.desired = ToInt(cells["DESIRED"]);
    row.current = ToInt(cells["CURRENT"]);
    row.ready = ToInt(cells["READY"]);
    row.up_to_date = ToInt(cells["UP-TO-DATE"]);
    row.available = ToInt(cells["AVAILABLE"]);
    row.node_selector = cells["NODE SELECTOR"];
    row.age = cells["AGE"];
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string ToString(const DaemonSetRow& row) {
  return row.name + " desired/current/ready/up-to-date/available " + std::to_string(row.desired) +
         "/" + std::to_string(row.current) + "/" + std::to_string(row.ready) + "/" +
         std::to_string(row.up_to_date) + "/" + std::to_string(row.available) + " node selector " +
         row.node_selector;
}

std::string AdaptSeedManifest(const std::string& seed_file, const std::string& image) {
  const std::string path = SourcePath("tests/data/seeds/" + seed_file);
  YAML::Node daemon_set;
  bool found = false;
  for (const YAML::Node& document : YAML::LoadAllFromFile(path)) {
    if (Child(document, "kind").as<std::string>("") == "DaemonSet") {
      daemon_set = document;
      found = true;
      break;
    }
  }
  if (!found) throw std::runtime_error(path + " holds no DaemonSet");
  YAML::Node pod_spec = daemon_set["spec"]["template"]["spec"];
  const YAML::Node& const_pod_spec = pod_spec;
  for (const char* list : {"initContainers", "containers"}) {
    if (!const_pod_spec[list]) continue;
    for (YAML::Node container : pod_spec[list]) {
      container["image"] = image;
      YAML::Node command(YAML::NodeType::Sequence);
      command.push_back(Quoted("sleep"));
      command.push_back(Quoted("3600"));
      container["command"] = command;
      container.remove("args");
      container.remove("volumeMounts");
    }
  }
  pod_spec.remove("volumes");
  pod_spec["terminationGracePeriodSeconds"] = 1;

  YAML::Emitter out;
  Emit(out, daemon_set);
  return "# " + seed_file + " with the local test image, no host paths, a 1 s grace period\n" +
         out.c_str() + "\n";
}

void FleetE2ETest::SetUp() {
  REQUIRE_REAL_CONTAINERD();
  ASSERT_TRUE(StartFleet());
}

bool FleetE2ETest::StartFleet() {
  const char* base = std::getenv("FLEETSET_NODE_TMPDIR");
  std::string dir = std::string(base != nullptr ? base : "/tmp") + "/fleetset-fleet-XXXXXX";
  if (mkdtemp(dir.data()) == nullptr) {
    ADD_FAILURE() << "cannot create " << dir;
    return false;
  }
  work_dir_ = dir;
  node_names_ = {kMasterNode, kWorker1Node, kWorker2Node};

  // The three containerds start side by side (each is mostly waiting), and
  // the coordinator meanwhile.
  std::vector<std::future<std::unique_ptr<ContainerdNode>>> starting;
  for (const std::string& name : node_names_) {
    starting.push_back(
        std::async(std::launch::async, [name] { return ContainerdNode::Start(name); }));
  }
  const bool coordinators_ok = StartCoordinators();
  bool nodes_ok = true;
  for (auto& future : starting) {
    nodes_.push_back(future.get());
    if (nodes_.back() == nullptr) nodes_ok = false;
  }
  if (!nodes_ok || !coordinators_ok) return false;

  for (size_t i = 0; i < node_names_.size(); ++i) {
    if (!StartAgent(i)) return false;
  }
  return WaitForReadyNodes(node_names_);
}

void FleetE2ETest::UseCoordinatorsOnEtcd(int count, int lease_seconds) {
  coordinator_count_ = count;
  lease_seconds_ = lease_seconds;
}

bool FleetE2ETest::StartCoordinators() {
  // One coordinator: a short grace, so that tests of lost nodes are quick.
  // Several: the default, which agents leaving a stopped coordinator for
  // another must stay within.
  std::vector<std::string> flags = {"--node-monitor-grace-period",
                                    coordinator_count_ == 1 ? "10s" : "40s"};
  if (coordinator_count_ == 1) {
    coordinator_ = CoordinatorProcess::Start(work_dir_, flags);
    return coordinator_ != nullptr;
  }
  etcd_ = std::make_unique<EtcdCluster>(3);
  if (!etcd_->ok()) {
    ADD_FAILURE() << etcd_->error();
    return false;
  }
  const std::string servers = Join(etcd_->endpoints(), ",");
  for (int n = 1; n <= coordinator_count_; ++n) {
    std::vector<std::string> own = flags;
    own.insert(own.end(), {"--etcd-servers", servers, "--name", "c" + std::to_string(n),
                           "--leader-elect-lease-duration", std::to_string(lease_seconds_) + "s"});
    const std::string dir = work_dir_ + "/c" + std::to_string(n);
    if (n > 1) {
      // What the operator copies from the first coordinator to the others.
      const std::string from = coordinator_->data_dir() + "/pki/";
      const std::string to = dir + "/coordinator-data/pki/";
      std::filesystem::create_directories(to);
      for (const char* file : {"ca.crt", "ca.key", "encryption-config.yaml"}) {
        std::filesystem::copy_file(from + file, to + file);
      }
    }
    auto started = CoordinatorProcess::Start(dir, own);
    if (started == nullptr) return false;
    if (n == 1) {
      coordinator_ = std::move(started);
    } else {
      more_coordinators_.push_back(std::move(started));
    }
  }
  return true;
}

std::vector<CoordinatorProcess*> FleetE2ETest::Coordinators() {
  std::vector<CoordinatorProcess*> all = {coordinator_.get()};
  for (auto& more : more_coordinators_) all.push_back(more.get());
  return all;
}

std::string FleetE2ETest::CoordinatorList() {
  std::vector<std::string> addresses;
  for (CoordinatorProcess* coordinator : Coordinators())
    addresses.push_back(coordinator->address());
  return Join(addresses, ",");
}

bool FleetE2ETest::StartAgent(size_t index) {
  AgentOptions options;
  options.node_name = node_names_[index];
  options.sync_frequency = kAgentSyncFrequency;
  options.file_check_frequency = kAgentFileCheckFrequency;
  options.extra_flags = coordinator_->JoinFlags();
  // --coordinator ADDRESS: every coordinator, for the agent to move between.
  options.extra_flags.at(1) = CoordinatorList();
  options.extra_flags.insert(options.extra_flags.end(), {"--node-status-update-frequency", "1s"});
  if (node_names_[index] == kMasterNode) {
    // What kubeadm gives a control-plane node: the role label and the
    // taint that keeps ordinary pods away.
    options.extra_flags.insert(
        options.extra_flags.end(),
        {"--node-labels", std::string(kMasterTaintKey) + "=", "--register-with-taints",
         std::string(kMasterTaintKey) + ":NoSchedule"});
  }
  agents_.push_back(AgentProcess::Start(*nodes_.at(index), options));
  if (agents_.back() == nullptr) return false;
  cri_.push_back(std::make_unique<CriView>(*nodes_.at(index)));
  return true;
}

bool FleetE2ETest::WaitForReadyNodes(const std::vector<std::string>& names) {
  CommandResult nodes;
  const bool ready = WaitFor(
      [&] {
        nodes = Ctl("get", "nodes");
        std::map<std::string, std::string> status;
        for (const TableRow& row : ParseTable(nodes.out)) status[row.at("NAME")] = row.at("STATUS");
        return std::all_of(names.begin(), names.end(),
                           [&](const std::string& name) { return status[name] == "Ready"; });
      },
      kFleetTimeout);
  if (!ready) ADD_FAILURE() << "the nodes never became Ready: " << Show(nodes);
  return ready;
}

bool FleetE2ETest::AddNode(const std::string& name) {
  node_names_.push_back(name);
  nodes_.push_back(ContainerdNode::Start(name));
  if (nodes_.back() == nullptr) return false;
  return StartAgent(nodes_.size() - 1) && WaitForReadyNodes({name});
}

void FleetE2ETest::RemoveMachine(const std::string& name) {
  const auto it = std::find(node_names_.begin(), node_names_.end(), name);
  if (it == node_names_.end()) throw std::out_of_range("no node " + name);
  const size_t index = static_cast<size_t>(it - node_names_.begin());
  // The agent first, so that it cannot recreate what the node removes.
  agents_.erase(agents_.begin() + static_cast<std::ptrdiff_t>(index));
  cri_.erase(cri_.begin() + static_cast<std::ptrdiff_t>(index));
  nodes_.erase(nodes_.begin() + static_cast<std::ptrdiff_t>(index));
  node_names_.erase(it);
}

void FleetE2ETest::DumpFleetState() {
  if (coordinator_ == nullptr) return;
  std::cerr << "--- fleet state at the failure ---\n";
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"get", "nodes", "-o", "wide"},
                                             {"get", "ds", "-A", "-o", "wide"},
                                             {"get", "pods", "-A", "-o", "wide"}}) {
    const CommandResult result = CtlArgs(args);
    std::cerr << "$ fleetsetctl";
    for (const std::string& arg : args) std::cerr << " " << arg;
    std::cerr << "\n" << result.out << result.err;
  }
  std::cerr << "--- end of fleet state ---\n";
}

void FleetE2ETest::TearDown() {
  if (HasFailure()) DumpFleetState();
  // The agents first, so none recreates what its node removes; then the
  // coordinator; then the nodes, each removing its pods.
  agents_.clear();
  more_coordinators_.clear();
  coordinator_.reset();
  etcd_.reset();
  cri_.clear();
  std::vector<std::future<void>> stopping;
  for (auto& node : nodes_) {
    if (node == nullptr) continue;
    stopping.push_back(
        std::async(std::launch::async, [owned = std::move(node)]() mutable { owned.reset(); }));
  }
  for (auto& future : stopping) future.get();
  nodes_.clear();
  if (!work_dir_.empty() && std::getenv("FLEETSET_KEEP_NODE_DIRS") == nullptr) {
    std::error_code ignored;
    std::filesystem::remove_all(work_dir_, ignored);
  }
}

CommandResult FleetE2ETest::CtlArgs(const std::vector<std::string>& args) {
  std::vector<std::string> argv = coordinator_->CtlCommand();
  argv.back() = CoordinatorList();  // -s: every coordinator
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCommand(argv);
}

bool FleetE2ETest::WaitFor(const std::function<bool()>& predicate, milliseconds timeout) {
  return WaitUntil(predicate, timeout);
}

std::optional<DaemonSetRow> FleetE2ETest::GetDaemonSet(const std::string& name,
                                                       const std::string& namespace_name) {
  const CommandResult result = Ctl("get", "ds", name, "-n", namespace_name);
  if (result.exit_code != 0) return std::nullopt;
  for (const DaemonSetRow& row : ParseDaemonSetTable(result.out)) {
    if (row.name == name) return row;
  }
  return std::nullopt;
}

bool FleetE2ETest::WaitForDaemonSetCounts(const std::string& name,
                                          const std::string& namespace_name, int count,
                                          milliseconds timeout) {
  std::optional<DaemonSetRow> last;
  const bool reached = WaitFor(
      [&] {
        last = GetDaemonSet(name, namespace_name);
        return last && last->desired == count && last->current == count && last->ready == count &&
               last->up_to_date == count && last->available == count;
      },
      timeout);
  if (!reached) {
    ADD_FAILURE() << "get ds " << name << " -n " << namespace_name << " never showed " << count
                  << " everywhere; last: " << (last ? ToString(*last) : "no row");
  }
  return reached;
}

std::string FleetE2ETest::WriteFile(const std::string& file_name, const std::string& yaml) {
  const std::string path = work_dir_ + "/" + file_name;
  std::ofstream out(path, std::ios::trunc);
  out << yaml;
  return path;
}

bool FleetE2ETest::TagImageOnAllNodes(const std::string& source, const std::string& target) {
  for (const auto& node : nodes_) {
    const CommandResult result =
        RunCommand({"/usr/bin/env", "ctr", "--address", node->socket_path(), "--namespace",
                    "k8s.io", "images", "tag", "--force", source, target});
    if (result.exit_code != 0) {
      ADD_FAILURE() << "ctr images tag " << source << " " << target << " on " << node->name()
                    << ": " << Show(result);
      return false;
    }
  }
  return true;
}

ContainerdNode& FleetE2ETest::Node(const std::string& name) {
  for (size_t i = 0; i < node_names_.size(); ++i) {
    if (node_names_[i] == name) return *nodes_.at(i);
  }
  throw std::out_of_range("no node " + name);
}

CriView& FleetE2ETest::Cri(const std::string& name) {
  for (size_t i = 0; i < node_names_.size(); ++i) {
    if (node_names_[i] == name) return *cri_.at(i);
  }
  throw std::out_of_range("no node " + name);
}

AgentProcess& FleetE2ETest::Agent(const std::string& name) {
  for (size_t i = 0; i < node_names_.size(); ++i) {
    if (node_names_[i] == name) return *agents_.at(i);
  }
  throw std::out_of_range("no node " + name);
}

std::vector<cri::Container> FleetE2ETest::RuntimeContainers(const std::string& node,
                                                            const std::string& name,
                                                            const std::string& namespace_name) {
  cri::ListContainersRequest request;
  auto& labels = *request.mutable_filter()->mutable_label_selector();
  labels[agent::kDaemonSetNameLabel] = name;
  labels[agent::kDaemonSetNamespaceLabel] = namespace_name;
  cri::ListContainersResponse response;
  const grpc::Status status = Cri(node).runtime().ListContainers(request, &response);
  EXPECT_TRUE(status.ok()) << node << ": " << status.error_message();
  return {response.containers().begin(), response.containers().end()};
}

std::vector<cri::PodSandbox> FleetE2ETest::RuntimeSandboxes(const std::string& node,
                                                            const std::string& name,
                                                            const std::string& namespace_name) {
  cri::ListPodSandboxRequest request;
  auto& labels = *request.mutable_filter()->mutable_label_selector();
  labels[agent::kDaemonSetNameLabel] = name;
  labels[agent::kDaemonSetNamespaceLabel] = namespace_name;
  cri::ListPodSandboxResponse response;
  const grpc::Status status = Cri(node).runtime().ListPodSandbox(request, &response);
  EXPECT_TRUE(status.ok()) << node << ": " << status.error_message();
  return {response.items().begin(), response.items().end()};
}

std::vector<std::string> FleetE2ETest::RunningImages(const std::string& node,
                                                     const std::string& name,
                                                     const std::string& namespace_name) {
  std::vector<std::string> images;
  for (const cri::Container& container : RuntimeContainers(node, name, namespace_name)) {
    if (container.state() == cri::CONTAINER_RUNNING) images.push_back(container.image().image());
  }
  std::sort(images.begin(), images.end());
  return images;
}

void FleetE2ETest::ExpectRolledOut(const std::string& name, const std::string& namespace_name) {
  const CommandResult status =
      Ctl("rollout", "status", "ds/" + name, "-n", namespace_name, kRolloutTimeoutFlag);
  EXPECT_EQ(status.exit_code, 0) << Show(status);
  EXPECT_THAT(status.out,
              ::testing::HasSubstr("daemon set \"" + name + "\" successfully rolled out"))
      << Show(status);
}

void FleetE2ETest::ExpectFleetRuns(const std::string& name, const std::string& namespace_name,
                                   const std::set<std::string>& nodes, const std::string& image) {
  // Both views are polled: right after a rollout the replaced pods may
  // still be terminating (as in Kubernetes, where `get pods` lists them as
  // Terminating); they go within the 1 s grace period, give or take a sync.
  auto expected_on = [&](const std::string& node) {
    return nodes.contains(node) ? std::vector<std::string>{image} : std::vector<std::string>{};
  };
  // The coordinator's view, one "NODE IMAGE[,IMAGE...]" per pod.
  std::multiset<std::string> expected_pods;
  for (const std::string& node : nodes) expected_pods.insert(node + " " + image);
  std::map<std::string, std::vector<std::string>> running;
  std::multiset<std::string> pods;
  CommandResult json;
  const bool settled = WaitFor(
      [&] {
        bool all = true;
        for (const std::string& node : node_names_) {
          running[node] = RunningImages(node, name, namespace_name);
          if (running[node] != expected_on(node)) all = false;
        }
        json = Ctl("get", "pods", "-n", namespace_name, "-o", "json");
        pods.clear();
        for (const YAML::Node& pod : Child(YAML::Load(json.out), "items")) {
          const YAML::Node metadata = Child(pod, "metadata");
          const std::string owner =
              Child(Item(Child(metadata, "ownerReferences"), 0), "name").as<std::string>("");
          if (owner != name) continue;
          std::string images;
          for (const YAML::Node& status : Child(Child(pod, "status"), "containerStatuses")) {
            images += (images.empty() ? "" : ",") + Child(status, "image").as<std::string>("");
          }
          pods.insert(Child(Child(pod, "spec"), "nodeName").as<std::string>("") + " " + images);
        }
        return all && json.exit_code == 0 && pods == expected_pods;
      },
      milliseconds(30000));
  EXPECT_TRUE(settled) << "the fleet never settled on " << image << " for " << namespace_name << "/"
                       << name;
  for (const std::string& node : node_names_) {
    EXPECT_EQ(running[node], expected_on(node))
        << "running containers of " << namespace_name << "/" << name << " on " << node;
  }
  EXPECT_EQ(pods, expected_pods) << "pods (node and images) in get pods -o json:\n" << Show(json);
}

void FleetE2ETest::ExpectRolloutPaced(const std::string& name, const std::string& namespace_name,
                                      std::chrono::seconds min_ready) {
  using google::protobuf::util::TimeUtil;
  const CommandResult json = Ctl("get", "pods", "-n", namespace_name, "-o", "json");
  ASSERT_EQ(json.exit_code, 0) << Show(json);
  // (created, became ready) per pod of the DaemonSet, in seconds.
  std::vector<std::pair<int64_t, int64_t>> pods;
  for (const YAML::Node& pod : Child(YAML::Load(json.out), "items")) {
    const YAML::Node metadata = Child(pod, "metadata");
    if (Child(Item(Child(metadata, "ownerReferences"), 0), "name").as<std::string>("") != name) {
      continue;
    }
    google::protobuf::Timestamp created;
    google::protobuf::Timestamp ready;
    ASSERT_TRUE(
        TimeUtil::FromString(Child(metadata, "creationTimestamp").as<std::string>(""), &created))
        << Show(json);
    for (const YAML::Node& condition : Child(Child(pod, "status"), "conditions")) {
      if (Child(condition, "type").as<std::string>("") != "Ready") continue;
      ASSERT_TRUE(
          TimeUtil::FromString(Child(condition, "lastTransitionTime").as<std::string>(""), &ready))
          << "the Ready condition has no lastTransitionTime:\n"
          << Show(json);
    }
    pods.emplace_back(created.seconds(), ready.seconds());
  }
  ASSERT_GE(pods.size(), 2u) << Show(json);
  std::sort(pods.begin(), pods.end());
  for (size_t i = 1; i < pods.size(); ++i) {
    EXPECT_GE(pods[i].first + 1, pods[i - 1].second + min_ready.count())
        << "pod " << i << " was created before the one before it had been Ready for "
        << min_ready.count() << "s:\n"
        << Show(json);
  }
}

void FleetE2ETest::ExpectAllPodsGone(const std::string& name, const std::string& namespace_name) {
  std::string left;
  const bool gone = WaitFor(
      [&] {
        left.clear();
        for (const std::string& node : node_names_) {
          const size_t containers = RuntimeContainers(node, name, namespace_name).size();
          const size_t sandboxes = RuntimeSandboxes(node, name, namespace_name).size();
          if (containers + sandboxes > 0) {
            left += node + ": " + std::to_string(containers) + " containers, " +
                    std::to_string(sandboxes) + " sandboxes; ";
          }
        }
        const CommandResult pods = Ctl("get", "pods", "-n", namespace_name);
        if (!ParseTable(pods.out).empty()) left += "get pods:\n" + pods.out;
        return left.empty();
      },
      milliseconds(30000));
  EXPECT_TRUE(gone) << "left behind: " << left;
}

}  // namespace fleetset::testing
