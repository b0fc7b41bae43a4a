// ConfigMaps, Secrets, PriorityClasses and Namespaces through the
// operators' API of a real coordinator (in process): apply's result words,
// the built-in objects, namespaces made on demand and deleted with what
// they hold, and the refusals.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "unit/fleet_harness.h"

namespace fleetset::testing {
namespace {

using ::testing::HasSubstr;

v1::Object ConfigMapObject(const std::string& namespace_, const std::string& name,
                           const std::string& value) {
  v1::Object object;
  v1::ConfigMap& config_map = *object.mutable_config_map();
  config_map.mutable_metadata()->set_name(name);
  config_map.mutable_metadata()->set_namespace_(namespace_);
  (*config_map.mutable_data())["app.conf"] = value;
  return object;
}

class ConfigObjectApiTest : public ::testing::Test {
 protected:
  grpc::Status Apply(const v1::Object& object, std::string* result = nullptr,
                     bool create_only = false) {
    v1::ApplyObjectRequest request;
    *request.mutable_object() = object;
    request.set_create_only(create_only);
    v1::ApplyObjectResponse response;
    grpc::Status status = harness_.fleet().ApplyObject(request, &response);
    if (result) *result = response.result();
    return status;
  }
  std::vector<std::string> Names(const std::string& resource, const std::string& namespace_ = "",
                                 bool all_namespaces = false) {
    v1::ListObjectsRequest request;
    request.set_resource(resource);
    request.set_namespace_(namespace_);
    request.set_all_namespaces(all_namespaces);
    v1::ListObjectsResponse response;
    EXPECT_TRUE(harness_.fleet().ListObjects(request, &response).ok());
    std::vector<std::string> names;
    for (const v1::Object& item : response.items()) {
      const v1::ObjectMeta* meta = nullptr;
      if (item.has_config_map()) meta = &item.config_map().metadata();
      if (item.has_secret()) meta = &item.secret().metadata();
      if (item.has_priority_class()) meta = &item.priority_class().metadata();
      if (item.has_namespace_()) meta = &item.namespace_().metadata();
      names.push_back(meta ? meta->name() : "?");
    }
    return names;
  }
  grpc::Status Delete(const std::string& resource, const std::string& namespace_,
                      const std::string& name) {
    v1::DeleteObjectRequest request;
    request.set_resource(resource);
    request.set_namespace_(namespace_);
    request.set_name(name);
    v1::DeleteResponse response;
    return harness_.fleet().DeleteObject(request, &response);
  }

  FleetHarness harness_;
};

TEST_F(ConfigObjectApiTest, BuiltInNamespacesAndPriorityClassesExist) {
  EXPECT_THAT(Names("namespaces"), ::testing::IsSupersetOf({"default", "kube-node-lease",
                                                            "kube-public", "kube-system"}));
  EXPECT_THAT(Names("priorityclasses"),
              ::testing::UnorderedElementsAre("system-cluster-critical", "system-node-critical"));
  grpc::Status refused = Delete("namespaces", "", "kube-system");
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(refused.error_message(), HasSubstr("this namespace may not be deleted"));
  EXPECT_EQ(Delete("priorityclasses", "", "system-node-critical").error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(ConfigObjectApiTest, ApplySaysCreatedConfiguredOrUnchanged) {
  std::string result;
  ASSERT_TRUE(Apply(ConfigMapObject("logging", "cfg", "a"), &result).ok());
  EXPECT_EQ(result, "created");
  ASSERT_TRUE(Apply(ConfigMapObject("logging", "cfg", "a"), &result).ok());
  EXPECT_EQ(result, "unchanged");
  ASSERT_TRUE(Apply(ConfigMapObject("logging", "cfg", "b"), &result).ok());
  EXPECT_EQ(result, "configured");
  grpc::Status exists = Apply(ConfigMapObject("logging", "cfg", "c"), nullptr, true);
  EXPECT_EQ(exists.error_code(), grpc::StatusCode::ALREADY_EXISTS);

  v1::GetObjectRequest get;
  get.set_resource("configmaps");
  get.set_namespace_("logging");
  get.set_name("cfg");
  v1::Object stored;
  ASSERT_TRUE(harness_.fleet().GetObject(get, &stored).ok());
  EXPECT_EQ(stored.config_map().data().at("app.conf"), "b");
  EXPECT_FALSE(stored.config_map().metadata().uid().empty());
}

TEST_F(ConfigObjectApiTest, AnObjectInANewNamespaceCreatesItAndDeletingItTakesItsObjects) {
  ASSERT_TRUE(Apply(ConfigMapObject("monitoring", "cfg", "a")).ok());
  EXPECT_THAT(Names("namespaces"), ::testing::Contains("monitoring"));
  EXPECT_THAT(Names("configmaps", "monitoring"), ::testing::ElementsAre("cfg"));
  ASSERT_TRUE(Delete("namespaces", "", "monitoring").ok());
  EXPECT_THAT(Names("namespaces"), ::testing::Not(::testing::Contains("monitoring")));
  EXPECT_THAT(Names("configmaps", "", true), ::testing::IsEmpty());
}

TEST_F(ConfigObjectApiTest, ADaemonSetInANewNamespaceCreatesIt) {
  std::string yaml = DaemonSetYaml("agent", "agent:1");
  yaml.replace(yaml.find("metadata:\n"), 10, "metadata:\n  namespace: agents\n");
  harness_.Apply(yaml);
  EXPECT_THAT(Names("namespaces"), ::testing::Contains("agents"));
}

TEST_F(ConfigObjectApiTest, InvalidObjectsAreRefusedWithTheirFieldsAndNothingIsStored) {
  v1::Object bad = ConfigMapObject("default", "cfg", "a");
  (*bad.mutable_config_map()->mutable_data())["no/slash"] = "x";
  grpc::Status status = Apply(bad);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("ConfigMap \"cfg\" is invalid"));
  EXPECT_THAT(status.error_message(), HasSubstr("a valid config key"));
  EXPECT_THAT(Names("configmaps", "default"), ::testing::IsEmpty());
}

TEST_F(ConfigObjectApiTest, OnlyOnePriorityClassIsTheDefault) {
  v1::Object first;
  first.mutable_priority_class()->mutable_metadata()->set_name("first");
  first.mutable_priority_class()->set_value(10);
  first.mutable_priority_class()->set_global_default(true);
  ASSERT_TRUE(Apply(first).ok());
  v1::Object second = first;
  second.mutable_priority_class()->mutable_metadata()->set_name("second");
  grpc::Status refused = Apply(second);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(refused.error_message(),
              HasSubstr("PriorityClass first is already marked as default"));
}

TEST_F(ConfigObjectApiTest, AnImmutableSecretKeepsItsData) {
  v1::Object secret;
  secret.mutable_secret()->mutable_metadata()->set_name("token");
  (*secret.mutable_secret()->mutable_data())["token"] = "one";
  secret.mutable_secret()->set_immutable(true);
  ASSERT_TRUE(Apply(secret).ok());
  (*secret.mutable_secret()->mutable_data())["token"] = "two";
  grpc::Status refused = Apply(secret);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(refused.error_message(), HasSubstr("field is immutable when `immutable` is set"));
}

}  // namespace
}  // namespace fleetset::testing
