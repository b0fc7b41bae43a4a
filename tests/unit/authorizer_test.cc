// Who may do what: roles as Kubernetes' default cluster roles, nodes kept
// off the operators' API, refusals worded as kube-apiserver words them.
#include "coordinator/auth/authorizer.h"

#include <gtest/gtest.h>

#include "coordinator/registry/api_error.h"

namespace fleetset::coordinator {
namespace {

// The refusal's message, or "allowed".
std::string Decide(const Caller& caller, const Action& action) {
  try {
    Authorize(caller, action);
    return "allowed";
  } catch (const ApiError& error) {
    return error.what();
  }
}

const Action kApplyFluentd{"apply", "daemonsets", "kube-system", "fluentd"};
const Action kListPods{"list", "pods", "", ""};
const Action kCreateUser{"create", "users", "", "bob"};
const Action kCreateToken{"create", "bootstraptokens", "", ""};
const Action kLabelNode{"label", "nodes", "", "node-1"};
const Action kDeleteNode{"delete", "nodes", "", "node-1"};

TEST(AuthorizerTest, ViewReadsButChangesNothing) {
  const Caller alice = Caller::User("alice", Role::kView);
  EXPECT_EQ(Decide(alice, kListPods), "allowed");
  EXPECT_EQ(Decide(alice, {"watch", "nodes", "", ""}), "allowed");
  EXPECT_EQ(Decide(alice, kApplyFluentd),
            "user \"alice\" (role view) cannot apply daemonsets in namespace \"kube-system\"");
  EXPECT_EQ(Decide(alice, kLabelNode), "user \"alice\" (role view) cannot label nodes");
}

TEST(AuthorizerTest, NeitherViewNorEditReadsCredentials) {
  for (Role role : {Role::kView, Role::kEdit}) {
    const Caller user = Caller::User("carol", role);
    EXPECT_NE(Decide(user, {"list", "users", "", ""}), "allowed");
    EXPECT_NE(Decide(user, {"list", "bootstraptokens", "", ""}), "allowed");
  }
}

TEST(AuthorizerTest, EditChangesWorkloadsAndNodesButNotUsersTokensOrNodeRecords) {
  const Caller bob = Caller::User("bob", Role::kEdit);
  EXPECT_EQ(Decide(bob, kApplyFluentd), "allowed");
  EXPECT_EQ(Decide(bob, {"rollback", "daemonsets", "default", "x"}), "allowed");
  EXPECT_EQ(Decide(bob, {"delete", "pods", "default", "x"}), "allowed");
  EXPECT_EQ(Decide(bob, kLabelNode), "allowed");
  EXPECT_EQ(Decide(bob, {"cordon", "nodes", "", "node-1"}), "allowed");
  EXPECT_EQ(Decide(bob, kCreateUser), "user \"bob\" (role edit) cannot create users");
  EXPECT_EQ(Decide(bob, kCreateToken), "user \"bob\" (role edit) cannot create bootstraptokens");
  EXPECT_EQ(Decide(bob, kDeleteNode), "user \"bob\" (role edit) cannot delete nodes");
}

// Kubernetes' view role reads no Secrets; edit reads and changes them, and
// ConfigMaps, but namespaces and priority classes are the cluster admin's.
TEST(AuthorizerTest, SecretsAreReadByEditNotViewAndClusterObjectsChangedByAdminOnly) {
  const Caller alice = Caller::User("alice", Role::kView);
  const Caller bob = Caller::User("bob", Role::kEdit);
  EXPECT_EQ(Decide(alice, {"get", "secrets", "logging", "es"}),
            "user \"alice\" (role view) cannot get secrets in namespace \"logging\"");
  EXPECT_EQ(Decide(alice, {"list", "secrets", "", ""}),
            "user \"alice\" (role view) cannot list secrets");
  EXPECT_EQ(Decide(alice, {"get", "configmaps", "logging", "cfg"}), "allowed");
  EXPECT_EQ(Decide(alice, {"list", "namespaces", "", ""}), "allowed");
  EXPECT_EQ(Decide(alice, {"apply", "configmaps", "logging", "cfg"}),
            "user \"alice\" (role view) cannot apply configmaps in namespace \"logging\"");
  for (const char* resource : {"configmaps", "secrets"}) {
    EXPECT_EQ(Decide(bob, {"get", resource, "logging", "x"}), "allowed") << resource;
    EXPECT_EQ(Decide(bob, {"apply", resource, "logging", "x"}), "allowed") << resource;
    EXPECT_EQ(Decide(bob, {"delete", resource, "logging", "x"}), "allowed") << resource;
  }
  EXPECT_EQ(Decide(bob, {"apply", "namespaces", "", "logging"}),
            "user \"bob\" (role edit) cannot apply namespaces");
  EXPECT_EQ(Decide(bob, {"delete", "priorityclasses", "", "high"}),
            "user \"bob\" (role edit) cannot delete priorityclasses");
  EXPECT_EQ(Decide(Caller::User("admin", Role::kAdmin), {"apply", "namespaces", "", "logging"}),
            "allowed");
}

TEST(AuthorizerTest, AdminDoesEverything) {
  const Caller admin = Caller::User("admin", Role::kAdmin);
  for (const Action& action : {kApplyFluentd, kCreateUser, kCreateToken, kDeleteNode}) {
    EXPECT_EQ(Decide(admin, action), "allowed") << action.Object();
  }
}

TEST(AuthorizerTest, ANodeMayCallNothingOnTheOperatorsApi) {
  EXPECT_EQ(Decide(Caller::Node("node-1"), kListPods),
            "node \"node-1\" cannot list pods: node certificates may only use the agent service");
}

TEST(AuthorizerTest, AnAnonymousCallerIsUnauthorizedNotForbidden) {
  try {
    Authorize(Caller::Anonymous(), kListPods);
    FAIL() << "allowed";
  } catch (const ApiError& error) {
    EXPECT_EQ(error.reason(), ApiError::Reason::kUnauthorized);
    EXPECT_STREQ(error.what(), "no client certificate: cannot list pods");
  }
}

TEST(AuthorizerTest, OnlyChangesAndRefusalsAreAudited) {
  EXPECT_TRUE(kApplyFluentd.Mutating());
  EXPECT_FALSE(kListPods.Mutating());
  EXPECT_EQ(kApplyFluentd.Object(), "daemonsets/kube-system/fluentd");
  EXPECT_EQ(kDeleteNode.Object(), "nodes/node-1");
}

}  // namespace
}  // namespace fleetset::coordinator
