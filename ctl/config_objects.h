// ConfigMaps, Secrets, PriorityClasses and Namespaces on the client side:
// the coordinator serves them through its generic object calls, which carry
// a v1::Object; the verbs work with the typed message inside it.
#pragma once

#include <google/protobuf/message.h>

#include <concepts>

#include "fleetset/v1/config.pb.h"
#include "fleetset/v1/object.pb.h"
#include "resources.h"

namespace fleetset::ctl {

template <typename T>
concept ConfigObject = std::same_as<T, v1::ConfigMap> || std::same_as<T, v1::Secret> ||
    std::same_as<T, v1::PriorityClass> || std::same_as<T, v1::Namespace>;

// The resource type of such a message (a ConfigMap is configmaps).
template <ConfigObject T>
const ResourceType& TypeOf() {
  return *FindResourceTypeOfKind(T::descriptor()->name());
}

// The message the object holds, whatever its kind; nullptr when none.
const google::protobuf::Message* MemberOf(const v1::Object& object);

// The object's T; nullptr when it holds another kind.
template <ConfigObject T>
const T* MemberOf(const v1::Object& object) {
  const google::protobuf::Message* member = MemberOf(object);
  return member != nullptr && member->GetDescriptor() == T::descriptor()
             ? static_cast<const T*>(member)
             : nullptr;
}

}  // namespace fleetset::ctl
