#include "coordinator/registry/object_selection.h"

#include <charconv>

#include "coordinator/registry/api_error.h"
#include "coordinator/registry/storage_keys.h"
#include "fleetset/uid.h"

namespace fleetset::coordinator {

ObjectSelection::ObjectSelection(const ResourceInfo& info, const ListOptions& options)
    : info_(info),
      prefix_(ResourcePrefix(info.resource, info.namespaced ? options.namespace_ : "")) {
  std::string error;
  std::optional<StringSelector> labels = StringSelector::Parse(options.label_selector, &error);
  if (!labels) throw ApiError::BadRequest("labelSelector: " + error);
  labels_ = std::move(*labels);
  std::optional<FieldSelector> fields = FieldSelector::Parse(options.field_selector, &error);
  if (!fields) throw ApiError::BadRequest("fieldSelector: " + error);
  fields_ = std::move(*fields);
}

bool ObjectSelection::Matches(const v1::ObjectMeta& meta, Fields fields) const {
  if (!labels_.Matches(ToLabels(meta.labels()))) return false;
  if (fields_.Empty()) return true;
  fields["metadata.name"] = meta.name();
  if (info_.namespaced) fields["metadata.namespace"] = meta.namespace_();
  if (std::string unsupported = fields_.UnsupportedField(fields); !unsupported.empty()) {
    throw ApiError::BadRequest("fieldSelector: field label not supported: " + unsupported);
  }
  return fields_.Matches(fields);
}

const char* WatchEventTypeName(WatchEventType type) {
  switch (type) {
    case WatchEventType::kAdded:
      return "ADDED";
    case WatchEventType::kModified:
      return "MODIFIED";
    case WatchEventType::kDeleted:
      break;
  }
  return "DELETED";
}

std::optional<storage::Revision> ParseResourceVersion(const std::string& text) {
  if (text.empty() || text == "0") return std::nullopt;
  storage::Revision revision = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), revision);
  if (error != std::errc() || end != text.data() + text.size() || revision < 0) {
    throw ApiError::BadRequest("resourceVersion: Invalid value: \"" + text +
                               "\": must be a non-negative integer");
  }
  return revision;
}

std::string StoredNamespace(const ResourceInfo& info, const std::string& namespace_) {
  if (!info.namespaced) return {};
  return NamespaceOrDefault(namespace_);
}

void PrepareNewMetadata(v1::ObjectMeta& meta, google::protobuf::Timestamp now) {
  meta.set_uid(GenerateUid());
  *meta.mutable_creation_timestamp() = now;
  meta.clear_resource_version();
  meta.clear_deletion_timestamp();
}

void CarryOverMetadata(const ResourceInfo& info, v1::ObjectMeta& meta, const v1::ObjectMeta& old) {
  if (!meta.uid().empty() && meta.uid() != old.uid()) {
    throw ApiError(ApiError::Reason::kConflict,
                   "Precondition failed: UID in precondition: " + meta.uid() +
                       ", UID in object meta: " + old.uid() + " (" + info.QualifiedResource() +
                       " \"" + old.name() + "\")");
  }
  meta.set_uid(old.uid());
  *meta.mutable_creation_timestamp() = old.creation_timestamp();
  meta.set_generation(old.generation());
  meta.clear_resource_version();
}

}  // namespace fleetset::coordinator
