// What an agent's status report changes in the registries: its pods (the
// ones that appeared, changed or went), its node report (eligibility), and
// the events Kubernetes' controllers record for such changes.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "coordinator/registry/registries.h"
#include "fleetset/v1/agent_service.pb.h"

namespace fleetset::coordinator {

struct ReportWrites {
  std::vector<v1::Pod> put_pods;
  std::vector<v1::Pod> deleted_pods;
  std::optional<v1::NodeReport> node_report;
  struct Event {
    std::string involved_object;
    std::string reason;
    std::string message;
  };
  std::vector<Event> events;
};

// The writes that take the node from `before` (nothing when null) to
// `after`. `offered` is the desired state last offered the node (null when
// none was on this stream yet); a decision on a DaemonSet new to the node
// that the controllers would reach on it themselves is not written alone.
// A report that differs from `before` only in the desired-state version it
// saw rewrites the node report only when `acknowledgement_due`: when the
// stored node report waits for the node to have seen a newer state
// (NodeAcknowledgementDue); otherwise the stored one still says what the
// node decided, and a rolling update saves one write per node it moves.
ReportWrites DiffReport(const std::string& node_name, const v1::StatusReport* before,
                        const v1::StatusReport& after, const v1::DesiredState* offered,
                        bool acknowledgement_due);

// The version a node must report having seen before `report`'s
// eligibility counts as the node's current decision (the controllers
// evaluate for it until then); 0 when it already counts.
uint64_t NodeAcknowledgementDue(const v1::NodeReport& report);

// The node report of `report`.
v1::NodeReport ToNodeReport(const std::string& node_name, const v1::StatusReport& report,
                            uint64_t offered_version);

// A reported pod as operators see it (kind, apiVersion, node name).
v1::Pod PublicPod(const v1::Pod& reported, const std::string& node_name);

// Removes everything the node's agent reported (the node was deleted).
void ForgetReportedState(Registries& registries, const Caller& caller, const std::string& node_name,
                         const v1::StatusReport* report);

}  // namespace fleetset::coordinator
