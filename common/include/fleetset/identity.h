// Who a certificate says its holder is, as Kubernetes reads client
// certificates: the common name is the user, the organizations are the
// groups. Nodes are "system:node:<name>" in group "system:nodes" (the
// Node authorizer's convention); an operator's group is their role. The
// coordinator issues certificates this way and reads them back; the agent
// and fleetsetctl check what they were given.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fleetset/field_error.h"

namespace fleetset {

inline constexpr char kNodeGroup[] = "system:nodes";
inline constexpr char kNodeCommonNamePrefix[] = "system:node:";

// The roles, as Kubernetes' default cluster roles: admin may do anything
// (tokens and users included), edit may change DaemonSets, nodes' labels,
// taints and cordons, rollouts and pods, view may only read.
enum class Role { kView, kEdit, kAdmin };
inline constexpr char kRoleAdmin[] = "admin";
inline constexpr char kRoleEdit[] = "edit";
inline constexpr char kRoleView[] = "view";

std::string_view RoleName(Role role);
std::optional<Role> ParseRole(std::string_view name);
// "Unsupported value: "x": supported values: "admin", "edit", "view"" at
// `path`; nullopt for a role.
std::optional<FieldError> CheckRole(std::string path, std::string_view role);

// "system:node:<node_name>".
std::string NodeCommonName(std::string_view node_name);

// What a verified client certificate's subject means.
struct CertificateIdentity {
  enum class Kind { kNode, kUser };
  Kind kind = Kind::kUser;
  // The node's or the user's name.
  std::string name;
  Role role = Role::kView;
};

// A node: CN "system:node:<name>" with O "system:nodes". A user: any other
// CN with exactly one role among its organizations (the highest wins when
// there are several). Otherwise the reason, one line: "certificate
// subject CN=x has no role (O=admin, edit or view)".
struct IdentityOrError {
  std::optional<CertificateIdentity> identity;
  std::string error;
};
IdentityOrError IdentityFromSubject(const std::string& common_name,
                                    const std::vector<std::string>& organizations);

}  // namespace fleetset
