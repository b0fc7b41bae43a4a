// The parts of list and watch that do not depend on the kind: the parsed
// selectors, the resourceVersion as a store revision, and the keys.
#pragma once

#include <optional>
#include <string>

#include "coordinator/registry/field_selector.h"
#include "coordinator/registry/list_options.h"
#include "coordinator/registry/resource.h"
#include "coordinator/storage/storage.h"
#include "fleetset/labels.h"
#include "fleetset/v1/meta.pb.h"

namespace fleetset::coordinator {

// Label and field selectors of a list or watch, parsed once; BadRequest
// (naming the option) when either does not parse.
class ObjectSelection {
 public:
  ObjectSelection(const ResourceInfo& info, const ListOptions& options);

  // The store prefix to list or watch.
  const std::string& prefix() const { return prefix_; }
  // Whether an object with this metadata and these selectable fields is
  // selected; BadRequest when the field selector names a field the kind
  // does not have.
  bool Matches(const v1::ObjectMeta& meta, Fields fields) const;
  // Neither a label nor a field selector: every object under the prefix
  // is selected.
  bool SelectsAll() const { return labels_.Empty() && fields_.Empty(); }

 private:
  const ResourceInfo& info_;
  std::string prefix_;
  StringSelector labels_;
  FieldSelector fields_;
};

// An object's resourceVersion as the store revision it is (0 when empty).
inline storage::Revision ResourceRevision(const v1::ObjectMeta& meta) {
  return meta.resource_version().empty()
             ? 0
             : static_cast<storage::Revision>(std::stoll(meta.resource_version()));
}

// "17" -> 17; empty or "0" -> nullopt; anything else is BadRequest.
std::optional<storage::Revision> ParseResourceVersion(const std::string& text);

// A request's namespace: empty means "default", as in kubectl.
inline std::string NamespaceOrDefault(const std::string& namespace_) {
  return namespace_.empty() ? "default" : namespace_;
}

// The namespace an object is stored under: "default" when a namespaced
// kind's object names none; always empty for a cluster-scoped kind.
std::string StoredNamespace(const ResourceInfo& info, const std::string& namespace_);

// Sets what the server owns in a new object's metadata: uid, creation
// time; clears the resourceVersion and deletionTimestamp.
void PrepareNewMetadata(v1::ObjectMeta& meta, google::protobuf::Timestamp now);
// Carries over from the stored object what no update may change (uid,
// creation time, generation unless the strategy set it) and checks that
// the uid, when the update names one, is the stored object's.
void CarryOverMetadata(const ResourceInfo& info, v1::ObjectMeta& meta, const v1::ObjectMeta& old);

}  // namespace fleetset::coordinator
