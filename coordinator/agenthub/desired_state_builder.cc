#include "coordinator/agenthub/desired_state_builder.h"

#include <algorithm>
#include <map>
#include <set>

#include "coordinator/controllers/node_states.h"
#include "coordinator/controllers/pod_priority.h"
#include "coordinator/controllers/revision_history.h"

namespace fleetset::coordinator {
namespace {

// Whether the node (`facts`) may run (or keep running) a pod of
// `daemon_set` from the template `pod`: by the node's own latest decision
// or the coordinator's reading of the same rules, so objects arrive with
// the state that lets the node start the pod, and stay while either still
// says it runs.
bool NodeMayRun(const NodeFacts& facts, const v1::NodeReport* report,
                const v1::DaemonSet& daemon_set, const v1::PodTemplateSpec& pod) {
  const EligibilityDecision decision = EvaluateEligibility(
      pod.spec(), ToLabels(pod.metadata().labels()), daemon_set.metadata().namespace_(), facts);
  if (decision.should_run || decision.should_continue_running) return true;
  if (report == nullptr) return false;
  const std::string key = OwnerKeyOf(daemon_set);
  for (const v1::Eligibility& eligibility : report->eligibility()) {
    if (eligibility.daemon_set() == key) {
      return eligibility.should_run() || eligibility.should_continue_running();
    }
  }
  return false;
}

// Adds `references`, a pod's in `namespace_`, to `objects`.
void AddReferences(const std::string& namespace_, PodReferences references, ObjectNames& objects) {
  PodReferences& names = objects[namespace_];
  names.config_maps.merge(references.config_maps);
  names.secrets.merge(references.secrets);
}

// The objects of `referenced` the catalog holds, each kind in
// namespace/name order.
void AddObjects(const ObjectNames& referenced, const PodObjectCatalog& catalog,
                v1::DesiredState& state) {
  if (catalog.config_map) {
    for (const auto& [namespace_, names] : referenced) {
      for (const std::string& name : names.config_maps) {
        if (auto config_map = catalog.config_map(namespace_, name)) {
          *state.add_config_maps() = *config_map;
        }
      }
    }
  }
  if (catalog.secret) {
    for (const auto& [namespace_, names] : referenced) {
      for (const std::string& name : names.secrets) {
        if (auto secret = catalog.secret(namespace_, name)) *state.add_secrets() = *secret;
      }
    }
  }
}

}  // namespace

bool ReferencesAny(const std::vector<DaemonSetRevisions>& daemon_sets, const ObjectNames& objects) {
  auto any_of = [](const std::set<std::string>& names, const std::set<std::string>& wanted) {
    return std::any_of(names.begin(), names.end(),
                       [&](const std::string& name) { return wanted.contains(name); });
  };
  for (const DaemonSetRevisions& entry : daemon_sets) {
    auto wanted = objects.find(entry.daemon_set->metadata().namespace_());
    if (wanted == objects.end()) continue;
    for (const v1::DaemonSetRevision& revision : entry.revisions) {
      const PodReferences references = ReferencesOf(revision.template_().spec());
      if (any_of(references.config_maps, wanted->second.config_maps) ||
          any_of(references.secrets, wanted->second.secrets)) {
        return true;
      }
    }
  }
  return false;
}

NodeRevision ResolveNodeRevision(const DaemonSetRevisions& entry, const NodeInputs& inputs) {
  const std::string key = OwnerKeyOf(*entry.daemon_set);
  NodeRevision resolved;
  bool assigned = false;
  if (inputs.assignments != nullptr) {
    auto found = inputs.assignments->assignments().find(key);
    assigned = found != inputs.assignments->assignments().end();
    if (assigned) resolved.assignment = found->second;
  }
  if (!assigned && inputs.running != nullptr) {
    auto running = inputs.running->find(key);
    if (running != inputs.running->end()) {
      resolved.assignment.set_revision_hash(running->second);
    }
  }
  resolved.revision = FindRevisionByHash(entry.revisions, resolved.assignment.revision_hash());
  if (resolved.revision == nullptr) {
    resolved.revision = &entry.revisions.back();
    resolved.assignment.set_surge(false);
  }
  return resolved;
}

bool OffersOtherRevision(const v1::DesiredState& offered, const DaemonSetRevisions& entry,
                         const NodeInputs& inputs) {
  const std::string& uid = entry.daemon_set->metadata().uid();
  for (const v1::DesiredDaemonSet& desired : offered.daemon_sets()) {
    if (desired.metadata().uid() != uid) continue;
    // The builder leaves a DaemonSet without revisions out.
    if (entry.revisions.empty()) return true;
    const NodeRevision now = ResolveNodeRevision(entry, inputs);
    return desired.revision_hash() != now.revision->hash() ||
           desired.revision() != now.revision->revision();
  }
  return !entry.revisions.empty();
}

v1::DesiredState BuildDesiredState(const v1::Node& node, const NodeInputs& inputs,
                                   const std::vector<DaemonSetRevisions>& daemon_sets,
                                   const PodObjectCatalog& catalog) {
  v1::DesiredState state;
  v1::NodeUpdate& update = *state.mutable_node();
  *update.mutable_labels() = node.metadata().labels();
  const NodeFacts facts = FactsOf(node);
  for (const v1::Taint& taint : facts.taints) *update.add_taints() = taint;
  update.set_unschedulable(node.spec().unschedulable());
  ObjectNames referenced;
  for (const DaemonSetRevisions& entry : daemon_sets) {
    if (entry.revisions.empty()) continue;
    const v1::DaemonSet& daemon_set = *entry.daemon_set;
    const auto [revision, assignment] = ResolveNodeRevision(entry, inputs);
    v1::DesiredDaemonSet& desired = *state.add_daemon_sets();
    v1::ObjectMeta& meta = *desired.mutable_metadata();
    meta.set_name(daemon_set.metadata().name());
    meta.set_namespace_(daemon_set.metadata().namespace_());
    // Not the generation: a spec change would then be news to every node,
    // even those that stay on their revision until the rollout moves them.
    meta.set_uid(daemon_set.metadata().uid());
    *desired.mutable_template_() = revision->template_();
    desired.set_revision_hash(revision->hash());
    desired.set_revision(revision->revision());
    desired.set_surge(assignment.surge());
    desired.set_min_ready_seconds(daemon_set.spec().min_ready_seconds());
    *desired.mutable_deleted_pod_uids() = assignment.deleted_pod_uids();
    const PodPriority priority = ResolvePodPriority(
        revision->template_().spec(), catalog.priority_classes, daemon_set.metadata().name() + "-");
    desired.set_priority(priority.value);
    desired.set_pod_create_error(priority.refusal);
    // Most pods reference nothing, and then whether the node may run them
    // does not matter here: the evaluation is left out of every such
    // node's build.
    PodReferences references = ReferencesOf(revision->template_().spec());
    if ((!references.config_maps.empty() || !references.secrets.empty()) &&
        NodeMayRun(facts, inputs.report, daemon_set, revision->template_())) {
      AddReferences(daemon_set.metadata().namespace_(), std::move(references), referenced);
    }
  }
  AddObjects(referenced, catalog, state);
  return state;
}

}  // namespace fleetset::coordinator
