// ValidateDaemonSet: env from ConfigMap and Secret keys (configMapKeyRef,
// secretKeyRef) and whole objects (envFrom).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fleetset/manifest.h"
#include "fleetset/names.h"
#include "validation_case_test.h"

namespace fleetset {
namespace {

using validation_test::Case;
using validation_test::Container;
using validation_test::InvalidEach;
using validation_test::Join;
using validation_test::ValidationCaseTest;

const std::string kC0 = "spec.template.spec.containers[0]";
// ValidDaemonSet() has env[0] (NODE_NAME from fieldRef); these add env[1].
const std::string kEnv1 = kC0 + ".env[1]";

v1::EnvVarSource* AddValueFrom(v1::DaemonSet* ds) {
  v1::EnvVar* var = Container(ds)->add_env();
  var->set_name("ES_PASSWORD");
  return var->mutable_value_from();
}

v1::ObjectKeySelector* SecretKey(v1::DaemonSet* ds) {
  v1::ObjectKeySelector* ref = AddValueFrom(ds)->mutable_secret_key_ref();
  ref->set_name("es-credentials");
  ref->set_key("password");
  return ref;
}

v1::ObjectKeySelector* ConfigMapKey(v1::DaemonSet* ds) {
  v1::ObjectKeySelector* ref = AddValueFrom(ds)->mutable_config_map_key_ref();
  ref->set_name("fluentd-config");
  ref->set_key("es.host");
  return ref;
}

v1::EnvFromSource* AddEnvFrom(v1::DaemonSet* ds) { return Container(ds)->add_env_from(); }

INSTANTIATE_TEST_SUITE_P(
    KeyRefs, ValidationCaseTest,
    testing::Values(
        Case{"secretKeyRef", [](v1::DaemonSet* ds) { SecretKey(ds)->set_optional(false); }, {}},
        Case{
            "configMapKeyRef", [](v1::DaemonSet* ds) { ConfigMapKey(ds)->set_optional(true); }, {}},
        Case{"name and key required",
             [](v1::DaemonSet* ds) {
               SecretKey(ds)->clear_name();
               Container(ds)
                   ->mutable_env(1)
                   ->mutable_value_from()
                   ->mutable_secret_key_ref()
                   ->clear_key();
             },
             {{kEnv1 + ".valueFrom.secretKeyRef.name", "Required value"},
              {kEnv1 + ".valueFrom.secretKeyRef.key", "Required value"}}},
        Case{"name not a subdomain",
             [](v1::DaemonSet* ds) { ConfigMapKey(ds)->set_name("Fluentd_Config"); },
             InvalidEach(kEnv1 + ".valueFrom.configMapKeyRef.name", "Fluentd_Config",
                         CheckDns1123Subdomain("Fluentd_Config"))},
        Case{"key not a config key",
             [](v1::DaemonSet* ds) { ConfigMapKey(ds)->set_key("es host"); },
             InvalidEach(kEnv1 + ".valueFrom.configMapKeyRef.key", "es host",
                         CheckConfigMapKey("es host"))},
        Case{"key and field",
             [](v1::DaemonSet* ds) {
               SecretKey(ds);
               Container(ds)
                   ->mutable_env(1)
                   ->mutable_value_from()
                   ->mutable_field_ref()
                   ->set_field_path("metadata.name");
             },
             {{kEnv1 + ".valueFrom",
               "Forbidden: may not have more than one field specified at a time"}}},
        Case{"configMap and secret key",
             [](v1::DaemonSet* ds) {
               ConfigMapKey(ds);
               *Container(ds)->mutable_env(1)->mutable_value_from()->mutable_secret_key_ref() =
                   v1::ObjectKeySelector();
             },
             {{kEnv1 + ".valueFrom.secretKeyRef.name", "Required value"},
              {kEnv1 + ".valueFrom.secretKeyRef.key", "Required value"},
              {kEnv1 + ".valueFrom",
               "Forbidden: may not have more than one field specified at a time"}}},
        Case{"key ref and value",
             [](v1::DaemonSet* ds) {
               SecretKey(ds);
               Container(ds)->mutable_env(1)->set_value("hunter2");
             },
             {{kEnv1 + ".valueFrom", "Forbidden: may not be specified when `value` is not empty"}}},
        Case{"valueFrom without source",
             [](v1::DaemonSet* ds) { AddValueFrom(ds); },
             {{kEnv1 + ".valueFrom",
               "Required value: must specify one of: `fieldRef`, `resourceFieldRef`, "
               "`configMapKeyRef` or `secretKeyRef`"}}}),
    validation_test::CaseName);

INSTANTIATE_TEST_SUITE_P(
    EnvFrom, ValidationCaseTest,
    testing::Values(Case{"configMap and secret with prefixes",
                         [](v1::DaemonSet* ds) {
                           v1::EnvFromSource* config = AddEnvFrom(ds);
                           config->mutable_config_map_ref()->set_name("cilium-config");
                           v1::EnvFromSource* secret = AddEnvFrom(ds);
                           secret->set_prefix("ES_");
                           secret->mutable_secret_ref()->set_name("es-credentials");
                           secret->mutable_secret_ref()->set_optional(true);
                         },
                         {}},
                    Case{"prefix not a variable name",
                         [](v1::DaemonSet* ds) {
                           v1::EnvFromSource* source = AddEnvFrom(ds);
                           source->set_prefix("1=");
                           source->mutable_config_map_ref()->set_name("cilium-config");
                         },
                         InvalidEach(kC0 + ".envFrom[0].prefix", "1=", CheckEnvVarName("1="))},
                    Case{"no ref",
                         [](v1::DaemonSet* ds) { AddEnvFrom(ds)->set_prefix("X_"); },
                         {{kC0 + ".envFrom[0]",
                           "Required value: must specify one of: `configMapRef` or `secretRef`"}}},
                    Case{"both refs",
                         [](v1::DaemonSet* ds) {
                           v1::EnvFromSource* source = AddEnvFrom(ds);
                           source->mutable_config_map_ref()->set_name("a");
                           source->mutable_secret_ref()->set_name("b");
                         },
                         {{kC0 + ".envFrom[0]",
                           "Forbidden: may not have more than one field specified at a time"}}},
                    Case{"names required and valid",
                         [](v1::DaemonSet* ds) {
                           AddEnvFrom(ds)->mutable_config_map_ref();
                           AddEnvFrom(ds)->mutable_secret_ref()->set_name("-x");
                         },
                         Join({{{kC0 + ".envFrom[0].configMapRef.name", "Required value"}},
                               InvalidEach(kC0 + ".envFrom[1].secretRef.name", "-x",
                                           CheckDns1123Subdomain("-x"))})}),
    validation_test::CaseName);

}  // namespace
}  // namespace fleetset
