#include "coordinator/api/config_object_api.h"

#include <google/protobuf/util/message_differencer.h>

#include <array>
#include <set>
#include <type_traits>

#include "coordinator/api/requested_metadata.h"
#include "fleetset/config_objects.h"
#include "fleetset/manifest.h"
#include "fleetset/object_kinds.h"

namespace fleetset::coordinator {

namespace {

using google::protobuf::util::MessageDifferencer;

void Wrap(v1::Object& object, v1::ConfigMap value) {
  *object.mutable_config_map() = std::move(value);
}
void Wrap(v1::Object& object, v1::Secret value) { *object.mutable_secret() = std::move(value); }
void Wrap(v1::Object& object, v1::PriorityClass value) {
  *object.mutable_priority_class() = std::move(value);
}
void Wrap(v1::Object& object, v1::Namespace value) {
  *object.mutable_namespace_() = std::move(value);
}

template <typename T>
v1::Object Wrapped(T value) {
  v1::Object object;
  Wrap(object, std::move(value));
  return object;
}

// What a request may set: the object with the user's metadata only.
template <typename T>
T Requested(T object) {
  *object.mutable_metadata() = RequestedMetadata(object.metadata());
  return object;
}

// Whether applying `requested` over `existing` would change anything.
template <typename T>
bool SameContent(T requested, T existing) {
  for (T* object : {&requested, &existing}) {
    *object = Requested(std::move(*object));
    object->mutable_metadata()->clear_resource_version();
    // Set by the coordinator, whatever the request said.
    object->clear_api_version();
    object->clear_kind();
    if constexpr (std::is_same_v<T, v1::Namespace>) object->clear_status();
  }
  return MessageDifferencer::Equals(requested, existing);
}

template <typename T>
ObjectApplyResult ApplyTo(Registry<T>& registry, const Caller& caller, T requested,
                          bool create_only, bool dry_run) {
  requested = Requested(std::move(requested));
  const std::string namespace_ = requested.metadata().namespace_();
  const std::string name = requested.metadata().name();
  std::optional<T> existing = registry.Find(namespace_, name);
  if (!existing) {
    if (!requested.metadata().resource_version().empty()) {
      throw ApiError::NotFound(registry.info().QualifiedResource(), name);
    }
    return {Wrapped(registry.Create(caller, std::move(requested), {dry_run})), "created"};
  }
  if (create_only) throw ApiError::AlreadyExists(registry.info().QualifiedResource(), name);
  const bool same = SameContent(requested, *existing);
  T stored = registry.Update(caller, std::move(requested), {dry_run});
  return {Wrapped(std::move(stored)), same ? "unchanged" : "configured"};
}

template <typename T>
ObjectList<v1::Object> ListOf(const Registry<T>& registry, ListOptions options) {
  if (!registry.info().namespaced) options.namespace_.clear();
  ObjectList<T> listed = registry.List(options);
  ObjectList<v1::Object> list;
  list.resource_version = std::move(listed.resource_version);
  for (T& item : listed.items) list.items.push_back(Wrapped(std::move(item)));
  return list;
}

v1::PriorityClass BuiltInPriorityClass(const std::string& name, int32_t value,
                                       const std::string& description) {
  v1::PriorityClass priority_class;
  priority_class.set_api_version(kPriorityClassApiVersion);
  priority_class.set_kind(kPriorityClassKind);
  priority_class.mutable_metadata()->set_name(name);
  priority_class.set_value(value);
  priority_class.set_description(description);
  return priority_class;
}

bool IsBuiltInPriorityClass(const std::string& name) {
  return name == kSystemNodeCritical || name == kSystemClusterCritical;
}

template <typename T>
void CreateUnlessThere(Registry<T>& registry, const Caller& caller, T object, bool dry_run) {
  if (registry.Find(object.metadata().namespace_(), object.metadata().name())) return;
  try {
    registry.Create(caller, std::move(object), {dry_run});
  } catch (const ApiError& error) {
    // Made meanwhile by another request: what was wanted.
    if (error.reason() != ApiError::Reason::kAlreadyExists) throw;
  }
}

// Kubernetes' Priority admission: one class at most is the default.
void CheckSingleGlobalDefault(const Registry<v1::PriorityClass>& registry,
                              const v1::PriorityClass& priority_class) {
  if (!priority_class.global_default()) return;
  for (const v1::PriorityClass& other : registry.List().items) {
    if (other.global_default() && other.metadata().name() != priority_class.metadata().name()) {
      throw ApiError::Forbidden("priorityclasses.scheduling.k8s.io \"" +
                                priority_class.metadata().name() +
                                "\" is forbidden: PriorityClass " + other.metadata().name() +
                                " is already marked as default. Only one default can exist");
    }
  }
}

// What a deleted namespace held goes with it (Kubernetes' namespace
// controller does the same, in the background).
template <typename T>
void DeleteAllIn(Registry<T>& registry, const Caller& caller, const std::string& namespace_) {
  ListOptions within;
  within.namespace_ = namespace_;
  for (const T& item : registry.List(within).items) {
    registry.Delete(caller, namespace_, item.metadata().name());
  }
}

constexpr std::array<const char*, 4> kResources = {"configmaps", "secrets", "priorityclasses",
                                                   "namespaces"};

}  // namespace

bool ConfigObjectApi::Serves(const std::string& resource) {
  for (const char* served : kResources) {
    if (resource == served) return true;
  }
  return false;
}

void EnsureNamespaceExists(Registries& registries, const Caller& caller, const std::string& name,
                           bool dry_run) {
  v1::Namespace namespace_object;
  namespace_object.set_api_version(kCoreApiVersion);
  namespace_object.set_kind(kNamespaceKind);
  namespace_object.mutable_metadata()->set_name(name);
  CreateUnlessThere(registries.namespaces, caller, std::move(namespace_object), dry_run);
}

void ConfigObjectApi::EnsureBuiltIns(const Caller& caller) {
  for (const char* name : {"default", "kube-system", "kube-public", "kube-node-lease"}) {
    EnsureNamespace(caller, name, false);
  }
  std::set<std::string> used;
  for (const v1::DaemonSet& daemon_set : registries_.daemon_sets.List().items) {
    used.insert(daemon_set.metadata().namespace_());
  }
  for (const std::string& name : used) EnsureNamespace(caller, name, false);
  CreateUnlessThere(registries_.priority_classes, caller,
                    BuiltInPriorityClass(kSystemNodeCritical, kSystemNodeCriticalValue,
                                         "Used for system critical pods that must not be moved "
                                         "from their current node."),
                    false);
  CreateUnlessThere(registries_.priority_classes, caller,
                    BuiltInPriorityClass(kSystemClusterCritical, kSystemClusterCriticalValue,
                                         "Used for system critical pods that must run in the "
                                         "cluster, but can be moved to another node if "
                                         "necessary."),
                    false);
}

ObjectApplyResult ConfigObjectApi::Apply(const Caller& caller, v1::Object object, bool create_only,
                                         bool dry_run) {
  if (object.kind_case() == v1::Object::kDaemonSet ||
      object.kind_case() == v1::Object::KIND_NOT_SET) {
    throw ApiError::BadRequest(
        "ApplyObject takes a ConfigMap, Secret, PriorityClass or "
        "Namespace; DaemonSets are applied with ApplyDaemonSet");
  }
  ApplyObjectDefaults(&object);
  const v1::ObjectMeta& meta = *MetadataOf(object);
  if (FieldErrors errors = ValidateObject(object); !errors.empty()) {
    throw ApiError::Invalid(std::string(KindName(object.kind_case())), meta.name(),
                            std::move(errors));
  }
  switch (object.kind_case()) {
    case v1::Object::kConfigMap:
      EnsureNamespace(caller, meta.namespace_(), dry_run);
      return ApplyTo(registries_.config_maps, caller, std::move(*object.mutable_config_map()),
                     create_only, dry_run);
    case v1::Object::kSecret:
      EnsureNamespace(caller, meta.namespace_(), dry_run);
      return ApplyTo(registries_.secrets, caller, std::move(*object.mutable_secret()), create_only,
                     dry_run);
    case v1::Object::kPriorityClass:
      if (IsBuiltInPriorityClass(meta.name())) {
        throw ApiError::Forbidden("priorityclasses.scheduling.k8s.io \"" + meta.name() +
                                  "\" is forbidden: the built-in priority classes cannot be "
                                  "changed");
      }
      CheckSingleGlobalDefault(registries_.priority_classes, object.priority_class());
      return ApplyTo(registries_.priority_classes, caller,
                     std::move(*object.mutable_priority_class()), create_only, dry_run);
    default:
      return ApplyTo(registries_.namespaces, caller, std::move(*object.mutable_namespace_()),
                     create_only, dry_run);
  }
}

v1::Object ConfigObjectApi::Get(const Caller&, const std::string& resource,
                                const std::string& namespace_, const std::string& name) {
  const std::string in = NamespaceOrDefault(namespace_);
  if (resource == "configmaps") return Wrapped(registries_.config_maps.Get(in, name));
  if (resource == "secrets") return Wrapped(registries_.secrets.Get(in, name));
  if (resource == "priorityclasses") return Wrapped(registries_.priority_classes.Get("", name));
  if (resource == "namespaces") return Wrapped(registries_.namespaces.Get("", name));
  throw ApiError::NotFound(resource, name);
}

ObjectList<v1::Object> ConfigObjectApi::List(const Caller&, const std::string& resource,
                                             const ListOptions& options) {
  if (resource == "configmaps") return ListOf(registries_.config_maps, options);
  if (resource == "secrets") return ListOf(registries_.secrets, options);
  if (resource == "priorityclasses") return ListOf(registries_.priority_classes, options);
  if (resource == "namespaces") return ListOf(registries_.namespaces, options);
  throw ApiError::BadRequest("the server doesn't have a resource type \"" + resource + "\"");
}

void ConfigObjectApi::Delete(const Caller& caller, const std::string& resource,
                             const std::string& namespace_, const std::string& name) {
  const std::string in = NamespaceOrDefault(namespace_);
  if (resource == "configmaps") {
    registries_.config_maps.Delete(caller, in, name);
  } else if (resource == "secrets") {
    registries_.secrets.Delete(caller, in, name);
  } else if (resource == "priorityclasses") {
    if (IsBuiltInPriorityClass(name)) {
      throw ApiError::Forbidden("priorityclasses.scheduling.k8s.io \"" + name +
                                "\" is forbidden: the built-in priority classes cannot be "
                                "deleted");
    }
    registries_.priority_classes.Delete(caller, "", name);
  } else if (resource == "namespaces") {
    if (IsBuiltInNamespace(name)) {
      throw ApiError::Forbidden("namespaces \"" + name +
                                "\" is forbidden: this namespace may not be deleted");
    }
    registries_.namespaces.Get("", name);  // NotFound before anything goes
    DeleteAllIn(registries_.daemon_sets, caller, name);
    DeleteAllIn(registries_.config_maps, caller, name);
    DeleteAllIn(registries_.secrets, caller, name);
    registries_.namespaces.Delete(caller, "", name);
  } else {
    throw ApiError::NotFound(resource, name);
  }
}

}  // namespace fleetset::coordinator
