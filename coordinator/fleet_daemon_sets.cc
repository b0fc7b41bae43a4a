// DaemonSets: apply/create with the server's own validation, revisions,
// set image, rollout history and undo, delete.
#include <google/protobuf/util/message_differencer.h>

#include "coordinator/api_errors.h"
#include "coordinator/daemon_set_status.h"
#include "coordinator/fleet.h"
#include "coordinator/revision_history.h"
#include "coordinator/timestamps.h"
#include "fleetset/manifest.h"
#include "fleetset/uid.h"

namespace fleetset::coordinator {

namespace {

using google::protobuf::util::MessageDifferencer;

constexpr char kResource[] = "daemonsets.apps";
constexpr char kKind[] = "DaemonSet";
constexpr char kChangeCauseAnnotation[] = "kubernetes.io/change-cause";
constexpr int32_t kDefaultRevisionHistoryLimit = 10;

// kind and apiVersion may be omitted in a request; anything else but a
// DaemonSet of apps/v1 is refused.
FieldErrors CheckTypeMeta(v1::DaemonSet& daemon_set) {
  FieldErrors errors;
  if (daemon_set.kind().empty()) daemon_set.set_kind("DaemonSet");
  if (daemon_set.api_version().empty()) daemon_set.set_api_version("apps/v1");
  if (daemon_set.kind() != "DaemonSet") {
    errors.push_back({"kind", "Unsupported value: \"" + daemon_set.kind() +
                                  "\": supported values: \"DaemonSet\""});
  }
  if (daemon_set.api_version() != "apps/v1") {
    errors.push_back({"apiVersion", "Unsupported value: \"" + daemon_set.api_version() +
                                        "\": supported values: \"apps/v1\""});
  }
  return errors;
}

std::string ChangeCause(const v1::ObjectMeta& meta) {
  auto it = meta.annotations().find(kChangeCauseAnnotation);
  return it == meta.annotations().end() ? std::string() : it->second;
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

v1::DaemonSet Fleet::WithStatus(const DaemonSetRecord& record) const {
  v1::DaemonSet daemon_set = record.object;
  *daemon_set.mutable_status() = record.status;
  return daemon_set;
}

grpc::Status Fleet::StoreDaemonSet(v1::DaemonSet daemon_set, bool create_only, bool dry_run,
                                   const std::string& changed_result,
                                   v1::ApplyDaemonSetResponse* response) {
  FieldErrors errors = CheckTypeMeta(daemon_set);
  ApplyDaemonSetDefaults(&daemon_set);
  FieldErrors validation = ValidateDaemonSet(daemon_set);
  errors.insert(errors.end(), validation.begin(), validation.end());
  const std::string name = daemon_set.metadata().name();
  if (!errors.empty()) return Invalid(kKind, name, errors);

  const DaemonSetKey key{daemon_set.metadata().namespace_(), name};
  DaemonSetRecord* existing = FindDaemonSet(key);
  if (existing != nullptr && create_only) return AlreadyExists(kResource, name);

  v1::DaemonSet stored;
  stored.set_api_version("apps/v1");
  stored.set_kind("DaemonSet");
  *stored.mutable_spec() = daemon_set.spec();
  v1::ObjectMeta& meta = *stored.mutable_metadata();
  meta.set_name(name);
  meta.set_namespace_(key.namespace_);
  *meta.mutable_labels() = daemon_set.metadata().labels();
  *meta.mutable_annotations() = daemon_set.metadata().annotations();

  std::string result = "created";
  std::vector<v1::DaemonSetRevision> revisions;
  std::string previous_hash;
  if (existing != nullptr) {
    const v1::DaemonSet& old = existing->object;
    if (!MessageDifferencer::Equals(old.spec().selector(), stored.spec().selector())) {
      return Invalid(kKind, name, {{"spec.selector", "Invalid value: field is immutable"}});
    }
    meta.set_uid(old.metadata().uid());
    *meta.mutable_creation_timestamp() = old.metadata().creation_timestamp();
    meta.set_generation(old.metadata().generation());
    if (!MessageDifferencer::Equals(old.spec(), stored.spec())) {
      meta.set_generation(old.metadata().generation() + 1);
      result = changed_result;
    } else if (!MessageDifferencer::Equals(old.metadata(), meta)) {
      result = "configured";
    } else {
      result = "unchanged";
    }
    revisions = existing->revisions;
    previous_hash = existing->newest_hash;
  } else {
    meta.set_uid(GenerateUid());
    *meta.mutable_creation_timestamp() = ToTimestamp(WallNow());
    meta.set_generation(1);
  }

  const std::string newest_hash = RecordTemplate(revisions, stored.spec().template_(),
                                                 ChangeCause(meta), ToTimestamp(WallNow()));
  std::set<std::string> in_use;
  for (const auto& [node_name, node] : nodes_) {
    auto it = node.stored.assignments().find(key.ToString());
    if (it != node.stored.assignments().end()) in_use.insert(it->second.revision_hash());
  }
  const int32_t history_limit = stored.spec().has_revision_history_limit()
                                    ? stored.spec().revision_history_limit()
                                    : kDefaultRevisionHistoryLimit;
  const std::vector<int64_t> dropped = PruneRevisions(revisions, history_limit, in_use);

  response->set_result(result);
  if (dry_run || result == "unchanged") {
    *response->mutable_daemon_set() = stored;
    if (existing != nullptr) *response->mutable_daemon_set()->mutable_status() = existing->status;
    return grpc::Status::OK;
  }

  StoreChange change;
  change.put_daemon_sets.push_back(stored);
  for (const v1::DaemonSetRevision& revision : revisions) {
    v1::StoredRevision& record = change.put_revisions.emplace_back();
    record.set_namespace_(key.namespace_);
    record.set_daemon_set(name);
    *record.mutable_revision() = revision;
  }
  for (int64_t number : dropped) change.delete_revisions.emplace_back(key, number);
  if (grpc::Status status = CommitLocked(change); !status.ok()) return status;

  DaemonSetRecord& record = daemon_sets_[key];
  record.object = std::move(stored);
  record.revisions = std::move(revisions);
  record.newest_hash = newest_hash;
  record.status.set_observed_generation(record.object.metadata().generation());
  if (!previous_hash.empty() && previous_hash != newest_hash) {
    const v1::DaemonSetRevision* revision = FindRevisionByHash(record.revisions, newest_hash);
    RecordEvent(MakeEvent(
        "daemonset/" + key.ToString(), "Normal", "RollingUpdate",
        "Rolling out revision " + std::to_string(revision->revision()) + " (" + newest_hash + ")"));
  }
  MarkAllNodesDirty();
  Wake();
  PublishDaemonSet(existing != nullptr ? "MODIFIED" : "ADDED", record);
  *response->mutable_daemon_set() = WithStatus(record);
  return grpc::Status::OK;
}

grpc::Status Fleet::ApplyDaemonSet(const v1::ApplyDaemonSetRequest& request,
                                   v1::ApplyDaemonSetResponse* response) {
  std::lock_guard lock(mu_);
  return StoreDaemonSet(request.daemon_set(), request.create_only(), request.dry_run(),
                        "configured", response);
}

grpc::Status Fleet::GetDaemonSet(const v1::ObjectKey& key, v1::DaemonSet* daemon_set) {
  std::lock_guard lock(mu_);
  DaemonSetRecord* record = FindDaemonSet(DaemonSetKey::From(key));
  if (record == nullptr) return NotFound(kResource, key.name());
  *daemon_set = WithStatus(*record);
  return grpc::Status::OK;
}

grpc::Status Fleet::ListDaemonSets(const v1::ListDaemonSetsRequest& request,
                                   v1::ListDaemonSetsResponse* response) {
  std::string error;
  std::optional<StringSelector> selector = StringSelector::Parse(request.label_selector(), &error);
  if (!selector) return BadRequest("labelSelector: " + error);
  const std::string namespace_ = NamespaceOrDefault(request.namespace_());
  std::lock_guard lock(mu_);
  for (const auto& [key, record] : daemon_sets_) {
    if (!request.all_namespaces() && key.namespace_ != namespace_) continue;
    if (!selector->Matches(ToLabels(record.object.metadata().labels()))) continue;
    *response->add_items() = WithStatus(record);
  }
  return grpc::Status::OK;
}

grpc::Status Fleet::DeleteDaemonSet(const v1::ObjectKey& request_key,
                                    v1::DeleteResponse* response) {
  std::lock_guard lock(mu_);
  const DaemonSetKey key = DaemonSetKey::From(request_key);
  DaemonSetRecord* record = FindDaemonSet(key);
  if (record == nullptr) return NotFound(kResource, key.name);

  StoreChange change;
  change.delete_daemon_sets.push_back(key);
  std::vector<NodeRecord*> assigned;
  for (auto& [name, node] : nodes_) {
    if (node.stored.assignments().count(key.ToString()) == 0) continue;
    assigned.push_back(&node);
    v1::StoredNode& updated = change.put_nodes.emplace_back(node.stored);
    updated.mutable_assignments()->erase(key.ToString());
  }
  if (grpc::Status status = CommitLocked(change); !status.ok()) return status;
  for (NodeRecord* node : assigned) node->stored.mutable_assignments()->erase(key.ToString());
  PublishDaemonSet("DELETED", *record);
  daemon_sets_.erase(key);
  MarkAllNodesDirty();
  Wake();
  response->set_result("deleted");
  return grpc::Status::OK;
}

grpc::Status Fleet::SetImage(const v1::SetImageRequest& request,
                             v1::ApplyDaemonSetResponse* response) {
  std::lock_guard lock(mu_);
  const DaemonSetKey key = DaemonSetKey::From(request.key());
  DaemonSetRecord* record = FindDaemonSet(key);
  if (record == nullptr) return NotFound(kResource, key.name);
  if (request.images().empty())
    return BadRequest("images: at least one CONTAINER=IMAGE is required");
  v1::DaemonSet updated = record->object;
  v1::PodSpec& spec = *updated.mutable_spec()->mutable_template_()->mutable_spec();
  for (const auto& [container, image] : request.images()) {
    if (image.empty()) return BadRequest("images[" + container + "]: Required value");
    if (!SetContainerImage(spec, container, image)) {
      return Conflict("unable to find container named \"" + container + "\"");
    }
  }
  return StoreDaemonSet(std::move(updated), false, false, "image updated", response);
}

grpc::Status Fleet::RolloutStatus(const v1::ObjectKey& request_key,
                                  v1::RolloutStatusResponse* response) {
  std::lock_guard lock(mu_);
  const DaemonSetKey key = DaemonSetKey::From(request_key);
  DaemonSetRecord* record = FindDaemonSet(key);
  if (record == nullptr) return NotFound(kResource, key.name);
  // Fresh numbers: a rollout just started must not look finished because
  // the loop has not run since.
  const std::vector<NodeDaemonSetState> states = StatesOf(*record);
  v1::DaemonSet daemon_set = record->object;
  *daemon_set.mutable_status() =
      ComputeDaemonSetStatus(daemon_set, record->newest_hash, WallNow(), states);
  RolloutProgress progress = DescribeRollout(daemon_set, record->newest_hash, states);
  response->set_done(progress.done);
  response->set_message(progress.message);
  response->set_failure(progress.failure);
  response->set_observed_generation(daemon_set.status().observed_generation());
  return grpc::Status::OK;
}

grpc::Status Fleet::RolloutHistory(const v1::RolloutHistoryRequest& request,
                                   v1::RolloutHistoryResponse* response) {
  std::lock_guard lock(mu_);
  const DaemonSetKey key = DaemonSetKey::From(request.key());
  DaemonSetRecord* record = FindDaemonSet(key);
  if (record == nullptr) return NotFound(kResource, key.name);
  if (request.revision() != 0) {
    const v1::DaemonSetRevision* revision = FindRevision(record->revisions, request.revision());
    if (revision == nullptr) {
      return Conflict("unable to find the specified revision");
    }
    *response->add_revisions() = *revision;
    return grpc::Status::OK;
  }
  for (const auto& revision : record->revisions) *response->add_revisions() = revision;
  return grpc::Status::OK;
}

grpc::Status Fleet::RolloutUndo(const v1::RolloutUndoRequest& request,
                                v1::ApplyDaemonSetResponse* response) {
  std::lock_guard lock(mu_);
  const DaemonSetKey key = DaemonSetKey::From(request.key());
  DaemonSetRecord* record = FindDaemonSet(key);
  if (record == nullptr) return NotFound(kResource, key.name);
  const v1::DaemonSetRevision* target = nullptr;
  if (request.to_revision() < 0) return BadRequest("toRevision: must be non-negative");
  if (request.to_revision() == 0) {
    if (record->revisions.size() < 2) {
      return {grpc::StatusCode::FAILED_PRECONDITION,
              "no rollout history found for daemonset \"" + key.name + "\""};
    }
    target = &record->revisions[record->revisions.size() - 2];
  } else {
    target = FindRevision(record->revisions, request.to_revision());
    if (target == nullptr) {
      return Conflict("unable to find specified revision " + std::to_string(request.to_revision()) +
                      " in history");
    }
  }
  if (target->hash() == record->newest_hash) {
    response->set_result("skipped rollback (current template already matches revision " +
                         std::to_string(target->revision()) + ")");
    *response->mutable_daemon_set() = WithStatus(*record);
    return grpc::Status::OK;
  }
  v1::DaemonSet updated = record->object;
  *updated.mutable_spec()->mutable_template_() = target->template_();
  return StoreDaemonSet(std::move(updated), false, request.dry_run(), "rolled back", response);
}

}  // namespace fleetset::coordinator
