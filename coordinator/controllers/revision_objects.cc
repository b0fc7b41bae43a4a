#include "coordinator/controllers/revision_objects.h"

#include <algorithm>

#include "fleetset/object_kinds.h"

namespace fleetset::coordinator {

namespace {

const v1::ControllerRevision& Deref(const v1::ControllerRevision& revision) { return revision; }
const v1::ControllerRevision& Deref(const std::shared_ptr<const v1::ControllerRevision>& revision) {
  return *revision;
}

}  // namespace

bool OwnedBy(const v1::ControllerRevision& revision, const v1::DaemonSet& daemon_set) {
  if (revision.metadata().namespace_() != daemon_set.metadata().namespace_()) return false;
  for (const v1::OwnerReference& owner : revision.metadata().owner_references()) {
    if (owner.kind() == kDaemonSetKind && owner.uid() == daemon_set.metadata().uid()) return true;
  }
  return false;
}

v1::DaemonSetRevision ToDaemonSetRevision(const v1::ControllerRevision& stored) {
  v1::DaemonSetRevision revision;
  revision.set_revision(stored.revision());
  auto hash = stored.metadata().labels().find(kRevisionHashLabel);
  if (hash != stored.metadata().labels().end()) revision.set_hash(hash->second);
  *revision.mutable_template_() = stored.data();
  *revision.mutable_creation_timestamp() = stored.metadata().creation_timestamp();
  revision.set_change_cause(ChangeCause(stored.metadata()));
  return revision;
}

v1::ControllerRevision ToControllerRevision(const v1::DaemonSet& daemon_set,
                                            const v1::DaemonSetRevision& revision) {
  v1::ControllerRevision stored;
  v1::ObjectMeta& meta = *stored.mutable_metadata();
  meta.set_name(daemon_set.metadata().name() + "-" + revision.hash());
  meta.set_namespace_(daemon_set.metadata().namespace_());
  (*meta.mutable_labels())[kRevisionHashLabel] = revision.hash();
  if (!revision.change_cause().empty()) {
    (*meta.mutable_annotations())[kChangeCauseAnnotation] = revision.change_cause();
  }
  v1::OwnerReference& owner = *meta.add_owner_references();
  owner.set_api_version(kDaemonSetApiVersion);
  owner.set_kind(kDaemonSetKind);
  owner.set_name(daemon_set.metadata().name());
  owner.set_uid(daemon_set.metadata().uid());
  owner.set_controller(true);
  *stored.mutable_data() = revision.template_();
  stored.set_revision(revision.revision());
  return stored;
}

template <typename Revisions>
std::vector<v1::DaemonSetRevision> RevisionsOwnedBy(const v1::DaemonSet& daemon_set,
                                                    const Revisions& revisions) {
  std::vector<v1::DaemonSetRevision> owned;
  for (const auto& item : revisions) {
    if (OwnedBy(Deref(item), daemon_set)) owned.push_back(ToDaemonSetRevision(Deref(item)));
  }
  std::sort(owned.begin(), owned.end(),
            [](const auto& a, const auto& b) { return a.revision() < b.revision(); });
  return owned;
}

template std::vector<v1::DaemonSetRevision> RevisionsOwnedBy(
    const v1::DaemonSet&, const std::vector<v1::ControllerRevision>&);
template std::vector<v1::DaemonSetRevision> RevisionsOwnedBy(
    const v1::DaemonSet&, const std::vector<std::shared_ptr<const v1::ControllerRevision>>&);

std::string ChangeCause(const v1::ObjectMeta& meta) {
  auto it = meta.annotations().find(kChangeCauseAnnotation);
  return it == meta.annotations().end() ? std::string() : it->second;
}

}  // namespace fleetset::coordinator
