#include "coordinator/storage/v1_records.h"

#include <cinttypes>
#include <cstdio>
#include <string_view>

#include "coordinator/registry/storage_keys.h"
#include "fleetset/object_kinds.h"

namespace fleetset::coordinator::storage::v1_records {
namespace {

// "daemonset/NS/NAME" -> {NS, NAME}; "node/NAME" -> {"default", NAME}, as
// Kubernetes records events about cluster-scoped objects in "default".
// Anything else (never written by version 1) is named after its last part.
std::pair<std::string, std::string> InvolvedNamespaceAndName(std::string_view involved) {
  constexpr std::string_view kDaemonSet = "daemonset/";
  if (involved.starts_with(kDaemonSet)) {
    const std::string_view rest = involved.substr(kDaemonSet.size());
    const size_t slash = rest.find('/');
    if (slash != std::string_view::npos) {
      return {std::string(rest.substr(0, slash)), std::string(rest.substr(slash + 1))};
    }
  }
  const size_t slash = involved.rfind('/');
  return {"default",
          std::string(slash == std::string_view::npos ? involved : involved.substr(slash + 1))};
}

std::string SixteenHexDigits(int64_t number) {
  char digits[17];
  std::snprintf(digits, sizeof digits, "%016" PRIx64, static_cast<uint64_t>(number));
  return digits;
}

}  // namespace

Keyed<v1::ControllerRevision> ControllerRevision(const v1::StoredRevision& stored,
                                                 const std::string& owner_uid) {
  const v1::DaemonSetRevision& revision = stored.revision();
  v1::ControllerRevision object;
  object.set_api_version(kDaemonSetApiVersion);
  object.set_kind("ControllerRevision");
  v1::ObjectMeta& meta = *object.mutable_metadata();
  meta.set_name(stored.daemon_set() + "-" + revision.hash());
  meta.set_namespace_(stored.namespace_());
  (*meta.mutable_labels())["controller-revision-hash"] = revision.hash();
  if (!revision.change_cause().empty()) {
    (*meta.mutable_annotations())["kubernetes.io/change-cause"] = revision.change_cause();
  }
  *meta.mutable_creation_timestamp() = revision.creation_timestamp();
  v1::OwnerReference& owner = *meta.add_owner_references();
  owner.set_api_version(kDaemonSetApiVersion);
  owner.set_kind(kDaemonSetKind);
  owner.set_name(stored.daemon_set());
  owner.set_uid(owner_uid);
  owner.set_controller(true);
  *object.mutable_data() = revision.template_();
  object.set_revision(revision.revision());
  return {ObjectStorageKey("controllerrevisions", meta.namespace_(), meta.name()),
          std::move(object)};
}

std::optional<Keyed<v1::NodeAssignments>> NodeAssignments(const v1::StoredNode& stored) {
  if (stored.assignments().empty()) return std::nullopt;
  v1::NodeAssignments object;
  object.set_api_version("fleetset.io/v1");
  object.set_kind("NodeAssignments");
  object.mutable_metadata()->set_name(stored.node().metadata().name());
  *object.mutable_assignments() = stored.assignments();
  return Keyed<v1::NodeAssignments>{
      ObjectStorageKey("nodeassignments", {}, object.metadata().name()), std::move(object)};
}

Keyed<v1::Event> Event(v1::Event event, int64_t row_id) {
  auto [namespace_, object] = InvolvedNamespaceAndName(event.involved_object());
  v1::ObjectMeta& meta = *event.mutable_metadata();
  meta.set_name(object + "." + SixteenHexDigits(row_id));
  meta.set_namespace_(namespace_);
  *meta.mutable_creation_timestamp() = event.time();
  return {ObjectStorageKey("events", meta.namespace_(), meta.name()), std::move(event)};
}

}  // namespace fleetset::coordinator::storage::v1_records
