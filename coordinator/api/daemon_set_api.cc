#include "coordinator/api/daemon_set_api.h"

#include <google/protobuf/util/message_differencer.h>

#include "coordinator/api/config_object_api.h"
#include "coordinator/api/fleet_snapshot.h"
#include "coordinator/api/requested_metadata.h"
#include "coordinator/controllers/revision_history.h"
#include "coordinator/controllers/revision_objects.h"
#include "fleetset/labels.h"
#include "fleetset/manifest.h"
#include "fleetset/object_kinds.h"
#include "fleetset/revision.h"

namespace fleetset::coordinator {

namespace {

using google::protobuf::util::MessageDifferencer;

constexpr char kResource[] = "daemonsets.apps";

// kind and apiVersion may be omitted in a request; anything else but a
// DaemonSet of apps/v1 is refused in the words a manifest gets.
FieldErrors CheckTypeMeta(v1::DaemonSet& daemon_set) {
  FieldErrors errors;
  if (daemon_set.kind().empty()) daemon_set.set_kind(kDaemonSetKind);
  if (daemon_set.api_version().empty()) daemon_set.set_api_version(kDaemonSetApiVersion);
  if (auto error = CheckKind(daemon_set.kind())) errors.push_back(std::move(*error));
  if (auto error = CheckApiVersion(daemon_set.api_version())) errors.push_back(std::move(*error));
  return errors;
}

// What a request may set: the spec and the user's part of the metadata
// (the resourceVersion too, for an update that must not overwrite a newer
// one). The rest (uid, generation, status) is the coordinator's.
v1::DaemonSet Requested(const v1::DaemonSet& daemon_set) {
  v1::DaemonSet requested;
  requested.set_api_version(kDaemonSetApiVersion);
  requested.set_kind(kDaemonSetKind);
  *requested.mutable_spec() = daemon_set.spec();
  v1::ObjectMeta& meta = *requested.mutable_metadata();
  meta = RequestedMetadata(daemon_set.metadata());
  meta.set_namespace_(NamespaceOrDefault(meta.namespace_()));
  return requested;
}

// Sets `image` on the containers `name` names ("*": all); false when none.
bool SetContainerImage(v1::PodSpec& spec, const std::string& name, const std::string& image) {
  bool found = false;
  for (auto* containers : {spec.mutable_init_containers(), spec.mutable_containers()}) {
    for (v1::Container& container : *containers) {
      if (name == "*" || container.name() == name) {
        container.set_image(image);
        found = true;
      }
    }
  }
  return found;
}

}  // namespace

ApplyResult DaemonSetApi::Apply(const Caller& caller, v1::DaemonSet daemon_set, bool create_only,
                                bool dry_run) {
  FieldErrors errors = CheckTypeMeta(daemon_set);
  v1::DaemonSet requested = Requested(daemon_set);
  // Validated here too, so that a wrong kind and a wrong spec are told at once.
  ApplyDaemonSetDefaults(&requested);
  FieldErrors validation = ValidateDaemonSet(requested);
  errors.insert(errors.end(), validation.begin(), validation.end());
  if (!errors.empty()) throw ApiError::Invalid("DaemonSet", requested.metadata().name(), errors);

  EnsureNamespaceExists(registries_, caller, requested.metadata().namespace_(), dry_run);
  auto& registry = registries_.daemon_sets;
  std::optional<v1::DaemonSet> existing =
      registry.Find(requested.metadata().namespace_(), requested.metadata().name());
  if (!existing) {
    if (!requested.metadata().resource_version().empty()) {
      // An update of something that is not there (kubectl replace).
      throw ApiError::NotFound(kResource, requested.metadata().name());
    }
    return {registry.Create(caller, std::move(requested), {dry_run}), "created"};
  }
  if (create_only) throw ApiError::AlreadyExists(kResource, requested.metadata().name());
  return Update(caller, std::move(requested), *existing, "configured", dry_run);
}

ApplyResult DaemonSetApi::Update(const Caller& caller, v1::DaemonSet daemon_set,
                                 const v1::DaemonSet& existing, const std::string& changed_result,
                                 bool dry_run) {
  ApplyDaemonSetDefaults(&daemon_set);
  std::string result = "unchanged";
  if (!MessageDifferencer::Equals(daemon_set.spec(), existing.spec())) {
    result = changed_result;
  } else if (ToLabels(daemon_set.metadata().labels()) != ToLabels(existing.metadata().labels()) ||
             ToLabels(daemon_set.metadata().annotations()) !=
                 ToLabels(existing.metadata().annotations())) {
    result = "configured";
  }
  v1::DaemonSet stored = registries_.daemon_sets.Update(caller, std::move(daemon_set), {dry_run});
  return {std::move(stored), result};
}

v1::DaemonSet DaemonSetApi::Get(const Caller&, const std::string& namespace_,
                                const std::string& name) {
  return registries_.daemon_sets.Get(NamespaceOrDefault(namespace_), name);
}

ObjectList<v1::DaemonSet> DaemonSetApi::List(const Caller&, const ListOptions& options) {
  return registries_.daemon_sets.List(options);
}

void DaemonSetApi::Delete(const Caller& caller, const std::string& namespace_,
                          const std::string& name) {
  // Its revisions and node assignments go with it: the DaemonSet
  // controller collects what no DaemonSet owns any more.
  registries_.daemon_sets.Delete(caller, NamespaceOrDefault(namespace_), name);
}

ApplyResult DaemonSetApi::SetImage(const Caller& caller, const std::string& namespace_,
                                   const std::string& name,
                                   const std::map<std::string, std::string>& images) {
  v1::DaemonSet existing = Get(caller, namespace_, name);
  if (images.empty())
    throw ApiError::BadRequest("images: at least one CONTAINER=IMAGE is required");
  v1::DaemonSet updated = existing;
  v1::PodSpec& spec = *updated.mutable_spec()->mutable_template_()->mutable_spec();
  for (const auto& [container, image] : images) {
    if (image.empty()) throw ApiError::BadRequest("images[" + container + "]: Required value");
    if (!SetContainerImage(spec, container, image)) {
      throw ApiError::Precondition("unable to find container named \"" + container + "\"");
    }
  }
  return Update(caller, std::move(updated), existing, "image updated", false);
}

std::vector<v1::DaemonSetRevision> DaemonSetApi::Revisions(const v1::DaemonSet& daemon_set) const {
  ListOptions options;
  options.namespace_ = daemon_set.metadata().namespace_();
  return RevisionsOwnedBy(daemon_set, registries_.controller_revisions.List(options).items);
}

RolloutProgress DaemonSetApi::RolloutStatus(const Caller& caller, const std::string& namespace_,
                                            const std::string& name, int64_t* observed_generation) {
  const v1::DaemonSet daemon_set = Get(caller, namespace_, name);
  // The numbers are the controller's, as kubectl reads them: a rollout just
  // started shows as "waiting for the spec update to be observed" until the
  // controller's status names the new generation. Why it cannot finish is
  // read fresh from what the agents report.
  const std::string newest_hash = PodTemplateHash(daemon_set.spec().template_());
  const std::vector<NodeDaemonSetState> states = FleetSnapshot(registries_).StatesOf(daemon_set);
  *observed_generation = daemon_set.status().observed_generation();
  return DescribeRollout(daemon_set, newest_hash, states);
}

std::vector<v1::DaemonSetRevision> DaemonSetApi::RolloutHistory(const Caller& caller,
                                                                const std::string& namespace_,
                                                                const std::string& name,
                                                                int64_t revision) {
  std::vector<v1::DaemonSetRevision> revisions = Revisions(Get(caller, namespace_, name));
  if (revision == 0) return revisions;
  const v1::DaemonSetRevision* found = FindRevision(revisions, revision);
  if (found == nullptr) throw ApiError::Precondition("unable to find the specified revision");
  return {*found};
}

ApplyResult DaemonSetApi::RolloutUndo(const Caller& caller, const std::string& namespace_,
                                      const std::string& name, int64_t to_revision, bool dry_run) {
  if (to_revision < 0) throw ApiError::BadRequest("toRevision: must be non-negative");
  v1::DaemonSet existing = Get(caller, namespace_, name);
  const std::vector<v1::DaemonSetRevision> revisions = Revisions(existing);
  const std::string current_hash = PodTemplateHash(existing.spec().template_());
  const v1::DaemonSetRevision* target = nullptr;
  if (to_revision == 0) {
    // The newest revision that is not the current template.
    for (auto it = revisions.rbegin(); it != revisions.rend() && target == nullptr; ++it) {
      if (it->hash() != current_hash) target = &*it;
    }
    if (target == nullptr) {
      throw ApiError::Precondition("no rollout history found for daemonset \"" + name + "\"");
    }
  } else {
    target = FindRevision(revisions, to_revision);
    if (target == nullptr) {
      throw ApiError::Precondition("unable to find specified revision " +
                                   std::to_string(to_revision) + " in history");
    }
  }
  if (target->hash() == current_hash) {
    return {existing, "skipped rollback (current template already matches revision " +
                          std::to_string(target->revision()) + ")"};
  }
  v1::DaemonSet updated = existing;
  *updated.mutable_spec()->mutable_template_() = target->template_();
  return Update(caller, std::move(updated), existing, "rolled back", dry_run);
}

std::vector<Placement> DaemonSetApi::Explain(const Caller& caller, const std::string& namespace_,
                                             const std::string& name,
                                             const std::string& node_name) {
  const v1::DaemonSet daemon_set = Get(caller, namespace_, name);
  const FleetSnapshot snapshot(registries_);
  if (!node_name.empty() && !snapshot.HasNode(node_name)) {
    throw ApiError::NotFound("nodes", node_name);
  }
  std::vector<Placement> placements;
  for (const NodeDaemonSetState& state : snapshot.StatesOf(daemon_set, node_name)) {
    Placement& placement = placements.emplace_back();
    placement.node_name = state.node_name;
    v1::Eligibility& eligibility = placement.eligibility;
    eligibility.set_daemon_set(OwnerKeyOf(daemon_set));
    eligibility.set_should_run(state.eligible);
    eligibility.set_should_continue_running(state.should_continue_running);
    eligibility.set_reason(state.node_ready ? state.reason
                                            : "node is not ready (its agent is out of contact); " +
                                                  state.reason);
    if (!state.pods.empty()) placement.pod_name = state.pods.back().name;
  }
  return placements;
}

}  // namespace fleetset::coordinator
