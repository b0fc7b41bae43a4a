// The kinds pods refer to (ConfigMap, Secret, PriorityClass, Namespace):
// decoding from manifests, Kubernetes' defaults and validation, and the
// documents of a published bundle that are skipped rather than refused.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fleetset/config_objects.h"
#include "fleetset/manifest.h"
#include "fleetset/object_kinds.h"

namespace fleetset {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::vector<std::string> Messages(const FieldErrors& errors) {
  std::vector<std::string> out;
  for (const FieldError& error : errors) out.push_back(error.ToString());
  return out;
}

LoadedObject LoadOne(const std::string& text) {
  std::vector<LoadedObject> loaded = LoadObjects(text, "test.yaml");
  EXPECT_EQ(loaded.size(), 1u);
  return loaded.empty() ? LoadedObject{} : loaded.front();
}

constexpr char kBundle[] = R"(apiVersion: v1
kind: ServiceAccount
metadata: {name: fluent-bit, namespace: logging}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: fluent-bit-read}
rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]
---
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {name: fluent-bit}
---
apiVersion: v1
kind: Namespace
metadata: {name: logging}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: fluent-bit-config, namespace: logging}
data:
  fluent-bit.conf: |
    [SERVICE]
        Flush 1
binaryData:
  logo.png: iVBORw0KGgo=
---
apiVersion: v1
kind: Secret
metadata: {name: es-credentials, namespace: logging}
data:
  password: c2VjcmV0
stringData:
  username: elastic
---
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: node-daemons}
value: 1000000
description: daemons every node needs
)";

TEST(ConfigObjectsTest, ABundleLoadsItsObjectsAndSkipsTheApiServerKinds) {
  std::vector<LoadedObject> loaded = LoadObjects(kBundle, "bundle.yaml");
  ASSERT_EQ(loaded.size(), 7u);
  for (const LoadedObject& object : loaded) EXPECT_THAT(Messages(object.errors), IsEmpty());
  EXPECT_EQ(loaded[0].skipped, "fleetset has no ServiceAccounts");
  EXPECT_EQ(loaded[1].skipped, "fleetset has no ClusterRoles");
  EXPECT_EQ(loaded[2].skipped,
            "fleetset has no ServiceMonitors (a custom resource of monitoring.coreos.com)");

  ASSERT_TRUE(loaded[3].object.has_namespace_());
  EXPECT_EQ(loaded[3].object.namespace_().metadata().name(), "logging");

  ASSERT_TRUE(loaded[4].object.has_config_map());
  const v1::ConfigMap& config_map = loaded[4].object.config_map();
  EXPECT_EQ(config_map.data().at("fluent-bit.conf"), "[SERVICE]\n    Flush 1\n");
  EXPECT_EQ(config_map.binary_data().at("logo.png"), std::string("\x89PNG\r\n\x1a\n", 8));

  ASSERT_TRUE(loaded[5].object.has_secret());
  const v1::Secret& secret = loaded[5].object.secret();
  EXPECT_EQ(secret.type(), "Opaque");
  EXPECT_EQ(secret.data().at("password"), "secret");
  // stringData is merged into data and not kept, as the API server does.
  EXPECT_EQ(secret.data().at("username"), "elastic");
  EXPECT_TRUE(secret.string_data().empty());

  ASSERT_TRUE(loaded[6].object.has_priority_class());
  EXPECT_EQ(loaded[6].object.priority_class().value(), 1000000);
  EXPECT_EQ(loaded[6].object.priority_class().preemption_policy(), "PreemptLowerPriority");
}

TEST(ConfigObjectsTest, WorkloadsAndUnknownCoreKindsAreStillRefused) {
  for (const char* kind : {"Deployment", "Pod", "Widget"}) {
    const LoadedObject loaded =
        LoadOne(std::string("apiVersion: v1\nkind: ") + kind + "\nmetadata: {name: x}\n");
    EXPECT_TRUE(loaded.skipped.empty()) << kind;
    ASSERT_FALSE(loaded.errors.empty()) << kind;
    EXPECT_EQ(loaded.errors[0].path, "kind");
    EXPECT_THAT(loaded.errors[0].message, HasSubstr("is not supported"));
  }
}

TEST(ConfigObjectsTest, StaticManifestsTakeDaemonSetsOnly) {
  std::vector<LoadedDaemonSet> loaded = LoadDaemonSets(
      "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: b}\n", "static.yaml");
  ASSERT_EQ(loaded.size(), 1u);
  ASSERT_EQ(loaded[0].errors.size(), 1u);
  EXPECT_EQ(loaded[0].errors[0].path, "kind");
}

TEST(ConfigObjectsTest, BadBase64IsRefusedWithItsPath) {
  const LoadedObject loaded =
      LoadOne("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {token: 'not base64!'}\n");
  EXPECT_THAT(Messages(loaded.errors), ElementsAre("data[token]: illegal base64 data"));
}

TEST(ConfigObjectsTest, KeysMustBeFileNames) {
  const LoadedObject loaded = LoadOne(
      "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {'a/b': x, '..': z, ok.key: "
      "z}\n");
  EXPECT_THAT(Messages(loaded.errors),
              ::testing::UnorderedElementsAre(
                  "data: Invalid value: \"..\": must not be '..'",
                  HasSubstr("data: Invalid value: \"a/b\": a valid config key must consist of "
                            "alphanumeric characters, '-', '_' or '.'")));
}

TEST(ConfigObjectsTest, AKeyInBothDataAndBinaryDataIsRefused) {
  const LoadedObject loaded = LoadOne(
      "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {k: x}\nbinaryData: {k: "
      "eA==}\n");
  EXPECT_THAT(Messages(loaded.errors),
              ElementsAre("data[k]: Invalid value: \"k\": duplicate of key present in binaryData"));
}

TEST(ConfigObjectsTest, MoreThanOneMebibyteOfDataIsRefused) {
  v1::ConfigMap config_map;
  config_map.mutable_metadata()->set_name("big");
  ApplyConfigMapDefaults(&config_map);
  (*config_map.mutable_data())["a"] = std::string(kMaxConfigDataBytes, 'x');
  EXPECT_THAT(ValidateConfigMap(config_map), IsEmpty());
  (*config_map.mutable_data())["b"] = "y";
  EXPECT_THAT(Messages(ValidateConfigMap(config_map)),
              ElementsAre("data: Too long: must have at most 1048576 bytes"));
}

TEST(ConfigObjectsTest, WellKnownSecretTypesNeedTheirKeys) {
  auto errors_of = [](const std::string& type, const std::string& data) {
    return Messages(LoadOne("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ntype: " + type +
                            "\ndata: " + data + "\n")
                        .errors);
  };
  EXPECT_THAT(errors_of("kubernetes.io/tls", "{tls.crt: eA==}"),
              ElementsAre("data[tls.key]: Required value"));
  EXPECT_THAT(errors_of("kubernetes.io/ssh-auth", "{}"),
              ElementsAre("data[ssh-privatekey]: Required value"));
  EXPECT_THAT(errors_of("kubernetes.io/basic-auth", "{}"),
              ElementsAre("data[username]: Required value", "data[password]: Required value"));
  EXPECT_THAT(errors_of("kubernetes.io/basic-auth", "{password: eA==}"), IsEmpty());
  EXPECT_THAT(errors_of("kubernetes.io/dockerconfigjson", "{}"),
              ElementsAre("data[.dockerconfigjson]: Required value"));
  // "not json", in base64: the value is never echoed.
  EXPECT_THAT(errors_of("kubernetes.io/dockerconfigjson", "{.dockerconfigjson: bm90IGpzb24=}"),
              ElementsAre("data[.dockerconfigjson]: Invalid value: \"<secret contents "
                          "redacted>\": must be a JSON object (a Docker config.json)"));
  EXPECT_THAT(errors_of("kubernetes.io/dockerconfigjson",
                        "{.dockerconfigjson: eyJhdXRocyI6e319}"),  // {"auths":{}}
              IsEmpty());
  EXPECT_THAT(errors_of("example.com/anything", "{}"), IsEmpty());
}

TEST(ConfigObjectsTest, AnImmutableObjectKeepsItsData) {
  v1::Secret old;
  old.mutable_metadata()->set_name("s");
  ApplySecretDefaults(&old);
  (*old.mutable_data())["k"] = "v1";
  old.set_immutable(true);
  v1::Secret changed = old;
  (*changed.mutable_data())["k"] = "v2";
  EXPECT_THAT(Messages(ValidateSecretUpdate(changed, old)),
              ElementsAre("data: Forbidden: field is immutable when `immutable` is set"));
  v1::Secret relabelled = old;
  (*relabelled.mutable_metadata()->mutable_labels())["team"] = "a";
  EXPECT_THAT(ValidateSecretUpdate(relabelled, old), IsEmpty());
  v1::Secret unfrozen = old;
  unfrozen.clear_immutable();
  EXPECT_THAT(Messages(ValidateSecretUpdate(unfrozen, old)),
              Contains("immutable: Forbidden: field is immutable when `immutable` is set"));
  v1::Secret retyped = old;
  retyped.set_immutable(false);
  retyped.set_type("kubernetes.io/ssh-auth");
  old.clear_immutable();
  EXPECT_THAT(Messages(ValidateSecretUpdate(retyped, old)),
              Contains("type: Invalid value: \"kubernetes.io/ssh-auth\": field is immutable"));
}

TEST(ConfigObjectsTest, PriorityClassesFollowKubernetesRules) {
  auto errors_of = [](const std::string& name, const std::string& value) {
    return Messages(LoadOne("apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: "
                            "{name: " +
                            name + "}\nvalue: " + value + "\n")
                        .errors);
  };
  EXPECT_THAT(errors_of("high", "1000000000"), IsEmpty());
  EXPECT_THAT(errors_of("higher", "1000000001"),
              ElementsAre("value: Forbidden: maximum allowed value of a user defined priority is "
                          "1000000000"));
  EXPECT_THAT(errors_of("system-mine", "5"),
              ElementsAre(HasSubstr("metadata.name: Forbidden: priority class names with "
                                    "'system-' prefix are reserved")));
  v1::PriorityClass old;
  old.mutable_metadata()->set_name("p");
  old.set_value(5);
  ApplyPriorityClassDefaults(&old);
  v1::PriorityClass changed = old;
  changed.set_value(6);
  EXPECT_THAT(Messages(ValidatePriorityClassUpdate(changed, old)),
              ElementsAre("value: Forbidden: may not be changed in an update."));
}

TEST(ConfigObjectsTest, RemovedApiVersionsAreNamed) {
  const LoadedObject loaded = LoadOne(
      "apiVersion: scheduling.k8s.io/v1beta1\nkind: PriorityClass\nmetadata: {name: p}\nvalue: "
      "1\n");
  ASSERT_FALSE(loaded.errors.empty());
  EXPECT_EQ(loaded.errors[0].path, "apiVersion");
  EXPECT_THAT(loaded.errors[0].message, HasSubstr("removed in Kubernetes 1.22"));
  const LoadedObject config_map =
      LoadOne("apiVersion: apps/v1\nkind: ConfigMap\nmetadata: {name: c}\n");
  EXPECT_THAT(Messages(config_map.errors),
              ElementsAre("apiVersion: Unsupported value \"apps/v1\": supported values: \"v1\""));
}

TEST(ConfigObjectsTest, NamespacesAreLabelsAndClusterScoped) {
  EXPECT_THAT(LoadOne("apiVersion: v1\nkind: Namespace\nmetadata: {name: Logging}\n").errors,
              Contains(::testing::Field(&FieldError::path, "metadata.name")));
  const LoadedObject loaded =
      LoadOne("apiVersion: v1\nkind: Namespace\nmetadata: {name: logging, namespace: x}\n");
  EXPECT_THAT(loaded.errors, IsEmpty());
  EXPECT_TRUE(loaded.object.namespace_().metadata().namespace_().empty());
  EXPECT_TRUE(IsBuiltInNamespace("kube-system"));
  EXPECT_FALSE(IsBuiltInNamespace("logging"));
}

}  // namespace
}  // namespace fleetset
