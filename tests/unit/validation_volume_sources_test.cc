// ValidateDaemonSet: the volume sources made of files — configMap, secret,
// downwardAPI and projected — each rule with its field path and message.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fleetset/manifest.h"
#include "fleetset/names.h"
#include "validation_case_test.h"

namespace fleetset {
namespace {

using validation_test::Case;
using validation_test::InvalidEach;
using validation_test::Pod;
using validation_test::ValidationCaseTest;

// ValidDaemonSet() declares volumes[0] (hostPath); these tests add [1].
const std::string kV1 = "spec.template.spec.volumes[1]";
constexpr char kModeError[] = "must be a number between 0 and 0777 (octal), both inclusive";

v1::Volume* AddVolume(v1::DaemonSet* ds) {
  v1::Volume* volume = Pod(ds)->add_volumes();
  volume->set_name("config");
  return volume;
}

v1::ConfigMapVolumeSource* ConfigMap(v1::DaemonSet* ds) {
  v1::ConfigMapVolumeSource* source = AddVolume(ds)->mutable_config_map();
  source->set_name("fluent-bit-config");
  return source;
}

v1::KeyToPath* AddItem(google::protobuf::RepeatedPtrField<v1::KeyToPath>* items,
                       const std::string& key, const std::string& path) {
  v1::KeyToPath* item = items->Add();
  item->set_key(key);
  item->set_path(path);
  return item;
}

v1::DownwardAPIVolumeFile* AddFieldFile(
    google::protobuf::RepeatedPtrField<v1::DownwardAPIVolumeFile>* items, const std::string& path,
    const std::string& field_path) {
  v1::DownwardAPIVolumeFile* file = items->Add();
  file->set_path(path);
  file->mutable_field_ref()->set_api_version("v1");
  file->mutable_field_ref()->set_field_path(field_path);
  return file;
}

v1::DownwardAPIVolumeSource* DownwardApi(v1::DaemonSet* ds) {
  return AddVolume(ds)->mutable_downward_api();
}

// A projected volume with one source of each kind, all valid.
v1::ProjectedVolumeSource* Projected(v1::DaemonSet* ds) {
  v1::ProjectedVolumeSource* projected = AddVolume(ds)->mutable_projected();
  projected->set_default_mode(0440);
  v1::KeysProjection* config_map = projected->add_sources()->mutable_config_map();
  config_map->set_name("kube-root-ca.crt");
  AddItem(config_map->mutable_items(), "ca.crt", "ca.crt");
  v1::KeysProjection* secret = projected->add_sources()->mutable_secret();
  secret->set_name("agent-token");
  secret->set_optional(true);
  AddItem(secret->mutable_items(), "token", "agent/token")->set_mode(0400);
  AddFieldFile(projected->add_sources()->mutable_downward_api()->mutable_items(), "namespace",
               "metadata.namespace");
  v1::ServiceAccountTokenProjection* token =
      projected->add_sources()->mutable_service_account_token();
  token->set_audience("vault");
  token->set_expiration_seconds(3600);
  token->set_path("token");
  return projected;
}

INSTANTIATE_TEST_SUITE_P(
    ConfigMapAndSecret, ValidationCaseTest,
    testing::Values(
        Case{"configMap with items, modes and optional",
             [](v1::DaemonSet* ds) {
               v1::ConfigMapVolumeSource* source = ConfigMap(ds);
               source->set_default_mode(0644);
               source->set_optional(true);
               AddItem(source->mutable_items(), "fluent-bit.conf", "fluent-bit.conf");
               AddItem(source->mutable_items(), "parsers.conf", "conf.d/parsers.conf")
                   ->set_mode(0600);
             },
             {}},
        Case{"configMap with every key", [](v1::DaemonSet* ds) { ConfigMap(ds); }, {}},
        Case{"configMap name required",
             [](v1::DaemonSet* ds) { ConfigMap(ds)->clear_name(); },
             {{kV1 + ".configMap.name", "Required value"}}},
        Case{"item path absolute",
             [](v1::DaemonSet* ds) { AddItem(ConfigMap(ds)->mutable_items(), "a", "/etc/a"); },
             {{kV1 + ".configMap.items[0].path",
               "Invalid value: \"/etc/a\": must be a relative path"}}},
        Case{
            "item path climbing",
            [](v1::DaemonSet* ds) { AddItem(ConfigMap(ds)->mutable_items(), "b", "conf/../../b"); },
            {{kV1 + ".configMap.items[0].path",
              "Invalid value: \"conf/../../b\": must not contain '..'"}}},
        Case{"item path starting with ..",
             [](v1::DaemonSet* ds) { AddItem(ConfigMap(ds)->mutable_items(), "a", "..data"); },
             {{kV1 + ".configMap.items[0].path",
               "Invalid value: \"..data\": must not start with '..'"}}},
        Case{"item path and key required",
             [](v1::DaemonSet* ds) { AddItem(ConfigMap(ds)->mutable_items(), "", ""); },
             {{kV1 + ".configMap.items[0].key", "Required value"},
              {kV1 + ".configMap.items[0].path", "Required value"}}},
        Case{"item key not a config key",
             [](v1::DaemonSet* ds) { AddItem(ConfigMap(ds)->mutable_items(), "a b", "a"); },
             InvalidEach(kV1 + ".configMap.items[0].key", "a b", CheckConfigMapKey("a b"))},
        Case{"item key too long",
             [](v1::DaemonSet* ds) {
               AddItem(ConfigMap(ds)->mutable_items(), std::string(254, 'k'), "a");
             },
             InvalidEach(kV1 + ".configMap.items[0].key", std::string(254, 'k'),
                         CheckConfigMapKey(std::string(254, 'k')))},
        Case{"modes out of range",
             [](v1::DaemonSet* ds) {
               ConfigMap(ds)->set_default_mode(01000);
               AddItem(Pod(ds)->mutable_volumes(1)->mutable_config_map()->mutable_items(), "a", "a")
                   ->set_mode(-1);
             },
             {{kV1 + ".configMap.defaultMode", std::string("Invalid value: 512: ") + kModeError},
              {kV1 + ".configMap.items[0].mode", std::string("Invalid value: -1: ") + kModeError}}},
        Case{"secret with items",
             [](v1::DaemonSet* ds) {
               v1::SecretVolumeSource* secret = AddVolume(ds)->mutable_secret();
               secret->set_secret_name("es-credentials");
               secret->set_default_mode(0400);
               AddItem(secret->mutable_items(), "tls.crt", "tls/tls.crt");
             },
             {}},
        Case{"secretName required, bad item",
             [](v1::DaemonSet* ds) {
               AddItem(AddVolume(ds)->mutable_secret()->mutable_items(), "tls.key", "/tls.key");
             },
             {{kV1 + ".secret.secretName", "Required value"},
              {kV1 + ".secret.items[0].path",
               "Invalid value: \"/tls.key\": must be a relative path"}}},
        Case{"hostPath and secret in one volume",
             [](v1::DaemonSet* ds) {
               Pod(ds)->mutable_volumes(0)->mutable_secret()->set_secret_name("s");
             },
             {{"spec.template.spec.volumes[0].secret",
               "Forbidden: may not specify more than 1 volume type"}}},
        Case{"every further source is reported",
             [](v1::DaemonSet* ds) {
               ConfigMap(ds);
               Pod(ds)->mutable_volumes(1)->mutable_projected();
               Pod(ds)->mutable_volumes(1)->mutable_downward_api();
             },
             {{kV1 + ".downwardAPI", "Forbidden: may not specify more than 1 volume type"},
              {kV1 + ".projected", "Forbidden: may not specify more than 1 volume type"}}}),
    validation_test::CaseName);

INSTANTIATE_TEST_SUITE_P(
    DownwardApi, ValidationCaseTest,
    testing::Values(
        Case{"pod fields as files",
             [](v1::DaemonSet* ds) {
               v1::DownwardAPIVolumeSource* source = DownwardApi(ds);
               source->set_default_mode(0644);
               AddFieldFile(source->mutable_items(), "labels", "metadata.labels");
               AddFieldFile(source->mutable_items(), "annotations", "metadata.annotations");
               AddFieldFile(source->mutable_items(), "name", "metadata.name");
               AddFieldFile(source->mutable_items(), "uid", "metadata.uid")->set_mode(0400);
               AddFieldFile(source->mutable_items(), "app", "metadata.labels['app']");
               AddFieldFile(source->mutable_items(), "owner",
                            "metadata.annotations['example.com/owner']");
               v1::DownwardAPIVolumeFile* limit = source->add_items();
               limit->set_path("mem_limit");
               limit->mutable_resource_field_ref()->set_container_name("fluentd-elasticsearch");
               limit->mutable_resource_field_ref()->set_resource("limits.memory");
               limit->mutable_resource_field_ref()->set_divisor("1Mi");
             },
             {}},
        Case{"field a volume cannot hold",
             [](v1::DaemonSet* ds) {
               AddFieldFile(DownwardApi(ds)->mutable_items(), "node", "spec.nodeName");
             },
             {{kV1 + ".downwardAPI.items[0].fieldRef.fieldPath",
               "Unsupported value \"spec.nodeName\": must be one of \"metadata.name\", "
               "\"metadata.namespace\", \"metadata.uid\", \"metadata.labels\", "
               "\"metadata.annotations\", \"metadata.labels['<KEY>']\", "
               "\"metadata.annotations['<KEY>']\""}}},
        Case{"bad label subscript",
             [](v1::DaemonSet* ds) {
               AddFieldFile(DownwardApi(ds)->mutable_items(), "a", "metadata.labels['a b']");
             },
             InvalidEach(kV1 + ".downwardAPI.items[0].fieldRef.fieldPath", "a b",
                         CheckQualifiedName("a b"))},
        Case{"resourceFieldRef needs containerName",
             [](v1::DaemonSet* ds) {
               v1::DownwardAPIVolumeFile* file = DownwardApi(ds)->add_items();
               file->set_path("cpu");
               file->mutable_resource_field_ref()->set_resource("requests.cpu");
             },
             {{kV1 + ".downwardAPI.items[0].resourceFieldRef.containerName", "Required value"}}},
        Case{"fieldRef and resourceFieldRef",
             [](v1::DaemonSet* ds) {
               v1::DownwardAPIVolumeFile* file =
                   AddFieldFile(DownwardApi(ds)->mutable_items(), "name", "metadata.name");
               file->mutable_resource_field_ref()->set_container_name("fluentd-elasticsearch");
               file->mutable_resource_field_ref()->set_resource("limits.cpu");
             },
             {{kV1 + ".downwardAPI.items[0]",
               "Forbidden: fieldRef and resourceFieldRef can not be specified simultaneously"}}},
        Case{"no selector, no path, bad mode",
             [](v1::DaemonSet* ds) {
               DownwardApi(ds)->add_items()->set_mode(0100000);
               Pod(ds)->mutable_volumes(1)->mutable_downward_api()->set_default_mode(-8);
             },
             {{kV1 + ".downwardAPI.defaultMode", std::string("Invalid value: -8: ") + kModeError},
              {kV1 + ".downwardAPI.items[0].path", "Required value"},
              {kV1 + ".downwardAPI.items[0]",
               "Required value: one of fieldRef and resourceFieldRef is required"},
              {kV1 + ".downwardAPI.items[0].mode",
               std::string("Invalid value: 32768: ") + kModeError}}}),
    validation_test::CaseName);

const std::string kSources = kV1 + ".projected.sources";

INSTANTIATE_TEST_SUITE_P(
    Projected, ValidationCaseTest,
    testing::Values(
        Case{"every kind of source", [](v1::DaemonSet* ds) { Projected(ds); }, {}},
        Case{"token lifetime unset is the default hour",
             [](v1::DaemonSet* ds) {
               Projected(ds)
                   ->mutable_sources(3)
                   ->mutable_service_account_token()
                   ->clear_expiration_seconds();
             },
             {}},
        Case{"token lifetime and path",
             [](v1::DaemonSet* ds) {
               v1::ServiceAccountTokenProjection* token =
                   Projected(ds)->mutable_sources(3)->mutable_service_account_token();
               token->set_expiration_seconds(599);
               token->clear_path();
             },
             {{kSources + "[3].serviceAccountToken.expirationSeconds",
               "Invalid value: 599: may not specify a duration less than 10 minutes"},
              {kSources + "[3].serviceAccountToken.path", "Required value"}}},
        Case{"token lifetime too long",
             [](v1::DaemonSet* ds) {
               Projected(ds)
                   ->mutable_sources(3)
                   ->mutable_service_account_token()
                   ->set_expiration_seconds((int64_t{1} << 32) + 1);
             },
             {{kSources + "[3].serviceAccountToken.expirationSeconds",
               "Invalid value: 4294967297: may not specify a duration larger than 2^32 seconds"}}},
        Case{"two files at one path",
             [](v1::DaemonSet* ds) {
               Projected(ds)->mutable_sources(3)->mutable_service_account_token()->set_path(
                   "ca.crt");
             },
             {{kSources + "[3].serviceAccountToken.path",
               "Invalid value: \"ca.crt\": conflicting duplicate paths"}}},
        Case{"source without a kind",
             [](v1::DaemonSet* ds) { Projected(ds)->add_sources(); },
             {{kSources + "[4]",
               "Required value: must specify one of: `configMap`, `secret`, `downwardAPI` or "
               "`serviceAccountToken`"}}},
        Case{"two kinds in one source",
             [](v1::DaemonSet* ds) {
               Projected(ds)->mutable_sources(0)->mutable_secret()->set_name("s");
             },
             {{kSources + "[0].configMap", "Forbidden: may not specify more than 1 volume type"}}},
        Case{"names required, bad mode and items",
             [](v1::DaemonSet* ds) {
               v1::ProjectedVolumeSource* projected = Projected(ds);
               projected->set_default_mode(0x7fffffff);
               projected->mutable_sources(0)->mutable_config_map()->clear_name();
               projected->mutable_sources(1)->mutable_secret()->clear_name();
               projected->mutable_sources(1)->mutable_secret()->mutable_items(0)->set_path(
                   "../token");
               projected->mutable_sources(2)
                   ->mutable_downward_api()
                   ->mutable_items(0)
                   ->mutable_field_ref()
                   ->set_field_path("status.podIP");
             },
             {{kV1 + ".projected.defaultMode",
               std::string("Invalid value: 2147483647: ") + kModeError},
              {kSources + "[0].configMap.name", "Required value"},
              {kSources + "[1].secret.name", "Required value"},
              {kSources + "[1].secret.items[0].path",
               "Invalid value: \"../token\": must not contain '..'"},
              {kSources + "[2].downwardAPI.items[0].fieldRef.fieldPath",
               "Unsupported value \"status.podIP\": must be one of \"metadata.name\", "
               "\"metadata.namespace\", \"metadata.uid\", \"metadata.labels\", "
               "\"metadata.annotations\", \"metadata.labels['<KEY>']\", "
               "\"metadata.annotations['<KEY>']\""}}}),
    validation_test::CaseName);

}  // namespace
}  // namespace fleetset
