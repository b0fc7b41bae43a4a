#include "coordinator/auth/authorizer.h"

#include <algorithm>
#include <array>
#include <string_view>

#include "coordinator/registry/api_error.h"

namespace fleetset::coordinator {

namespace {

constexpr std::array<std::string_view, 3> kReadVerbs = {"get", "list", "watch"};
// Credentials: what view (and edit) may not even read, as Kubernetes'
// view role may not read Secrets.
constexpr std::array<std::string_view, 3> kCredentialResources = {"bootstraptokens", "users",
                                                                  "certificates"};

template <size_t N>
bool In(const std::array<std::string_view, N>& list, std::string_view value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

bool EditMay(const Action& action) {
  if (action.resource == "configmaps" || action.resource == "secrets") {
    return action.verb == "apply" || action.verb == "delete" || In(kReadVerbs, action.verb);
  }
  if (action.resource == "daemonsets") {
    return action.verb == "apply" || action.verb == "delete" || action.verb == "update" ||
           action.verb == "rollback";
  }
  if (action.resource == "nodes") {
    return action.verb == "label" || action.verb == "taint" || action.verb == "cordon";
  }
  if (action.resource == "pods") return action.verb == "delete";
  return false;
}

bool Allowed(Role role, const Action& action) {
  if (role == Role::kAdmin) return true;
  // Secrets: edit reads them too (it must, to apply them), view does not.
  if (In(kReadVerbs, action.verb) && !In(kCredentialResources, action.resource) &&
      action.resource != "secrets") {
    return true;
  }
  return role == Role::kEdit && EditMay(action);
}

}  // namespace

bool Action::Mutating() const { return !In(kReadVerbs, verb); }

std::string Action::Object() const {
  std::string object = resource;
  if (!namespace_.empty()) object += "/" + namespace_;
  if (!name.empty()) object += "/" + name;
  return object;
}

void Authorize(const Caller& caller, const Action& action) {
  std::string what = action.verb + " " + action.resource;
  if (!action.namespace_.empty()) what += " in namespace \"" + action.namespace_ + "\"";
  switch (caller.kind) {
    case Caller::Kind::kSystem:
      return;
    case Caller::Kind::kAnonymous:
      throw ApiError::Unauthorized("no client certificate: cannot " + what);
    case Caller::Kind::kNode:
      throw ApiError::Forbidden(caller.Describe() + " cannot " + what +
                                ": node certificates may only use the agent service");
    case Caller::Kind::kUser:
      if (Allowed(caller.role, action)) return;
      throw ApiError::Forbidden(caller.Describe() + " cannot " + what);
  }
}

}  // namespace fleetset::coordinator
