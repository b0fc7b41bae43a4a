#include "coordinator/agenthub/desired_state_builder.h"

#include "coordinator/controllers/node_states.h"
#include "coordinator/controllers/revision_history.h"

namespace fleetset::coordinator {

v1::DesiredState BuildDesiredState(const v1::Node& node, const v1::NodeAssignments* assignments,
                                   const std::vector<DaemonSetRevisions>& daemon_sets) {
  v1::DesiredState state;
  v1::NodeUpdate& update = *state.mutable_node();
  *update.mutable_labels() = node.metadata().labels();
  for (const v1::Taint& taint : FactsOf(node).taints) *update.add_taints() = taint;
  update.set_unschedulable(node.spec().unschedulable());
  for (const DaemonSetRevisions& entry : daemon_sets) {
    if (entry.revisions.empty()) continue;
    const v1::DaemonSet& daemon_set = *entry.daemon_set;
    v1::NodeAssignment assignment;
    if (assignments != nullptr) {
      auto assigned = assignments->assignments().find(OwnerKeyOf(daemon_set));
      if (assigned != assignments->assignments().end()) assignment = assigned->second;
    }
    const v1::DaemonSetRevision* revision =
        FindRevisionByHash(entry.revisions, assignment.revision_hash());
    // A node not assigned yet (new node, new DaemonSet) starts on the newest.
    if (revision == nullptr) {
      revision = &entry.revisions.back();
      assignment.set_surge(false);
    }
    v1::DesiredDaemonSet& desired = *state.add_daemon_sets();
    v1::ObjectMeta& meta = *desired.mutable_metadata();
    meta.set_name(daemon_set.metadata().name());
    meta.set_namespace_(daemon_set.metadata().namespace_());
    meta.set_uid(daemon_set.metadata().uid());
    meta.set_generation(daemon_set.metadata().generation());
    *desired.mutable_template_() = revision->template_();
    desired.set_revision_hash(revision->hash());
    desired.set_revision(revision->revision());
    desired.set_surge(assignment.surge());
    desired.set_min_ready_seconds(daemon_set.spec().min_ready_seconds());
    *desired.mutable_deleted_pod_uids() = assignment.deleted_pod_uids();
  }
  return state;
}

}  // namespace fleetset::coordinator
