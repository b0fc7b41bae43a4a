// What a certificate's subject makes of its holder, as coordinator, agent
// and fleetsetctl all read it.
#include "fleetset/identity.h"

#include <gtest/gtest.h>

namespace fleetset {
namespace {

TEST(IdentityTest, ANodeIsItsCommonNameInTheNodesGroup) {
  const IdentityOrError read = IdentityFromSubject(NodeCommonName("node-1"), {kNodeGroup});
  ASSERT_TRUE(read.identity) << read.error;
  EXPECT_EQ(read.identity->kind, CertificateIdentity::Kind::kNode);
  EXPECT_EQ(read.identity->name, "node-1");
}

TEST(IdentityTest, ANodeNameWithoutTheGroupOrTheGroupWithoutANodeNameIsRefused) {
  EXPECT_EQ(IdentityFromSubject("system:node:node-1", {"admin"}).error,
            "certificate subject CN=system:node:node-1 is not in O=system:nodes");
  EXPECT_EQ(IdentityFromSubject("alice", {kNodeGroup}).error,
            "certificate subject CN=alice is in O=system:nodes but is not a node");
  EXPECT_FALSE(IdentityFromSubject("system:node:Bad_Name", {kNodeGroup}).identity);
}

TEST(IdentityTest, AUserHasTheHighestRoleAmongItsOrganizations) {
  const IdentityOrError read = IdentityFromSubject("alice", {"team-a", "view", "edit"});
  ASSERT_TRUE(read.identity);
  EXPECT_EQ(read.identity->kind, CertificateIdentity::Kind::kUser);
  EXPECT_EQ(read.identity->name, "alice");
  EXPECT_EQ(read.identity->role, Role::kEdit);
}

TEST(IdentityTest, AUserWithoutARoleOrANameIsRefused) {
  EXPECT_EQ(IdentityFromSubject("alice", {"team-a"}).error,
            "certificate subject CN=alice has no role (O=admin, edit or view)");
  EXPECT_EQ(IdentityFromSubject("", {"admin"}).error, "certificate subject has no CN");
}

TEST(IdentityTest, RolesParseOnlyByTheirExactNames) {
  EXPECT_EQ(ParseRole("admin"), Role::kAdmin);
  EXPECT_EQ(ParseRole("Admin"), std::nullopt);
  EXPECT_EQ(RoleName(Role::kView), "view");
  EXPECT_EQ(CheckRole("role", "edit"), std::nullopt);
  ASSERT_TRUE(CheckRole("role", "root"));
  EXPECT_EQ(CheckRole("role", "root")->message,
            "Unsupported value: \"root\": supported values: \"admin\", \"edit\", \"view\"");
  EXPECT_EQ(CheckRole("spec.role", "")->path, "spec.role");
}

}  // namespace
}  // namespace fleetset
