// Every agent's link to the fleet, on this coordinator: registers nodes
// when their agents say hello, turns what agents report into the volatile
// registries (pods, node reports, node leases) and pod events, and keeps
// each connected node's desired state current, built from the registries'
// caches and offered to the node's outbox whenever it changes (numbered so
// agents can tell newer from older). Runs on every coordinator, leader or
// not: agents may connect to any.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "coordinator/agenthub/agent_outbox.h"
#include "coordinator/agenthub/agent_reports.h"
#include "coordinator/agenthub/desired_state_builder.h"
#include "coordinator/agenthub/report_intake.h"
#include "coordinator/controllers/event_recorder.h"
#include "coordinator/registry/registries.h"
#include "coordinator/registry/shared_informers.h"
#include "fleetset/clock.h"

namespace fleetset::coordinator {

struct AgentHubOptions {
  // How long a node lease says it lasts (the node grace period).
  std::chrono::seconds lease_duration{40};
  // A node's lease is renewed at most this often, however often its agent
  // reports (kubelet renews every quarter of the lease's duration).
  std::chrono::milliseconds lease_renewal_interval{10000};
};

class AgentHub {
 public:
  AgentHub(Registries& registries, SharedInformers& informers, EventRecorder& events,
           const Clock& clock, AgentHubOptions options = {});

  // Numbers desired states from the stored epoch and adds its handlers to
  // the shared informers (before they start); `on_change` (any thread,
  // must not block) is told when some node's desired state may have
  // changed.
  void Start(std::function<void()> on_change);

  // --- From agents (any thread). ---------------------------------------
  // Registers or refreshes the node and makes `outbox` its stream (closing
  // an older one); offers the current desired state at once. ApiError
  // when the hello is refused.
  void Connect(const Caller& caller, const v1::Hello& hello, std::shared_ptr<AgentOutbox> outbox);
  // Queues the report for the hub's intake thread (ReportIntake): a
  // report from a stream that a newer one replaced by then is dropped, the
  // newer stream's hello having said it all again.
  void Report(const std::string& node_name, v1::StatusReport report);
  void Heartbeat(const std::string& node_name);
  // The node stays Ready until its lease expires.
  void Disconnect(const std::string& node_name, const AgentOutbox* outbox);

  // Writes the lease renewals heartbeats asked for since the last pass,
  // and offers a new desired state to every connected node whose inputs
  // changed since then (the hub's own loop calls it, at least every
  // second).
  void SyncOnce();

  size_t ConnectedAgents() const;
  // Nodes whose latest report waits for the intake (ReportIntake::Waiting).
  size_t QueuedReports() const { return report_intake_.Waiting(); }

  // Returns once the reports queued before the call were taken in (their
  // writes started): for a caller about to read what they wrote.
  void WaitForReports();

 private:
  struct Connection {
    std::shared_ptr<AgentOutbox> outbox;
    // The last state offered on this stream (with its version).
    std::shared_ptr<const v1::DesiredState> offered;
    // What the agent last reported, to tell what changed. Shared, so that
    // the intake can compare a new report with it outside the lock.
    std::shared_ptr<const v1::StatusReport> report;
    // The version the stored node report waits for the node to have seen
    // (NodeAcknowledgementDue of the last one written here); nonzero from
    // a new stream on, as another coordinator may have written it since.
    uint64_t acknowledgement_due = 1;
    std::chrono::steady_clock::time_point lease_renewed{};
    // Which of the node's streams this is: a queued report names the
    // stream it came on.
    uint64_t stream = 0;
  };
  // What a new report is compared with: the connection's fields that
  // DiffReport reads. A report compared with one basis is kept only if the
  // connection still has it.
  struct ReportBasis {
    std::shared_ptr<const v1::StatusReport> report;
    std::shared_ptr<const v1::DesiredState> offered;
    uint64_t acknowledgement_due = 0;
    bool operator==(const ReportBasis&) const = default;
  };
  static ReportBasis BasisOf(const Connection& connection);
  static ReportWrites Compare(const std::string& node_name, const ReportBasis& basis,
                              const v1::StatusReport& report);
  // The node's connection while `stream` is still its stream, else null.
  Connection* StreamLocked(const std::string& node_name, uint64_t stream);
  ReportWrites TakeReportLocked(Connection& connection, const std::string& node_name,
                                v1::StatusReport report);
  // What the connection keeps of a report whose writes are `writes`.
  static void KeepReportLocked(Connection& connection, const ReportWrites& writes,
                               v1::StatusReport report);
  // The intake's: takes a report that came on `stream` of the node,
  // comparing it with the previous one outside the lock (the intake's
  // thread runs below the priority of the threads that wait for the lock;
  // holding it there would make them wait on a thread they outrank).
  void TakeReport(const std::string& node_name, uint64_t stream, v1::StatusReport report);
  void Write(ReportWrites writes);
  void RenewLease(const std::string& node_name, bool force);
  std::vector<DaemonSetRevisions> DaemonSetSnapshot() const;
  PodObjectCatalog ObjectCatalog() const;
  v1::DesiredState BuildFor(const v1::Node& node,
                            const std::vector<DaemonSetRevisions>& daemon_sets,
                            const PodObjectCatalog& catalog) const;
  // The revision of each DaemonSet's pod the node last reported
  // (NodeInputs::running).
  std::map<std::string, std::string> RunningRevisions(const std::string& node_name) const;
  // Offers `built` unless the stream already has the same state.
  void Offer(const std::string& node_name, v1::DesiredState built);
  // The DaemonSets the node's last report holds decisions on; read only
  // for a state that differs from the one offered.
  std::set<std::string> DecidedOn(const std::string& node_name) const;
  void Forget(const std::string& node_name);
  void MarkDirty(const std::string& node_name);
  void MarkAllDirty();
  // A ControllerRevision changed: the next pass rebuilds the states of the
  // nodes whose revision of its DaemonSet it changes, and only those.
  void NoteRevisionChanged(const v1::ControllerRevision& revision);
  // The connected nodes whose offered state names another revision of one
  // of the DaemonSets (by uid) than they resolve to in `daemon_sets`.
  std::set<std::string> NodesOfferedOtherRevisions(
      const std::set<std::string>& daemon_set_uids,
      const std::vector<DaemonSetRevisions>& daemon_sets) const;
  // A ConfigMap (`kind` config_maps) or Secret changed; the next pass looks
  // at every node if a DaemonSet's pods reference it.
  void NoteObjectChanged(std::set<std::string> PodReferences::*kind, const v1::ObjectMeta& meta);
  // Whether a DaemonSet's event changes what the builder reads from it
  // (records it if so): its deletion, or a new uid or minReadySeconds once
  // it has a revision.
  bool DaemonSetEventConcernsNodes(const WatchEvent<v1::DaemonSet>& event);
  void LoadDesiredVersion();

  Registries& registries_;
  EventRecorder& events_;
  const Clock& clock_;
  const AgentHubOptions options_;
  std::function<void()> on_change_;

  Informer<v1::DaemonSet>& daemon_sets_;
  Informer<v1::ControllerRevision>& revisions_;
  Informer<v1::Node>& nodes_;
  Informer<v1::NodeAssignments>& assignments_;
  Informer<v1::NodeReport>& node_reports_;
  Informer<v1::ConfigMap>& config_maps_;
  Informer<v1::Secret>& secrets_;
  Informer<v1::PriorityClass>& priority_classes_;

  mutable std::mutex mu_;
  std::map<std::string, Connection> connections_;
  std::set<std::string> dirty_;
  bool all_dirty_ = false;
  // The uids of the DaemonSets whose revisions changed since the last pass.
  std::set<std::string> revised_daemon_sets_;
  // ConfigMaps and Secrets changed since the last pass.
  ObjectNames changed_objects_;
  // What the builder reads from a DaemonSet itself (uid, minReadySeconds)
  // as last seen: its status changes all the time during a rollout, and its
  // template reaches nodes through its revisions, so neither concerns a
  // node.
  std::map<std::string, std::pair<std::string, int32_t>> daemon_set_inputs_;
  uint64_t desired_version_ = 0;
  // Renewals not written yet. They go to the store together at the next
  // pass: a lease only has to be renewed well within its duration, and a
  // thousand renewals a second then cost etcd a few requests rather than
  // a hundred.
  std::vector<v1::Lease> renewals_;
  // Numbers each Connection's stream.
  uint64_t streams_connected_ = 0;
  // Last: its thread calls into everything above, and stops first.
  ReportIntake report_intake_;
};

}  // namespace fleetset::coordinator
