#include "coordinator/agenthub/agent_reports.h"

#include <google/protobuf/util/message_differencer.h>

#include <map>

#include "coordinator/registry/kinds/kinds.h"
#include "fleetset/desired_eligibility.h"
#include "fleetset/pod_owner.h"

namespace fleetset::coordinator {

namespace {

using google::protobuf::util::MessageDifferencer;

std::map<std::string, const v1::Pod*> PodsByUid(const v1::StatusReport& report) {
  std::map<std::string, const v1::Pod*> pods;
  for (const v1::Pod& pod : report.pods()) pods[pod.metadata().uid()] = &pod;
  return pods;
}

const v1::Eligibility* FindEligibility(const v1::StatusReport& report, const std::string& key) {
  for (const v1::Eligibility& eligibility : report.eligibility()) {
    if (eligibility.daemon_set() == key) return &eligibility;
  }
  return nullptr;
}

// Whether the controllers, deciding for the node on the state it was
// offered (as they do for a DaemonSet its stored report does not name),
// reach `decision` themselves. Only what the node alone knows (the pods on
// it, for pod affinity) makes the two differ.
bool ControllersDecideAlike(const std::string& node_name, const v1::DesiredState& offered,
                            const v1::Eligibility& decision) {
  for (const v1::DesiredDaemonSet& desired : offered.daemon_sets()) {
    if (DaemonSetReference(desired.metadata()) != decision.daemon_set()) continue;
    const EligibilityDecision own =
        EvaluateDesiredDaemonSet(desired, NodeFactsOf(node_name, offered.node()));
    return MessageDifferencer::Equals(ToEligibility(decision.daemon_set(), own), decision);
  }
  return false;
}

// Whether the node report of `after` tells the controllers nothing that
// of `before` did not: the same problems and runtime, the same decisions,
// and (when `offered` is known) beyond them only decisions on DaemonSets
// new to the node that the controllers reach themselves. Leaving those out
// saves a write per node when a DaemonSet is created, half of what it costs
// the store; a decision the node alone reached is always written.
bool SameNodeReport(const std::string& node_name, const v1::StatusReport& a,
                    const v1::StatusReport& b, bool version_counts,
                    const v1::DesiredState* offered) {
  if ((version_counts && a.desired_version() != b.desired_version()) ||
      a.runtime() != b.runtime() || a.eligibility_size() > b.eligibility_size() ||
      a.manifest_problems_size() != b.manifest_problems_size()) {
    return false;
  }
  for (int i = 0; i < a.manifest_problems_size(); ++i) {
    if (!MessageDifferencer::Equals(a.manifest_problems(i), b.manifest_problems(i))) return false;
  }
  int kept = 0;
  for (const v1::Eligibility& decision : b.eligibility()) {
    const v1::Eligibility* previous = FindEligibility(a, decision.daemon_set());
    if (previous != nullptr) {
      if (!MessageDifferencer::Equals(*previous, decision)) return false;
      ++kept;
    } else if (offered == nullptr || !ControllersDecideAlike(node_name, *offered, decision)) {
      return false;
    }
  }
  return kept == a.eligibility_size();
}

}  // namespace

v1::Pod PublicPod(const v1::Pod& reported, const std::string& node_name) {
  v1::Pod pod = reported;
  pod.set_api_version("v1");
  pod.set_kind("Pod");
  if (pod.node_name().empty()) pod.set_node_name(node_name);
  return pod;
}

v1::NodeReport ToNodeReport(const std::string& node_name, const v1::StatusReport& report,
                            uint64_t offered_version) {
  v1::NodeReport node_report;
  node_report.mutable_metadata()->set_name(node_name);
  node_report.set_desired_version(report.desired_version());
  *node_report.mutable_eligibility() = report.eligibility();
  *node_report.mutable_manifest_problems() = report.manifest_problems();
  node_report.set_runtime(report.runtime());
  node_report.set_offered_version(offered_version);
  return node_report;
}

uint64_t NodeAcknowledgementDue(const v1::NodeReport& report) {
  return report.desired_version() < report.offered_version() ? report.offered_version() : 0;
}

ReportWrites DiffReport(const std::string& node_name, const v1::StatusReport* before,
                        const v1::StatusReport& after, const v1::DesiredState* offered,
                        bool acknowledgement_due) {
  ReportWrites writes;
  const v1::StatusReport empty;
  const auto old_pods = PodsByUid(before ? *before : empty);
  const auto new_pods = PodsByUid(after);
  for (const auto& [uid, pod] : new_pods) {
    auto old = old_pods.find(uid);
    if (old == old_pods.end()) {
      if (!pod->owner().empty()) {
        writes.events.push_back(
            {"daemonset/" + pod->owner(), "SuccessfulCreate",
             "Created pod: " + pod->metadata().name() + " on node " + node_name});
      }
      writes.put_pods.push_back(PublicPod(*pod, node_name));
    } else if (!MessageDifferencer::Equals(*old->second, *pod)) {
      writes.put_pods.push_back(PublicPod(*pod, node_name));
    }
  }
  for (const auto& [uid, pod] : old_pods) {
    if (new_pods.count(uid) != 0) continue;
    if (!pod->owner().empty()) {
      // A pod that had to leave (an untolerated NoExecute taint, a label
      // that no longer matches) was evicted; otherwise it was replaced.
      const v1::Eligibility* eligibility = FindEligibility(after, pod->owner());
      if (eligibility != nullptr && !eligibility->should_continue_running()) {
        writes.events.push_back({"daemonset/" + pod->owner(), "Evicted",
                                 "Evicted pod: " + pod->metadata().name() + " from node " +
                                     node_name + ": " + eligibility->reason()});
      } else {
        writes.events.push_back(
            {"daemonset/" + pod->owner(), "SuccessfulDelete",
             "Deleted pod: " + pod->metadata().name() + " on node " + node_name});
      }
    }
    writes.deleted_pods.push_back(*pod);
  }
  if (!before || !SameNodeReport(node_name, *before, after, acknowledgement_due, offered)) {
    writes.node_report = ToNodeReport(node_name, after, offered ? offered->version() : 0);
  }
  return writes;
}

void ForgetReportedState(Registries& registries, const Caller& caller, const std::string& node_name,
                         const v1::StatusReport* report) {
  if (report) {
    for (const v1::Pod& pod : report->pods()) {
      registries.pods.DeleteAsync(caller, pod.metadata().namespace_(), pod.metadata().uid());
    }
  }
  registries.node_reports.DeleteAsync(caller, "", node_name);
  registries.leases.DeleteAsync(caller, kNodeLeaseNamespace, node_name);
}

}  // namespace fleetset::coordinator
