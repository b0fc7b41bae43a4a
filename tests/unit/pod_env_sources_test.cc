// Container env from ConfigMaps, Secrets and container resources, with
// kubelet's words when an object or key is missing.
#include <gmock/gmock.h>
#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include "agent/pod_config_builder.h"

namespace fleetset::agent {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

v1::PodTemplateSpec Template(const std::string& text) {
  v1::PodTemplateSpec template_spec;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &template_spec)) << text;
  return template_spec;
}

PodContext Context() {
  v1::DesiredState state;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(
      R"pb(
        config_maps {
          metadata { namespace: "logging" name: "shipper" }
          data { key: "LOG_LEVEL" value: "info" }
          data { key: "OUTPUT" value: "es:9200" }
          data { key: "not a name" value: "skipped" }
          binary_data { key: "BLOB" value: "\001\002" }
        }
        config_maps {
          metadata { namespace: "other" name: "shipper" }
          data { key: "LOG_LEVEL" value: "debug" }
        }
        secrets {
          metadata { namespace: "logging" name: "creds" }
          data { key: "password" value: "s3cr3t" }
        }
      )pb",
      &state));
  PodContext context;
  context.pod_namespace = "logging";
  context.node_memory_bytes = 8LL << 30;
  context.objects = PodObjects::From(state);
  return context;
}

std::vector<std::pair<std::string, std::string>> Env(const std::string& container_text,
                                                     std::string* error) {
  const v1::PodTemplateSpec template_spec =
      Template("spec { containers { name: \"main\" " + container_text + " } }");
  return ResolveEnv(template_spec.spec().containers(0), template_spec, Context(), error);
}

TEST(PodEnvSourcesTest, KeyRefsReadTheObjectsOfThePodsNamespace) {
  std::string error;
  const auto env = Env(R"pb(
                         env {
                           name: "LEVEL"
                           value_from { config_map_key_ref { name: "shipper" key: "LOG_LEVEL" } }
                         }
                         env {
                           name: "PASSWORD"
                           value_from { secret_key_ref { name: "creds" key: "password" } }
                         }
                         env { name: "DSN" value: "user:$(PASSWORD)@db" }
                       )pb",
                       &error);
  EXPECT_EQ(error, "");
  EXPECT_THAT(env, ElementsAre(Pair("LEVEL", "info"), Pair("PASSWORD", "s3cr3t"),
                               Pair("DSN", "user:s3cr3t@db")));
}

TEST(PodEnvSourcesTest, MissingObjectsAndKeysAreConfigErrorsInKubeletsWords) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"pb(env {
              name: "A"
              value_from { config_map_key_ref { name: "gone" key: "k" } }
            })pb",
       "configmap \"gone\" not found"},
      {R"pb(env {
              name: "A"
              value_from { secret_key_ref { name: "gone" key: "k" } }
            })pb",
       "secret \"gone\" not found"},
      {R"pb(env {
              name: "A"
              value_from { config_map_key_ref { name: "shipper" key: "k" } }
            })pb",
       "couldn't find key k in ConfigMap logging/shipper"},
      {R"pb(env {
              name: "A"
              value_from { secret_key_ref { name: "creds" key: "user" } }
            })pb",
       "couldn't find key user in Secret logging/creds"},
      {R"pb(env_from { config_map_ref { name: "gone" } })pb", "configmap \"gone\" not found"},
      {R"pb(env_from { secret_ref { name: "gone" } })pb", "secret \"gone\" not found"},
  };
  for (const auto& [container, message] : cases) {
    std::string error;
    EXPECT_TRUE(Env(container, &error).empty()) << container;
    EXPECT_EQ(error, message) << container;
  }
}

TEST(PodEnvSourcesTest, OptionalSourcesThatAreMissingLeaveTheVariableUnset) {
  std::string error;
  const auto env =
      Env(R"pb(
            env {
              name: "A"
              value_from { config_map_key_ref { name: "gone" key: "k" optional: true } }
            }
            env {
              name: "B"
              value_from { secret_key_ref { name: "creds" key: "user" optional: true } }
            }
            env_from { secret_ref { name: "gone" optional: true } }
            env { name: "C" value: "set" }
          )pb",
          &error);
  EXPECT_EQ(error, "");
  EXPECT_THAT(env, ElementsAre(Pair("C", "set")));
}

TEST(PodEnvSourcesTest, EnvFromComesFirstWithItsPrefixAndEnvOverridesIt) {
  std::string error;
  const auto env = Env(R"pb(
                         env_from { config_map_ref { name: "shipper" } }
                         env_from {
                           prefix: "DB_"
                           secret_ref { name: "creds" }
                         }
                         env { name: "OUTPUT" value: "stdout" }
                         env { name: "COPY" value: "$(DB_password)" }
                       )pb",
                       &error);
  EXPECT_EQ(error, "");
  // binaryData and keys that are no variable names stay out, as in kubelet.
  EXPECT_THAT(env, ElementsAre(Pair("DB_password", "s3cr3t"), Pair("LOG_LEVEL", "info"),
                               Pair("OUTPUT", "stdout"), Pair("COPY", "s3cr3t")));
}

TEST(PodEnvSourcesTest, ResourceFieldRefDividesAndRoundsUpWithTheNodeAsTheDefaultLimit) {
  std::string error;
  const auto env =
      Env(R"pb(
            resources {
              limits { key: "memory" value: "300Mi" }
              requests { key: "cpu" value: "250m" }
            }
            env {
              name: "MEM_MI"
              value_from { resource_field_ref { resource: "limits.memory" divisor: "1Mi" } }
            }
            env {
              name: "CPU_M"
              value_from { resource_field_ref { resource: "requests.cpu" divisor: "1m" } }
            }
            env {
              name: "CPU"
              value_from { resource_field_ref { resource: "requests.cpu" } }
            }
            env {
              name: "MEM_REQ"
              value_from { resource_field_ref { resource: "requests.memory" divisor: "1Mi" } }
            }
            env {
              name: "NODE_CPU_M"
              value_from {
                resource_field_ref { container_name: "main" resource: "limits.cpu" divisor: "1m" }
              }
            }
          )pb",
          &error);
  ASSERT_EQ(error, "");
  ASSERT_EQ(env.size(), 5u);
  EXPECT_THAT(env[0], Pair("MEM_MI", "300"));
  EXPECT_THAT(env[1], Pair("CPU_M", "250"));
  EXPECT_THAT(env[2], Pair("CPU", "1"));        // 0.25 cores rounds up
  EXPECT_THAT(env[3], Pair("MEM_REQ", "300"));  // the request defaults to the limit
  EXPECT_NE(env[4].second, "0");                // no cpu limit: the node's cpus
  EXPECT_EQ(std::stoll(env[4].second) % 1000, 0);
}

TEST(PodEnvSourcesTest, AnUnknownResourceIsAConfigError) {
  std::string error;
  Env(R"pb(env {
             name: "X"
             value_from { resource_field_ref { resource: "limits.gpu" } }
           })pb",
      &error);
  EXPECT_EQ(error, "resourceFieldRef: unsupported resource \"limits.gpu\"");
}

}  // namespace
}  // namespace fleetset::agent
