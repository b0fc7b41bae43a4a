// ValidateDaemonSet: DaemonSet-level rules (metadata, selector, restart
// policy, update strategy, counts), whole-object behaviour, and agreement
// with the defaults.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fleetset/labels.h"
#include "fleetset/manifest.h"
#include "fleetset/names.h"
#include "validation_test_util.h"

namespace fleetset {
namespace {

using validation_test::Case;
using validation_test::InvalidEach;
using validation_test::Join;
using validation_test::Pod;
using validation_test::ValidDaemonSet;

v1::RollingUpdateDaemonSet* Rolling(v1::DaemonSet* ds) {
  return ds->mutable_spec()->mutable_update_strategy()->mutable_rolling_update();
}

class DaemonSetValidationTest : public testing::TestWithParam<Case> {};

TEST_P(DaemonSetValidationTest, ReportsExactlyTheExpectedErrors) {
  v1::DaemonSet daemon_set = ValidDaemonSet();
  GetParam().mutate(&daemon_set);
  EXPECT_THAT(ValidateDaemonSet(daemon_set), testing::ElementsAreArray(GetParam().want));
}

const std::string kLongName(254, 'a');

INSTANTIATE_TEST_SUITE_P(
    Metadata, DaemonSetValidationTest,
    testing::Values(
        Case{"name required",
             [](v1::DaemonSet* ds) { ds->mutable_metadata()->clear_name(); },
             {{"metadata.name", "Required value"}}},
        Case{"name not a subdomain",
             [](v1::DaemonSet* ds) { ds->mutable_metadata()->set_name("Fluentd_ES"); },
             InvalidEach("metadata.name", "Fluentd_ES", CheckDns1123Subdomain("Fluentd_ES"))},
        // Names are subdomains (dots allowed, up to 253): the pod name
        // generator truncates, as Kubernetes' does.
        Case{"dotted 100 char name is fine",
             [](v1::DaemonSet* ds) {
               ds->mutable_metadata()->set_name(std::string(60, 'a') + "." + std::string(39, 'b'));
             },
             {}},
        Case{"name too long",
             [](v1::DaemonSet* ds) { ds->mutable_metadata()->set_name(kLongName); },
             InvalidEach("metadata.name", kLongName, CheckDns1123Subdomain(kLongName))},
        Case{"namespace required",
             [](v1::DaemonSet* ds) { ds->mutable_metadata()->clear_namespace_(); },
             {{"metadata.namespace", "Required value"}}},
        Case{"namespace must be a label, not a subdomain",
             [](v1::DaemonSet* ds) { ds->mutable_metadata()->set_namespace_("kube.system"); },
             InvalidEach("metadata.namespace", "kube.system", CheckDns1123Label("kube.system"))},
        Case{"label value invalid",
             [](v1::DaemonSet* ds) { (*ds->mutable_metadata()->mutable_labels())["app"] = "-x"; },
             ValidateLabels(
                 [] {
                   google::protobuf::Map<std::string, std::string> labels;
                   labels["app"] = "-x";
                   labels["k8s-app"] = "fluentd-logging";
                   return labels;
                 }(),
                 "metadata.labels")},
        Case{
            "annotation key invalid",
            [](v1::DaemonSet* ds) { (*ds->mutable_metadata()->mutable_annotations())["a b"] = ""; },
            InvalidEach("metadata.annotations", "a b", CheckQualifiedName("a b"))},
        Case{"annotation keys are case-insensitive",
             [](v1::DaemonSet* ds) {
               (*ds->mutable_metadata()->mutable_annotations())["Example.COM/Owner"] = "x";
             },
             {}},
        Case{"annotations over 256 KiB",
             [](v1::DaemonSet* ds) {
               (*ds->mutable_metadata()->mutable_annotations())["big"] =
                   std::string(256 * 1024, 'x');
             },
             {{"metadata.annotations", "Too long: may not be more than 262144 bytes"}}},
        Case{"template annotations checked too",
             [](v1::DaemonSet* ds) {
               (*ds->mutable_spec()
                     ->mutable_template_()
                     ->mutable_metadata()
                     ->mutable_annotations())["/x"] = "";
             },
             InvalidEach("spec.template.metadata.annotations", "/x", CheckQualifiedName("/x"))}),
    validation_test::CaseName);

INSTANTIATE_TEST_SUITE_P(
    Selector, DaemonSetValidationTest,
    testing::Values(
        Case{"selector required",
             [](v1::DaemonSet* ds) { ds->mutable_spec()->clear_selector(); },
             {{"spec.selector", "Required value"}}},
        Case{"empty selector",
             [](v1::DaemonSet* ds) { ds->mutable_spec()->mutable_selector()->Clear(); },
             {{"spec.selector", "Invalid value: {}: empty selector is invalid for daemonset"}}},
        Case{"selector does not match template labels",
             [](v1::DaemonSet* ds) {
               auto* labels =
                   ds->mutable_spec()->mutable_template_()->mutable_metadata()->mutable_labels();
               (*labels)["name"] = "other";
               (*labels)["tier"] = "node";
             },
             {{"spec.template.metadata.labels",
               "Invalid value: map[name:other tier:node]: selector does not match template "
               "labels"}}},
        Case{"expression selector matching",
             [](v1::DaemonSet* ds) {
               auto* expression = ds->mutable_spec()->mutable_selector()->add_match_expressions();
               expression->set_key("name");
               expression->set_operator_("In");
               expression->add_values("fluentd-elasticsearch");
             },
             {}},
        // A malformed selector is reported once, not also as a mismatch.
        Case{"malformed selector is not also a mismatch",
             [](v1::DaemonSet* ds) {
               auto* expression = ds->mutable_spec()->mutable_selector()->add_match_expressions();
               expression->set_key("name");
               expression->set_operator_("In");
             },
             [] {
               v1::LabelSelector selector;
               (*selector.mutable_match_labels())["name"] = "fluentd-elasticsearch";
               selector.add_match_expressions()->set_key("name");
               selector.mutable_match_expressions(0)->set_operator_("In");
               return ValidateLabelSelector(selector, "spec.selector");
             }()},
        Case{"template label invalid",
             [](v1::DaemonSet* ds) {
               auto* labels =
                   ds->mutable_spec()->mutable_template_()->mutable_metadata()->mutable_labels();
               (*labels)["bad key!"] = "v";
             },
             InvalidEach("spec.template.metadata.labels", "bad key!",
                         CheckQualifiedName("bad key!"))}),
    validation_test::CaseName);

INSTANTIATE_TEST_SUITE_P(
    Spec, DaemonSetValidationTest,
    testing::Values(
        Case{"restartPolicy Never",
             [](v1::DaemonSet* ds) { Pod(ds)->set_restart_policy("Never"); },
             {{"spec.template.spec.restartPolicy",
               "Unsupported value \"Never\": must be \"Always\""}}},
        Case{"restartPolicy OnFailure",
             [](v1::DaemonSet* ds) { Pod(ds)->set_restart_policy("OnFailure"); },
             {{"spec.template.spec.restartPolicy",
               "Unsupported value \"OnFailure\": must be \"Always\""}}},
        Case{"restartPolicy empty",
             [](v1::DaemonSet* ds) { Pod(ds)->clear_restart_policy(); },
             {{"spec.template.spec.restartPolicy", "Required value"}}},
        Case{"minReadySeconds negative",
             [](v1::DaemonSet* ds) { ds->mutable_spec()->set_min_ready_seconds(-1); },
             {{"spec.minReadySeconds", "Invalid value: -1: must be greater than or equal to 0"}}},
        Case{"revisionHistoryLimit zero is fine",
             [](v1::DaemonSet* ds) { ds->mutable_spec()->set_revision_history_limit(0); },
             {}},
        Case{"revisionHistoryLimit negative",
             [](v1::DaemonSet* ds) { ds->mutable_spec()->set_revision_history_limit(-3); },
             {{"spec.revisionHistoryLimit",
               "Invalid value: -3: must be greater than or equal to 0"}}}),
    validation_test::CaseName);

INSTANTIATE_TEST_SUITE_P(
    UpdateStrategy, DaemonSetValidationTest,
    testing::Values(
        Case{"OnDelete without rollingUpdate",
             [](v1::DaemonSet* ds) {
               ds->mutable_spec()->mutable_update_strategy()->set_type("OnDelete");
               ds->mutable_spec()->mutable_update_strategy()->clear_rolling_update();
             },
             {}},
        Case{"OnDelete with rollingUpdate",
             [](v1::DaemonSet* ds) {
               ds->mutable_spec()->mutable_update_strategy()->set_type("OnDelete");
             },
             {{"spec.updateStrategy.rollingUpdate",
               "Forbidden: may not be specified when strategy `type` is 'OnDelete'"}}},
        Case{"unknown type",
             [](v1::DaemonSet* ds) {
               ds->mutable_spec()->mutable_update_strategy()->set_type("Recreate");
             },
             {{"spec.updateStrategy.type",
               "Unsupported value \"Recreate\": must be one of \"RollingUpdate\", \"OnDelete\""}}},
        Case{"RollingUpdate without rollingUpdate",
             [](v1::DaemonSet* ds) {
               ds->mutable_spec()->mutable_update_strategy()->clear_rolling_update();
             },
             {{"spec.updateStrategy.rollingUpdate", "Required value"}}},
        Case{"percent maxUnavailable",
             [](v1::DaemonSet* ds) { Rolling(ds)->mutable_max_unavailable()->set_str_val("30%"); },
             {}},
        Case{"100% maxUnavailable",
             [](v1::DaemonSet* ds) { Rolling(ds)->mutable_max_unavailable()->set_str_val("100%"); },
             {}},
        Case{"maxUnavailable not a percent",
             [](v1::DaemonSet* ds) { Rolling(ds)->mutable_max_unavailable()->set_str_val("abc"); },
             {{"spec.updateStrategy.rollingUpdate.maxUnavailable",
               "Invalid value: \"abc\": a valid percent string must be a numeric string followed "
               "by an ending '%' (e.g. '1%' or '93%', regex used for validation is '[0-9]+%')"}}},
        Case{"maxUnavailable over 100%",
             [](v1::DaemonSet* ds) { Rolling(ds)->mutable_max_unavailable()->set_str_val("150%"); },
             {{"spec.updateStrategy.rollingUpdate.maxUnavailable",
               "Invalid value: \"150%\": must not be greater than 100%"}}},
        Case{"maxUnavailable huge percent does not overflow",
             [](v1::DaemonSet* ds) {
               Rolling(ds)->mutable_max_unavailable()->set_str_val("99999999999999999999999%");
             },
             {{"spec.updateStrategy.rollingUpdate.maxUnavailable",
               "Invalid value: \"99999999999999999999999%\": must not be greater than 100%"}}},
        Case{"maxUnavailable negative",
             [](v1::DaemonSet* ds) { Rolling(ds)->mutable_max_unavailable()->set_int_val(-1); },
             {{"spec.updateStrategy.rollingUpdate.maxUnavailable",
               "Invalid value: -1: must be greater than or equal to 0"}}},
        Case{"both zero",
             [](v1::DaemonSet* ds) { Rolling(ds)->mutable_max_unavailable()->set_int_val(0); },
             {{"spec.updateStrategy.rollingUpdate.maxUnavailable",
               "Invalid value: 0: may not be 0 when maxSurge is 0"}}},
        Case{"zero percent and unset surge are both zero",
             [](v1::DaemonSet* ds) {
               Rolling(ds)->mutable_max_unavailable()->set_str_val("0%");
               Rolling(ds)->clear_max_surge();
             },
             {{"spec.updateStrategy.rollingUpdate.maxUnavailable",
               "Invalid value: \"0%\": may not be 0 when maxSurge is 0"}}},
        Case{"surge instead of unavailable",
             [](v1::DaemonSet* ds) {
               Rolling(ds)->mutable_max_unavailable()->set_int_val(0);
               Rolling(ds)->mutable_max_surge()->set_str_val("10%");
             },
             {}},
        Case{"surge and unavailable both set",
             [](v1::DaemonSet* ds) { Rolling(ds)->mutable_max_surge()->set_int_val(2); },
             {{"spec.updateStrategy.rollingUpdate.maxSurge",
               "Invalid value: 2: may not be set when maxUnavailable is non-zero"}}},
        Case{"maxSurge over 100% reported alone",
             [](v1::DaemonSet* ds) {
               Rolling(ds)->mutable_max_unavailable()->set_int_val(0);
               Rolling(ds)->mutable_max_surge()->set_str_val("101%");
             },
             {{"spec.updateStrategy.rollingUpdate.maxSurge",
               "Invalid value: \"101%\": must not be greater than 100%"}}}),
    validation_test::CaseName);

TEST(ValidateDaemonSetTest, ValidObjectHasNoErrors) {
  EXPECT_THAT(ValidateDaemonSet(ValidDaemonSet()), testing::IsEmpty());
}

TEST(ValidateDaemonSetTest, DefaultsOfAMinimalManifestValidate) {
  // What the decoder produces for a minimal manifest, then defaults: the two
  // halves must agree, or every plain manifest would be refused.
  v1::DaemonSet daemon_set;
  daemon_set.mutable_metadata()->set_name("agent");
  (*daemon_set.mutable_spec()->mutable_selector()->mutable_match_labels())["app"] = "agent";
  auto* pod_template = daemon_set.mutable_spec()->mutable_template_();
  (*pod_template->mutable_metadata()->mutable_labels())["app"] = "agent";
  v1::Container* container = pod_template->mutable_spec()->add_containers();
  container->set_name("agent");
  container->set_image("busybox");
  container->add_ports()->set_container_port(8080);
  container->mutable_readiness_probe()->mutable_tcp_socket()->mutable_port()->set_int_val(8080);
  ApplyDaemonSetDefaults(&daemon_set);
  EXPECT_THAT(ValidateDaemonSet(daemon_set), testing::IsEmpty());
}

TEST(ValidateDaemonSetTest, EmptyObjectFromTheWireReportsEveryMissingField) {
  // Nothing defaulted, nothing present: every required field, no crash.
  EXPECT_THAT(ValidateDaemonSet(v1::DaemonSet()),
              testing::ElementsAreArray(FieldErrors{
                  {"metadata.name", "Required value"},
                  {"metadata.namespace", "Required value"},
                  {"spec.selector", "Required value"},
                  {"spec.template.spec.containers", "Required value"},
                  {"spec.template.spec.dnsPolicy", "Required value"},
                  {"spec.template.spec.restartPolicy", "Required value"},
                  {"spec.updateStrategy.type", "Required value"},
              }));
}

TEST(ValidateDaemonSetTest, ReportsEveryErrorAtOnce) {
  v1::DaemonSet daemon_set = ValidDaemonSet();
  daemon_set.mutable_metadata()->set_name("Bad_Name");
  v1::PodSpec* pod = Pod(&daemon_set);
  pod->set_restart_policy("Never");
  pod->mutable_containers(0)->set_name("app");
  pod->mutable_containers(0)->clear_image();
  pod->mutable_containers(0)->mutable_volume_mounts(0)->set_name("missing");
  *pod->add_containers() = pod->containers(0);
  pod->mutable_containers(1)->set_image("busybox");
  pod->mutable_tolerations(0)->set_operator_("Sometimes");
  pod->mutable_tolerations(0)->set_value("x");
  daemon_set.mutable_spec()->set_min_ready_seconds(-5);
  Rolling(&daemon_set)->mutable_max_unavailable()->set_str_val("150%");

  const std::string c0 = "spec.template.spec.containers[0]";
  const std::string c1 = "spec.template.spec.containers[1]";
  EXPECT_THAT(
      ValidateDaemonSet(daemon_set),
      testing::ElementsAreArray(Join({
          InvalidEach("metadata.name", "Bad_Name", CheckDns1123Subdomain("Bad_Name")),
          {{c0 + ".image", "Required value"},
           {c0 + ".volumeMounts[0].name", "Not found: \"missing\""},
           {c1 + ".volumeMounts[0].name", "Not found: \"missing\""},
           {c1 + ".name", "Duplicate value: \"app\""},
           {"spec.template.spec.tolerations[0].operator",
            "Unsupported value \"Sometimes\": must be one of \"Equal\", \"Exists\""},
           {"spec.template.spec.restartPolicy", "Unsupported value \"Never\": must be \"Always\""},
           {"spec.minReadySeconds", "Invalid value: -5: must be greater than or equal to 0"},
           {"spec.updateStrategy.rollingUpdate.maxUnavailable",
            "Invalid value: \"150%\": must not be greater than 100%"}},
      })));
}

TEST(ValidateDaemonSetTest, HugeValuesAreCutInMessages) {
  v1::DaemonSet daemon_set = ValidDaemonSet();
  Pod(&daemon_set)->set_restart_policy(std::string(1 << 20, 'x'));
  const FieldErrors errors = ValidateDaemonSet(daemon_set);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].message,
            "Unsupported value \"" + std::string(256, 'x') + "...\": must be \"Always\"");
}

TEST(ValidateDaemonSetTest, NameMessagesUseKubernetesWording) {
  v1::DaemonSet daemon_set = ValidDaemonSet();
  validation_test::Container(&daemon_set)->set_name("Foo_Bar");
  const FieldErrors errors = ValidateDaemonSet(daemon_set);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].path, "spec.template.spec.containers[0].name");
  EXPECT_THAT(errors[0].message,
              testing::StartsWith("Invalid value: \"Foo_Bar\": a lowercase RFC 1123 label must "
                                  "consist of"));
}

}  // namespace
}  // namespace fleetset
