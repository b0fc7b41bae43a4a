#include "agent/registry_credentials.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace fleetset::agent {
namespace {

TEST(RegistryHostOf, FollowsDockersRules) {
  EXPECT_EQ(RegistryHostOf("busybox"), "docker.io");
  EXPECT_EQ(RegistryHostOf("library/busybox:1.36"), "docker.io");
  EXPECT_EQ(RegistryHostOf("fluent/fluentd-kubernetes-daemonset:v1"), "docker.io");
  EXPECT_EQ(RegistryHostOf("quay.io/fluentd_elasticsearch/fluentd:v2.5.2"), "quay.io");
  EXPECT_EQ(RegistryHostOf("127.0.0.1:5000/fleetset/busybox:registry"), "127.0.0.1:5000");
  EXPECT_EQ(RegistryHostOf("localhost/x"), "localhost");
  EXPECT_EQ(RegistryHostOf("docker.io/library/busybox"), "docker.io");
}

class RegistryCredentialsTest : public ::testing::Test {
 protected:
  void Write(const std::string& text) { std::ofstream(path_) << text; }
  ~RegistryCredentialsTest() override { std::filesystem::remove(path_); }
  std::string path_ = std::filesystem::temp_directory_path() /
                      ("credentials-" + std::to_string(::getpid()) + ".json");
};

TEST_F(RegistryCredentialsTest, FindsTheEntryOfTheImagesRegistry) {
  Write(R"({"auths": {
    "https://index.docker.io/v1/": {"auth": "ZG9jazpodWI="},
    "127.0.0.1:5000": {"username": "ops", "password": "s3cret"}}})");
  RegistryCredentials credentials(path_);
  auto local = credentials.For("127.0.0.1:5000/fleetset/busybox:registry");
  ASSERT_TRUE(local.has_value());
  EXPECT_EQ(local->username(), "ops");
  EXPECT_EQ(local->password(), "s3cret");
  EXPECT_EQ(local->server_address(), "");
  auto hub = credentials.For("nginx:1.19-alpine");
  ASSERT_TRUE(hub.has_value());
  EXPECT_EQ(hub->auth(), "ZG9jazpodWI=");
  EXPECT_FALSE(credentials.For("quay.io/x/y:1").has_value());
}

TEST_F(RegistryCredentialsTest, MissingOrBrokenFileMeansNoCredentials) {
  RegistryCredentials credentials(path_);
  EXPECT_FALSE(credentials.For("127.0.0.1:5000/x").has_value());
  Write("{not json");
  EXPECT_FALSE(credentials.For("127.0.0.1:5000/x").has_value());
  Write(R"({"auths": ["not", "a", "map"]})");
  EXPECT_FALSE(credentials.For("127.0.0.1:5000/x").has_value());
}

TEST(PullSecretCredentialsTest, ThePodsSecretsInOrderWithWhyOthersWereSkipped) {
  v1::DesiredState state;
  auto add = [&](const std::string& name, const std::string& type, const std::string& key,
                 const std::string& value) {
    v1::Secret& secret = *state.add_secrets();
    secret.mutable_metadata()->set_namespace_("logging");
    secret.mutable_metadata()->set_name(name);
    secret.set_type(type);
    (*secret.mutable_data())[key] = value;
  };
  add("registry", "kubernetes.io/dockerconfigjson", ".dockerconfigjson",
      R"({"auths": {"127.0.0.1:5000": {"username": "ops", "password": "pw1"}}})");
  add("legacy", "kubernetes.io/dockercfg", ".dockercfg",
      R"({"http://127.0.0.1:5000/v1/": {"auth": "b3BzOnB3Mg=="}})");
  add("elsewhere", "kubernetes.io/dockerconfigjson", ".dockerconfigjson",
      R"({"auths": {"quay.io": {"auth": "eDp5"}}})");
  add("broken", "kubernetes.io/dockerconfigjson", ".dockerconfigjson", "{not json: s3cr3t");
  add("opaque", "Opaque", "password", "x");
  const auto objects = PodObjects::From(state);
  v1::PodSpec spec;
  for (const char* name : {"missing", "registry", "elsewhere", "broken", "opaque", "legacy"}) {
    spec.add_image_pull_secrets()->set_name(name);
  }
  std::vector<std::string> skipped;
  const std::vector<cri::AuthConfig> found = PullSecretCredentials(
      spec, "logging", *objects, "127.0.0.1:5000/fleetset/busybox:registry", &skipped);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].username(), "ops");
  EXPECT_EQ(found[0].password(), "pw1");
  EXPECT_EQ(found[1].auth(), "b3BzOnB3Mg==");
  EXPECT_EQ(skipped,
            (std::vector<std::string>{"secret \"missing\" not found",
                                      "secret \"broken\": .dockerconfigjson is not valid JSON",
                                      "secret \"opaque\" has no .dockercfg key"}));
  // A Secret of another namespace is not the pod's.
  EXPECT_TRUE(PullSecretCredentials(spec, "default", *objects, "127.0.0.1:5000/x").empty());
}

}  // namespace
}  // namespace fleetset::agent
