#include "fleetset/identity.h"

#include <algorithm>

#include "fleetset/names.h"

namespace fleetset {

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kAdmin:
      return kRoleAdmin;
    case Role::kEdit:
      return kRoleEdit;
    case Role::kView:
      return kRoleView;
  }
  return {};
}

std::optional<Role> ParseRole(std::string_view name) {
  for (Role role : {Role::kAdmin, Role::kEdit, Role::kView}) {
    if (name == RoleName(role)) return role;
  }
  return std::nullopt;
}

std::optional<FieldError> CheckRole(std::string path, std::string_view role) {
  if (ParseRole(role)) return std::nullopt;
  if (role.empty()) return FieldError{std::move(path), "Required value: admin, edit or view"};
  return FieldError{std::move(path), "Unsupported value: \"" + std::string(role) +
                                         "\": supported values: \"admin\", \"edit\", \"view\""};
}

std::string NodeCommonName(std::string_view node_name) {
  return kNodeCommonNamePrefix + std::string(node_name);
}

IdentityOrError IdentityFromSubject(const std::string& common_name,
                                    const std::vector<std::string>& organizations) {
  const std::string subject = "certificate subject CN=" + common_name;
  if (common_name.empty()) return {std::nullopt, "certificate subject has no CN"};
  const bool in_node_group =
      std::find(organizations.begin(), organizations.end(), kNodeGroup) != organizations.end();
  if (common_name.starts_with(kNodeCommonNamePrefix)) {
    const std::string node = common_name.substr(std::string_view(kNodeCommonNamePrefix).size());
    if (!in_node_group) return {std::nullopt, subject + " is not in O=" + kNodeGroup};
    if (!CheckDns1123Subdomain(node).empty()) {
      return {std::nullopt, subject + " does not name a valid node"};
    }
    return {CertificateIdentity{CertificateIdentity::Kind::kNode, node, Role::kView}, {}};
  }
  if (in_node_group) return {std::nullopt, subject + " is in O=system:nodes but is not a node"};
  std::optional<Role> highest;
  for (const std::string& organization : organizations) {
    if (std::optional<Role> role = ParseRole(organization)) {
      if (!highest || *role > *highest) highest = role;
    }
  }
  if (!highest) return {std::nullopt, subject + " has no role (O=admin, edit or view)"};
  return {CertificateIdentity{CertificateIdentity::Kind::kUser, common_name, *highest}, {}};
}

}  // namespace fleetset
