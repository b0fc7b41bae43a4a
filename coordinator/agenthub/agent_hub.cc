#include "coordinator/agenthub/agent_hub.h"

#include <google/protobuf/util/message_differencer.h>
#include <google/protobuf/wrappers.pb.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <set>

#include "coordinator/agenthub/agent_reports.h"
#include "coordinator/agenthub/desired_version.h"
#include "coordinator/agenthub/node_registration.h"
#include "coordinator/controllers/node_conditions.h"
#include "coordinator/controllers/revision_objects.h"
#include "coordinator/registry/storage_keys.h"
#include "coordinator/storage/thread_priority.h"
#include "coordinator/timestamps.h"
#include "fleetset/object_kinds.h"
#include "fleetset/pod_owner.h"

namespace fleetset::coordinator {

namespace {

using google::protobuf::util::MessageDifferencer;

const Caller kHub = Caller::System("agent-hub");

// What follows a report (its diff, the pods' writes) yields to the streams
// as the store's watch does, for the same reason (ReportIntake).
constexpr int kReportIntakeNiceness = storage::kWatchThreadNiceness;

// Whether two lists of objects hold the same objects at the same versions
// (the builder lists them in key order).
template <typename T>
bool SameVersions(const google::protobuf::RepeatedPtrField<T>& a,
                  const google::protobuf::RepeatedPtrField<T>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const T& x, const T& y) {
    return x.metadata().uid() == y.metadata().uid() &&
           x.metadata().resource_version() == y.metadata().resource_version();
  });
}

template <typename Map>
bool SameMap(const Map& a, const Map& b) {
  if (a.size() != b.size()) return false;
  for (const auto& [key, value] : a) {
    auto other = b.find(key);
    if (other == b.end() || other->second != value) return false;
  }
  return true;
}

bool SameTaint(const v1::Taint& a, const v1::Taint& b) {
  return a.key() == b.key() && a.value() == b.value() && a.effect() == b.effect() &&
         a.time_added().seconds() == b.time_added().seconds() &&
         a.time_added().nanos() == b.time_added().nanos();
}

// Field by field rather than by reflection (MessageDifferencer), which
// took a noticeable share of a coordinator's CPU in a rollout: this runs
// for every node a change touches.
bool SameNodeUpdate(const v1::NodeUpdate& a, const v1::NodeUpdate& b) {
  return a.unschedulable() == b.unschedulable() && SameMap(a.labels(), b.labels()) &&
         std::equal(a.taints().begin(), a.taints().end(), b.taints().begin(), b.taints().end(),
                    SameTaint);
}

// Whether two states the hub built differ only in version. A pod template
// is compared by its revision hash, which names it (both states come from
// ControllerRevisions), so no template is copied or walked field by field:
// this runs for every node a change touches.
// DaemonSet -> the revision of its pod in `report` (NodeInputs::running).
// From the pods the node reports, not from what its stream was offered: a
// node offered a revision it could not run (a taint it did not tolerate)
// must get the newest. A pod started but not reported yet is not known to
// serve, and the planner moves such a node at once anyway. With two pods
// of one DaemonSet, the first, as the controller reads it.
std::map<std::string, std::string> RevisionsRunIn(const v1::StatusReport* report) {
  std::map<std::string, std::string> running;
  if (report == nullptr) return running;
  for (const v1::Pod& pod : report->pods()) {
    if (!pod.static_pod()) running.emplace(pod.owner(), pod.revision_hash());
  }
  return running;
}

bool SameState(const v1::DesiredState& offered, const v1::DesiredState& built) {
  if (offered.daemon_sets_size() != built.daemon_sets_size()) return false;
  for (int i = 0; i < built.daemon_sets_size(); ++i) {
    const v1::DesiredDaemonSet& a = offered.daemon_sets(i);
    const v1::DesiredDaemonSet& b = built.daemon_sets(i);
    if (a.revision_hash() != b.revision_hash() || a.revision() != b.revision() ||
        a.surge() != b.surge() || a.min_ready_seconds() != b.min_ready_seconds() ||
        a.priority() != b.priority() || a.pod_create_error() != b.pod_create_error() ||
        !std::equal(a.deleted_pod_uids().begin(), a.deleted_pod_uids().end(),
                    b.deleted_pod_uids().begin(), b.deleted_pod_uids().end()) ||
        // The builder sets these three only.
        a.metadata().name() != b.metadata().name() ||
        a.metadata().namespace_() != b.metadata().namespace_() ||
        a.metadata().uid() != b.metadata().uid()) {
      return false;
    }
  }
  return SameVersions(offered.config_maps(), built.config_maps()) &&
         SameVersions(offered.secrets(), built.secrets()) &&
         SameNodeUpdate(offered.node(), built.node());
}

// Whether the decisions a node made on `offered` (may each DaemonSet run
// here) hold for `built` too: the same node record, and each DaemonSet of
// `built` that `offered` had is the same object, whose templates agree in
// every field those decisions read (nodeName, nodeSelector, affinity,
// tolerations, and the labels other pods' affinity reads). A rolling
// update that changes anything else (an image, say) leaves the node's last
// report current, so the hub need not mark it stale at each node it moves.
// A DaemonSet new to the node needs no mark either: the node has decided
// nothing on it (unless its report, `decided`, still holds a decision under
// that name, from a DaemonSet of the same name deleted since), and until
// it does the controllers decide for it.
bool SameEligibilityInputs(const v1::DesiredState& offered, const v1::DesiredState& built,
                           const std::set<std::string>& decided) {
  if (!SameNodeUpdate(offered.node(), built.node())) return false;
  std::map<std::string, const v1::DesiredDaemonSet*> before;
  for (const v1::DesiredDaemonSet& a : offered.daemon_sets()) {
    before.emplace(DaemonSetReference(a.metadata()), &a);
  }
  for (const v1::DesiredDaemonSet& b : built.daemon_sets()) {
    const std::string key = DaemonSetReference(b.metadata());
    auto found = before.find(key);
    if (found == before.end()) {
      if (decided.contains(key)) return false;
      continue;
    }
    const v1::DesiredDaemonSet& a = *found->second;
    if (a.metadata().uid() != b.metadata().uid()) return false;
    if (a.revision_hash() == b.revision_hash()) continue;
    const v1::PodSpec& x = a.template_().spec();
    const v1::PodSpec& y = b.template_().spec();
    if (x.node_name() != y.node_name() || !MessageDifferencer::Equals(x.affinity(), y.affinity()) ||
        !std::equal(
            x.tolerations().begin(), x.tolerations().end(), y.tolerations().begin(),
            y.tolerations().end(),
            [](const auto& p, const auto& q) { return MessageDifferencer::Equals(p, q); }) ||
        !SameMap(x.node_selector(), y.node_selector()) ||
        !SameMap(a.template_().metadata().labels(), b.template_().metadata().labels())) {
      return false;
    }
  }
  return true;
}

}  // namespace

AgentHub::AgentHub(Registries& registries, SharedInformers& informers, EventRecorder& events,
                   const Clock& clock, AgentHubOptions options)
    : registries_(registries),
      events_(events),
      clock_(clock),
      options_(options),
      daemon_sets_(informers.daemon_sets),
      revisions_(informers.controller_revisions),
      nodes_(informers.nodes),
      assignments_(informers.node_assignments),
      node_reports_(informers.node_reports),
      config_maps_(informers.config_maps),
      secrets_(informers.secrets),
      priority_classes_(informers.priority_classes),
      report_intake_(
          [this](const std::string& node_name, uint64_t stream, v1::StatusReport report) {
            TakeReport(node_name, stream, std::move(report));
          },
          kReportIntakeNiceness) {}

void AgentHub::LoadDesiredVersion() {
  storage::Storage& store = registries_.daemon_sets.storage();
  google::protobuf::UInt64Value stored;
  if (std::optional<storage::KeyValue> kv = store.Get(kDesiredVersionKey)) {
    stored.ParseFromString(kv->value);
  }
  const uint64_t first = FirstDesiredVersion(stored.value(), clock_.WallNow());
  google::protobuf::UInt64Value epoch;
  epoch.set_value(first);
  storage::Transaction transaction;
  transaction.operations.push_back(
      storage::Operation::Put(kDesiredVersionKey, epoch.SerializeAsString()));
  const storage::TransactionResult result = store.Commit(std::move(transaction));
  if (!result.committed()) throw ApiError::Unavailable("store unavailable: " + result.error);
  std::lock_guard lock(mu_);
  desired_version_ = first;
}

bool AgentHub::DaemonSetEventConcernsNodes(const WatchEvent<v1::DaemonSet>& event) {
  const v1::ObjectMeta& meta = event.object.metadata();
  const std::string key = DaemonSetReference(meta);
  {
    std::lock_guard lock(mu_);
    if (event.type == WatchEventType::kDeleted) {
      daemon_set_inputs_.erase(key);
      return true;
    }
    auto seen = std::make_pair(meta.uid(), event.object.spec().min_ready_seconds());
    auto& recorded = daemon_set_inputs_[key];
    if (recorded == seen) return false;
    recorded = std::move(seen);
  }
  // A DaemonSet without a revision yet is in no node's state.
  return !RevisionsOwnedBy(event.object, revisions_.List()).empty();
}

void AgentHub::Start(std::function<void()> on_change) {
  on_change_ = std::move(on_change);
  LoadDesiredVersion();
  daemon_sets_.AddHandler([this](const WatchEvent<v1::DaemonSet>& event) {
    if (DaemonSetEventConcernsNodes(event)) MarkAllDirty();
  });
  // A rollout's new revision concerns the nodes that follow the newest,
  // not the thousands that stay on theirs until the controller moves them
  // (with one of their own assignments' events).
  revisions_.AddHandler([this](const WatchEvent<v1::ControllerRevision>& event) {
    NoteRevisionChanged(event.object);
  });
  nodes_.AddHandler([this](const WatchEvent<v1::Node>& event) {
    if (event.type == WatchEventType::kDeleted) {
      Forget(event.object.metadata().name());
    } else {
      MarkDirty(event.object.metadata().name());
    }
  });
  assignments_.AddHandler([this](const WatchEvent<v1::NodeAssignments>& event) {
    MarkDirty(event.object.metadata().name());
  });
  // Which nodes an object concerns is the builder's to work out; one that
  // no DaemonSet's pods reference concerns none (most of a cluster's). The
  // pass tells, with the DaemonSets it reads anyway: here, on the store's
  // thread, a burst of changes would each read them.
  config_maps_.AddHandler([this](const WatchEvent<v1::ConfigMap>& event) {
    NoteObjectChanged(&PodReferences::config_maps, event.object.metadata());
  });
  secrets_.AddHandler([this](const WatchEvent<v1::Secret>& event) {
    NoteObjectChanged(&PodReferences::secrets, event.object.metadata());
  });
  priority_classes_.AddHandler([this](const auto&) { MarkAllDirty(); });
  // A node that now reports it runs a DaemonSet the coordinator's reading
  // of the rules gives it not (yet) needs that DaemonSet's objects.
  node_reports_.AddHandler([this](const WatchEvent<v1::NodeReport>& event) {
    MarkDirty(event.object.metadata().name());
  });
}

void AgentHub::MarkDirty(const std::string& node_name) {
  {
    std::lock_guard lock(mu_);
    if (connections_.count(node_name) == 0) return;
    dirty_.insert(node_name);
  }
  if (on_change_) on_change_();
}

void AgentHub::MarkAllDirty() {
  {
    std::lock_guard lock(mu_);
    all_dirty_ = true;
  }
  if (on_change_) on_change_();
}

void AgentHub::NoteRevisionChanged(const v1::ControllerRevision& revision) {
  std::string owner_uid;
  for (const v1::OwnerReference& owner : revision.metadata().owner_references()) {
    if (owner.kind() == kDaemonSetKind) owner_uid = owner.uid();
  }
  // A revision no DaemonSet owns is in no node's state.
  if (owner_uid.empty()) return;
  {
    std::lock_guard lock(mu_);
    revised_daemon_sets_.insert(std::move(owner_uid));
  }
  if (on_change_) on_change_();
}

std::set<std::string> AgentHub::NodesOfferedOtherRevisions(
    const std::set<std::string>& daemon_set_uids,
    const std::vector<DaemonSetRevisions>& daemon_sets) const {
  std::vector<const DaemonSetRevisions*> revised;
  for (const DaemonSetRevisions& entry : daemon_sets) {
    if (daemon_set_uids.contains(entry.daemon_set->metadata().uid())) revised.push_back(&entry);
  }
  struct Offered {
    std::string name;
    std::shared_ptr<const v1::DesiredState> state;
    std::shared_ptr<const v1::StatusReport> report;
  };
  std::vector<Offered> offered;
  {
    std::lock_guard lock(mu_);
    for (const auto& [name, connection] : connections_) {
      if (connection.outbox) offered.push_back({name, connection.offered, connection.report});
    }
  }
  // Compared outside the lock, as the builds are.
  std::set<std::string> nodes;
  for (const auto& [name, state, report] : offered) {
    if (!state) {
      nodes.insert(name);
      continue;
    }
    const auto assignments = assignments_.Get("", name);
    const std::map<std::string, std::string> running = RevisionsRunIn(report.get());
    const NodeInputs inputs{assignments.get(), nullptr, &running};
    for (const DaemonSetRevisions* entry : revised) {
      if (OffersOtherRevision(*state, *entry, inputs)) {
        nodes.insert(name);
        break;
      }
    }
  }
  return nodes;
}

void AgentHub::NoteObjectChanged(std::set<std::string> PodReferences::*kind,
                                 const v1::ObjectMeta& meta) {
  {
    std::lock_guard lock(mu_);
    (changed_objects_[meta.namespace_()].*kind).insert(meta.name());
  }
  if (on_change_) on_change_();
}

size_t AgentHub::ConnectedAgents() const {
  std::lock_guard lock(mu_);
  size_t connected = 0;
  for (const auto& [name, connection] : connections_) connected += connection.outbox ? 1 : 0;
  return connected;
}

std::vector<DaemonSetRevisions> AgentHub::DaemonSetSnapshot() const {
  const auto revisions = revisions_.List();
  std::vector<DaemonSetRevisions> snapshot;
  for (auto& daemon_set : daemon_sets_.List()) {
    DaemonSetRevisions& entry = snapshot.emplace_back();
    entry.revisions = RevisionsOwnedBy(*daemon_set, revisions);
    entry.daemon_set = std::move(daemon_set);
  }
  return snapshot;
}

PodObjectCatalog AgentHub::ObjectCatalog() const {
  PodObjectCatalog catalog;
  catalog.config_map = [this](const std::string& namespace_, const std::string& name) {
    return config_maps_.Get(namespace_, name);
  };
  catalog.secret = [this](const std::string& namespace_, const std::string& name) {
    return secrets_.Get(namespace_, name);
  };
  catalog.priority_classes = priority_classes_.List();
  return catalog;
}

v1::DesiredState AgentHub::BuildFor(const v1::Node& node,
                                    const std::vector<DaemonSetRevisions>& daemon_sets,
                                    const PodObjectCatalog& catalog) const {
  const std::string& name = node.metadata().name();
  const auto assignments = assignments_.Get("", name);
  const auto report = node_reports_.Get("", name);
  const std::map<std::string, std::string> running = RunningRevisions(name);
  return BuildDesiredState(node, NodeInputs{assignments.get(), report.get(), &running}, daemon_sets,
                           catalog);
}

std::map<std::string, std::string> AgentHub::RunningRevisions(const std::string& node_name) const {
  std::shared_ptr<const v1::StatusReport> report;
  {
    std::lock_guard lock(mu_);
    auto it = connections_.find(node_name);
    if (it != connections_.end()) report = it->second.report;
  }
  return RevisionsRunIn(report.get());
}

void AgentHub::Connect(const Caller& caller, const v1::Hello& hello,
                       std::shared_ptr<AgentOutbox> outbox) {
  // NodeRestriction: a node speaks for itself only.
  if (caller.kind == Caller::Kind::kAnonymous) {
    throw ApiError::Unauthorized("no client certificate: cannot connect as an agent");
  }
  if (caller.kind != Caller::Kind::kNode && caller.kind != Caller::Kind::kSystem) {
    throw ApiError::Forbidden(caller.Describe() + " cannot connect as an agent: only nodes can");
  }
  if (caller.kind == Caller::Kind::kNode && caller.name != hello.node_name()) {
    spdlog::warn("node {} (from its certificate) asked to be node {}: refused", caller.name,
                 hello.node_name());
    throw ApiError::Forbidden(caller.Describe() + " cannot connect as node \"" + hello.node_name() +
                              "\": a node may only speak for itself");
  }
  CheckHello(hello);
  const std::string& name = hello.node_name();
  const v1::Node node = RegisterNode(registries_.nodes, events_, clock_, caller, hello);
  std::shared_ptr<AgentOutbox> replaced;
  ReportWrites writes;
  {
    std::lock_guard lock(mu_);
    Connection& connection = connections_[name];
    if (connection.outbox != outbox) replaced = std::move(connection.outbox);
    connection.outbox = std::move(outbox);
    // A node that comes back gets the current state at once, whatever it had.
    connection.offered.reset();
    connection.acknowledgement_due = 1;
    connection.stream = ++streams_connected_;
    if (hello.has_status()) writes = TakeReportLocked(connection, name, hello.status());
  }
  if (replaced) {
    replaced->Close(
        ApiError(ApiError::Reason::kConflict, "replaced by a newer stream from node " + name));
  }
  Write(std::move(writes));
  RenewLease(name, /*force=*/true);
  Offer(name, BuildFor(node, DaemonSetSnapshot(), ObjectCatalog()));
}

void AgentHub::Report(const std::string& node_name, v1::StatusReport report) {
  uint64_t stream = 0;
  {
    std::lock_guard lock(mu_);
    auto it = connections_.find(node_name);
    if (it == connections_.end()) return;
    stream = it->second.stream;
  }
  report_intake_.Push(node_name, stream, std::move(report));
}

void AgentHub::WaitForReports() { report_intake_.WaitUntilTaken(); }

void AgentHub::TakeReport(const std::string& node_name, uint64_t stream, v1::StatusReport report) {
  ReportWrites writes;
  while (true) {
    ReportBasis basis;
    {
      std::lock_guard lock(mu_);
      const Connection* connection = StreamLocked(node_name, stream);
      if (!connection) return;
      basis = BasisOf(*connection);
    }
    writes = Compare(node_name, basis, report);
    std::lock_guard lock(mu_);
    Connection* connection = StreamLocked(node_name, stream);
    if (!connection) return;
    // Changed meanwhile (a state offered, which may change what the report
    // must write): compared again.
    if (BasisOf(*connection) != basis) continue;
    KeepReportLocked(*connection, writes, std::move(report));
    break;
  }
  Write(std::move(writes));
  RenewLease(node_name, /*force=*/false);
}

void AgentHub::Heartbeat(const std::string& node_name) { RenewLease(node_name, /*force=*/false); }

void AgentHub::Disconnect(const std::string& node_name, const AgentOutbox* outbox) {
  std::lock_guard lock(mu_);
  auto it = connections_.find(node_name);
  // What it reported stays until it reconnects: the pods most likely still
  // run, and the next report is compared with it.
  if (it != connections_.end() && it->second.outbox.get() == outbox) {
    it->second.outbox.reset();
    it->second.offered.reset();
  }
}

void AgentHub::Forget(const std::string& node_name) {
  std::optional<Connection> forgotten;
  {
    std::lock_guard lock(mu_);
    auto it = connections_.find(node_name);
    if (it == connections_.end()) return;
    forgotten = std::move(it->second);
    connections_.erase(it);
    dirty_.erase(node_name);
    // Written after the node's lease is deleted, one would outlive it.
    std::erase_if(renewals_,
                  [&](const v1::Lease& lease) { return lease.metadata().name() == node_name; });
  }
  // A running agent registers its node again, as a kubelet does.
  if (forgotten->outbox) forgotten->outbox->Close(ApiError::NotFound("nodes", node_name));
  ForgetReportedState(registries_, kHub, node_name, forgotten->report.get());
}

void AgentHub::Offer(const std::string& node_name, v1::DesiredState built) {
  std::shared_ptr<const v1::DesiredState> offered;
  {
    std::lock_guard lock(mu_);
    auto it = connections_.find(node_name);
    if (it == connections_.end() || !it->second.outbox) return;
    offered = it->second.offered;
  }
  // Compared outside the lock: states are large and the lock is shared.
  if (offered && SameState(*offered, built)) return;
  const bool decisions_hold =
      offered && SameEligibilityInputs(*offered, built, DecidedOn(node_name));
  std::optional<v1::NodeReport> stale;
  std::shared_ptr<AgentOutbox> outbox;
  std::shared_ptr<const v1::DesiredState> state;
  {
    std::lock_guard lock(mu_);
    auto it = connections_.find(node_name);
    if (it == connections_.end() || !it->second.outbox || it->second.offered != offered) return;
    built.set_version(++desired_version_);
    state = std::make_shared<const v1::DesiredState>(std::move(built));
    it->second.offered = state;
    outbox = it->second.outbox;
    // The node's decisions were made on an older state until it reports
    // (which the controllers then decide for it).
    if (it->second.report && !decisions_hold) {
      stale = ToNodeReport(node_name, *it->second.report, desired_version_);
      it->second.acknowledgement_due = NodeAcknowledgementDue(*stale);
    }
  }
  // Outside the lock: handing a state to its stream may start the write
  // on this thread (serializing it, encrypting, the socket), and every
  // agent's report waits for this lock. A concurrent offer to the same
  // node may overtake this one; the outbox keeps the newer.
  outbox->Offer(std::move(state));
  if (stale) registries_.node_reports.PutAsync(kHub, std::move(*stale));
}

std::set<std::string> AgentHub::DecidedOn(const std::string& node_name) const {
  std::set<std::string> decided;
  std::lock_guard lock(mu_);
  auto it = connections_.find(node_name);
  if (it == connections_.end() || !it->second.report) return decided;
  for (const v1::Eligibility& eligibility : it->second.report->eligibility()) {
    decided.insert(eligibility.daemon_set());
  }
  return decided;
}

void AgentHub::SyncOnce() {
  std::set<std::string> dirty;
  std::vector<v1::Lease> renewals;
  ObjectNames changed_objects;
  std::set<std::string> revised;
  bool all = false;
  {
    std::lock_guard lock(mu_);
    renewals.swap(renewals_);
    changed_objects.swap(changed_objects_);
    revised.swap(revised_daemon_sets_);
    all = all_dirty_;
    if (!all) dirty.swap(dirty_);
    all_dirty_ = false;
    dirty_.clear();
  }
  for (v1::Lease& lease : renewals) registries_.leases.PutAsync(kHub, std::move(lease));
  if (!all && dirty.empty() && changed_objects.empty() && revised.empty()) return;
  const std::vector<DaemonSetRevisions> daemon_sets = DaemonSetSnapshot();
  if (!all && !changed_objects.empty()) all = ReferencesAny(daemon_sets, changed_objects);
  if (all) {
    std::lock_guard lock(mu_);
    for (const auto& [name, connection] : connections_) {
      if (connection.outbox) dirty.insert(name);
    }
  } else if (!revised.empty()) {
    dirty.merge(NodesOfferedOtherRevisions(revised, daemon_sets));
  }
  if (dirty.empty()) return;
  const PodObjectCatalog catalog = ObjectCatalog();
  for (const std::string& name : dirty) {
    std::shared_ptr<const v1::Node> node = nodes_.Get("", name);
    if (!node) continue;
    Offer(name, BuildFor(*node, daemon_sets, catalog));
  }
}

AgentHub::ReportBasis AgentHub::BasisOf(const Connection& connection) {
  return {connection.report, connection.offered, connection.acknowledgement_due};
}

ReportWrites AgentHub::Compare(const std::string& node_name, const ReportBasis& basis,
                               const v1::StatusReport& report) {
  return DiffReport(node_name, basis.report.get(), report, basis.offered.get(),
                    /*acknowledgement_due=*/basis.acknowledgement_due != 0);
}

AgentHub::Connection* AgentHub::StreamLocked(const std::string& node_name, uint64_t stream) {
  auto it = connections_.find(node_name);
  if (it == connections_.end() || it->second.stream != stream) return nullptr;
  return &it->second;
}

ReportWrites AgentHub::TakeReportLocked(Connection& connection, const std::string& node_name,
                                        v1::StatusReport report) {
  ReportWrites writes = Compare(node_name, BasisOf(connection), report);
  KeepReportLocked(connection, writes, std::move(report));
  return writes;
}

void AgentHub::KeepReportLocked(Connection& connection, const ReportWrites& writes,
                                v1::StatusReport report) {
  if (writes.node_report) {
    connection.acknowledgement_due = NodeAcknowledgementDue(*writes.node_report);
  }
  connection.report = std::make_shared<const v1::StatusReport>(std::move(report));
}

void AgentHub::Write(ReportWrites writes) {
  for (const ReportWrites::Event& event : writes.events) {
    events_.Record(event.involved_object, "Normal", event.reason, event.message);
  }
  for (v1::Pod& pod : writes.put_pods) registries_.pods.PutAsync(kHub, std::move(pod));
  for (const v1::Pod& pod : writes.deleted_pods) {
    registries_.pods.DeleteAsync(kHub, pod.metadata().namespace_(), pod.metadata().uid());
  }
  if (writes.node_report) registries_.node_reports.PutAsync(kHub, std::move(*writes.node_report));
}

void AgentHub::RenewLease(const std::string& node_name, bool force) {
  const auto now = clock_.Now();
  {
    std::lock_guard lock(mu_);
    auto it = connections_.find(node_name);
    if (it == connections_.end()) return;
    if (!force && now - it->second.lease_renewed < options_.lease_renewal_interval) return;
    it->second.lease_renewed = now;
  }
  v1::Lease lease;
  lease.mutable_metadata()->set_name(node_name);
  lease.mutable_metadata()->set_namespace_(kNodeLeaseNamespace);
  lease.mutable_spec()->set_holder_identity(node_name);
  lease.mutable_spec()->set_lease_duration_seconds(
      static_cast<int32_t>(options_.lease_duration.count()));
  *lease.mutable_spec()->mutable_renew_time() = ToTimestamp(clock_.WallNow());
  if (force) {
    // A hello, which registration answered: written at once, as the node
    // may have been NotReady.
    registries_.leases.PutAsync(kHub, std::move(lease));
    return;
  }
  {
    std::lock_guard lock(mu_);
    renewals_.push_back(std::move(lease));
  }
  std::shared_ptr<const v1::Node> node = nodes_.Get("", node_name);
  if (!node || NodeReady(*node)) return;
  try {
    MarkNodeReadyAgain(registries_.nodes, events_, clock_, kHub, node_name);
  } catch (const ApiError& error) {
    // Changed or deleted meanwhile: the next renewal looks again.
    spdlog::debug("node {} not marked ready again yet: {}", node_name, error.what());
  }
}

}  // namespace fleetset::coordinator
