// ValidateDaemonSet: the pod template's spec and containers (names, image,
// ports, env, resources, volumes and mounts, probes, hooks, security).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fleetset/manifest.h"
#include "fleetset/names.h"
#include "fleetset/quantity.h"
#include "validation_test_util.h"

namespace fleetset {
namespace {

using validation_test::Case;
using validation_test::Container;
using validation_test::InvalidEach;
using validation_test::Pod;
using validation_test::ValidDaemonSet;

const std::string kPod = "spec.template.spec";
const std::string kC0 = kPod + ".containers[0]";

// A second app container that is valid on its own.
v1::Container* AddSidecar(v1::DaemonSet* ds, const std::string& name = "sidecar") {
  v1::Container* sidecar = Pod(ds)->add_containers();
  sidecar->set_name(name);
  sidecar->set_image("busybox:1.36");
  sidecar->set_image_pull_policy("IfNotPresent");
  sidecar->set_termination_message_policy("File");
  return sidecar;
}

v1::Container* AddInit(v1::DaemonSet* ds, const std::string& name = "init") {
  v1::Container* init = Pod(ds)->add_init_containers();
  *init = *AddSidecar(ds, name);
  Pod(ds)->mutable_containers()->RemoveLast();
  return init;
}

v1::Probe* Liveness(v1::DaemonSet* ds) { return Container(ds)->mutable_liveness_probe(); }

std::string QuantityError(const std::string& text) {
  std::string error;
  EXPECT_FALSE(Quantity::Parse(text, &error).has_value());
  return error;
}

class PodValidationTest : public testing::TestWithParam<Case> {};

TEST_P(PodValidationTest, ReportsExactlyTheExpectedErrors) {
  v1::DaemonSet daemon_set = ValidDaemonSet();
  GetParam().mutate(&daemon_set);
  EXPECT_THAT(ValidateDaemonSet(daemon_set), testing::ElementsAreArray(GetParam().want));
}

INSTANTIATE_TEST_SUITE_P(
    PodSpec, PodValidationTest,
    testing::Values(
        Case{"containers required",
             [](v1::DaemonSet* ds) { Pod(ds)->clear_containers(); },
             // The mount-less pod still declares its volume: that is fine.
             {{kPod + ".containers", "Required value"}}},
        Case{"terminationGracePeriodSeconds negative",
             [](v1::DaemonSet* ds) { Pod(ds)->set_termination_grace_period_seconds(-1); },
             {{kPod + ".terminationGracePeriodSeconds",
               "Invalid value: -1: must be greater than or equal to 0"}}},
        Case{"dnsPolicy unknown",
             [](v1::DaemonSet* ds) { Pod(ds)->set_dns_policy("Custom"); },
             {{kPod + ".dnsPolicy",
               "Unsupported value \"Custom\": must be one of \"ClusterFirst\", "
               "\"ClusterFirstWithHostNet\", \"Default\", \"None\""}}},
        Case{"dnsPolicy None needs dnsConfig",
             [](v1::DaemonSet* ds) { Pod(ds)->set_dns_policy("None"); },
             {{kPod + ".dnsConfig",
               "Required value: must provide `dnsConfig` when `dnsPolicy` is None"}}},
        Case{"dnsConfig nameserver not an IP",
             [](v1::DaemonSet* ds) {
               Pod(ds)->mutable_dns_config()->add_nameservers("10.0.0.10");
               Pod(ds)->mutable_dns_config()->add_nameservers("dns.local");
             },
             {{kPod + ".dnsConfig.nameservers[1]",
               "Invalid value: \"dns.local\": must be valid IP address"}}},
        Case{"priorityClassName not a subdomain",
             [](v1::DaemonSet* ds) { Pod(ds)->set_priority_class_name("System_Critical"); },
             InvalidEach(kPod + ".priorityClassName", "System_Critical",
                         CheckDns1123Subdomain("System_Critical"))},
        Case{"priorityClassName valid",
             [](v1::DaemonSet* ds) { Pod(ds)->set_priority_class_name("system-node-critical"); },
             {}},
        Case{
            "serviceAccountName invalid",
            [](v1::DaemonSet* ds) { Pod(ds)->set_service_account_name("Fluentd"); },
            InvalidEach(kPod + ".serviceAccountName", "Fluentd", CheckDns1123Subdomain("Fluentd"))},
        Case{"pod runAsUser negative",
             [](v1::DaemonSet* ds) { Pod(ds)->mutable_security_context()->set_run_as_user(-1); },
             {{kPod + ".securityContext.runAsUser",
               "Invalid value: -1: must be between 0 and 2147483647, inclusive"}}},
        Case{"hostNetwork with different hostPort",
             [](v1::DaemonSet* ds) {
               Pod(ds)->set_host_network(true);
               Container(ds)->mutable_ports(0)->set_host_port(8080);
             },
             {{kC0 + ".ports[0].containerPort",
               "Invalid value: 24231: must match `hostPort` when `hostNetwork` is true"}}},
        Case{"hostNetwork with equal hostPort",
             [](v1::DaemonSet* ds) {
               Pod(ds)->set_host_network(true);
               Container(ds)->mutable_ports(0)->set_host_port(24231);
             },
             {}}),
    validation_test::CaseName);

INSTANTIATE_TEST_SUITE_P(
    Containers, PodValidationTest,
    testing::Values(
        Case{"name required",
             [](v1::DaemonSet* ds) { Container(ds)->clear_name(); },
             {{kC0 + ".name", "Required value"}}},
        Case{"name not a label", [](v1::DaemonSet* ds) { Container(ds)->set_name("Foo_Bar"); },
             InvalidEach(kC0 + ".name", "Foo_Bar", CheckDns1123Label("Foo_Bar"))},
        Case{"duplicate name among app containers",
             [](v1::DaemonSet* ds) { AddSidecar(ds, "fluentd-elasticsearch"); },
             {{kPod + ".containers[1].name", "Duplicate value: \"fluentd-elasticsearch\""}}},
        Case{"duplicate name across init and app containers",
             [](v1::DaemonSet* ds) { AddInit(ds, "fluentd-elasticsearch"); },
             {{kC0 + ".name", "Duplicate value: \"fluentd-elasticsearch\""}}},
        Case{"image required",
             [](v1::DaemonSet* ds) { Container(ds)->clear_image(); },
             {{kC0 + ".image", "Required value"}}},
        Case{"blank image",
             [](v1::DaemonSet* ds) { Container(ds)->set_image(" \t"); },
             {{kC0 + ".image", "Required value"}}},
        Case{"image with surrounding space",
             [](v1::DaemonSet* ds) { Container(ds)->set_image(" busybox"); },
             {{kC0 + ".image",
               "Invalid value: \" busybox\": must not have leading or trailing whitespace"}}},
        Case{"imagePullPolicy unknown",
             [](v1::DaemonSet* ds) { Container(ds)->set_image_pull_policy("Sometimes"); },
             {{kC0 + ".imagePullPolicy",
               "Unsupported value \"Sometimes\": must be one of \"Always\", \"IfNotPresent\", "
               "\"Never\""}}},
        Case{"imagePullPolicy Never",
             [](v1::DaemonSet* ds) { Container(ds)->set_image_pull_policy("Never"); },
             {}},
        Case{"command and args are free-form",
             [](v1::DaemonSet* ds) {
               Container(ds)->add_command("/bin/sh");
               Container(ds)->add_args("-c");
               Container(ds)->add_args("");
             },
             {}},
        Case{"workingDir relative",
             [](v1::DaemonSet* ds) { Container(ds)->set_working_dir("data"); },
             {{kC0 + ".workingDir", "Invalid value: \"data\": must be an absolute path"}}},
        Case{"terminationMessagePolicy unknown",
             [](v1::DaemonSet* ds) { Container(ds)->set_termination_message_policy("Logs"); },
             {{kC0 + ".terminationMessagePolicy",
               "Unsupported value \"Logs\": must be one of \"File\", "
               "\"FallbackToLogsOnError\""}}},
        Case{"init container may not have probes or hooks",
             [](v1::DaemonSet* ds) {
               v1::Container* init = AddInit(ds);
               init->mutable_readiness_probe()->mutable_exec()->add_command("true");
               init->mutable_lifecycle()->mutable_pre_stop()->mutable_exec()->add_command("true");
             },
             {{kPod + ".initContainers[0].readinessProbe",
               "Forbidden: may not be set for init containers"},
              {kPod + ".initContainers[0].lifecycle",
               "Forbidden: may not be set for init containers"}}},
        Case{"capability unknown",
             [](v1::DaemonSet* ds) {
               auto* caps = Container(ds)->mutable_security_context()->mutable_capabilities();
               caps->add_add("NET_ADMIN");
               caps->add_add("cap_sys_time");
               caps->add_drop("ALL");
               caps->add_drop("NET_FOO");
             },
             {{kC0 + ".securityContext.capabilities.drop[1]",
               "Invalid value: \"NET_FOO\": must be a Linux capability name (e.g. 'NET_ADMIN', "
               "'CAP_SYS_TIME' or 'ALL')"}}},
        Case{"runAsUser negative",
             [](v1::DaemonSet* ds) {
               Container(ds)->mutable_security_context()->set_run_as_user(-5);
             },
             {{kC0 + ".securityContext.runAsUser",
               "Invalid value: -5: must be between 0 and 2147483647, inclusive"}}},
        Case{"privileged without escalation",
             [](v1::DaemonSet* ds) {
               Container(ds)->mutable_security_context()->set_privileged(true);
               Container(ds)->mutable_security_context()->set_allow_privilege_escalation(false);
             },
             {{kC0 + ".securityContext",
               "Forbidden: cannot set `allowPrivilegeEscalation` to false and `privileged` to "
               "true"}}}),
    validation_test::CaseName);

INSTANTIATE_TEST_SUITE_P(
    Escalation, PodValidationTest,
    testing::Values(Case{"SYS_ADMIN without escalation",
                         [](v1::DaemonSet* ds) {
                           auto* context = Container(ds)->mutable_security_context();
                           context->set_allow_privilege_escalation(false);
                           context->mutable_capabilities()->add_add("CAP_SYS_ADMIN");
                         },
                         {{kC0 + ".securityContext",
                           "Forbidden: cannot set `allowPrivilegeEscalation` to false and "
                           "`capabilities.Add` CAP_SYS_ADMIN"}}},
                    Case{"other capability without escalation",
                         [](v1::DaemonSet* ds) {
                           auto* context = Container(ds)->mutable_security_context();
                           context->set_allow_privilege_escalation(false);
                           context->mutable_capabilities()->add_add("NET_BIND_SERVICE");
                         },
                         {}}),
    validation_test::CaseName);

INSTANTIATE_TEST_SUITE_P(
    Ports, PodValidationTest,
    testing::Values(
        Case{"containerPort required",
             [](v1::DaemonSet* ds) { Container(ds)->mutable_ports(0)->clear_container_port(); },
             {{kC0 + ".ports[0].containerPort", "Required value"}}},
        Case{"containerPort out of range",
             [](v1::DaemonSet* ds) { Container(ds)->mutable_ports(0)->set_container_port(70000); },
             {{kC0 + ".ports[0].containerPort",
               "Invalid value: 70000: must be between 1 and 65535, inclusive"}}},
        Case{"hostPort negative",
             [](v1::DaemonSet* ds) { Container(ds)->mutable_ports(0)->set_host_port(-1); },
             {{kC0 + ".ports[0].hostPort",
               "Invalid value: -1: must be between 1 and 65535, inclusive"}}},
        Case{"protocol unknown",
             [](v1::DaemonSet* ds) { Container(ds)->mutable_ports(0)->set_protocol("tcp"); },
             {{kC0 + ".ports[0].protocol",
               "Unsupported value \"tcp\": must be one of \"SCTP\", \"TCP\", \"UDP\""}}},
        Case{"protocol required",
             [](v1::DaemonSet* ds) { Container(ds)->mutable_ports(0)->clear_protocol(); },
             {{kC0 + ".ports[0].protocol", "Required value"}}},
        Case{"port name too long and bad",
             [](v1::DaemonSet* ds) {
               Container(ds)->mutable_ports(0)->set_name("Metrics-Port-Number");
               Liveness(ds)->mutable_http_get()->mutable_port()->set_int_val(24231);
             },
             {{kC0 + ".ports[0].name",
               "Invalid value: \"Metrics-Port-Number\": must be no more than 15 characters"},
              {kC0 + ".ports[0].name",
               "Invalid value: \"Metrics-Port-Number\": must contain only alpha-numeric "
               "characters (a-z, 0-9), and hyphens (-)"}}},
        Case{"port name without letters",
             [](v1::DaemonSet* ds) {
               Container(ds)->mutable_ports(0)->set_name("80");
               Liveness(ds)->mutable_http_get()->mutable_port()->set_int_val(24231);
             },
             {{kC0 + ".ports[0].name",
               "Invalid value: \"80\": must contain at least one letter (a-z)"}}},
        Case{"duplicate port name",
             [](v1::DaemonSet* ds) {
               auto* port = Container(ds)->add_ports();
               port->set_name("metrics");
               port->set_container_port(9000);
               port->set_protocol("TCP");
             },
             {{kC0 + ".ports[1].name", "Duplicate value: \"metrics\""}}},
        Case{"hostIP invalid",
             [](v1::DaemonSet* ds) { Container(ds)->mutable_ports(0)->set_host_ip("localhost"); },
             {{kC0 + ".ports[0].hostIP",
               "Invalid value: \"localhost\": must be a valid IP address"}}},
        Case{"same hostPort and protocol in two containers",
             [](v1::DaemonSet* ds) {
               Container(ds)->mutable_ports(0)->set_host_port(8080);
               auto* port = AddSidecar(ds)->add_ports();
               port->set_container_port(9000);
               port->set_host_port(8080);
               port->set_protocol("TCP");
             },
             {{kPod + ".containers[1].ports[0].hostPort", "Duplicate value: \"TCP//8080\""}}},
        Case{"same hostPort with other protocol is fine",
             [](v1::DaemonSet* ds) {
               Container(ds)->mutable_ports(0)->set_host_port(8080);
               auto* port = AddSidecar(ds)->add_ports();
               port->set_container_port(9000);
               port->set_host_port(8080);
               port->set_protocol("UDP");
             },
             {}},
        // Init containers run before the app containers, one at a time.
        Case{"init container may reuse an app hostPort",
             [](v1::DaemonSet* ds) {
               Container(ds)->mutable_ports(0)->set_host_port(8080);
               auto* port = AddInit(ds)->add_ports();
               port->set_container_port(8080);
               port->set_host_port(8080);
               port->set_protocol("TCP");
             },
             {}}),
    validation_test::CaseName);

v1::EnvVar* Env(v1::DaemonSet* ds) { return Container(ds)->mutable_env(0); }
v1::ObjectFieldSelector* FieldRef(v1::DaemonSet* ds) {
  return Env(ds)->mutable_value_from()->mutable_field_ref();
}

INSTANTIATE_TEST_SUITE_P(
    Env, PodValidationTest,
    testing::Values(
        Case{"name required",
             [](v1::DaemonSet* ds) { Env(ds)->clear_name(); },
             {{kC0 + ".env[0].name", "Required value"}}},
        Case{"name invalid", [](v1::DaemonSet* ds) { Env(ds)->set_name("1=x"); },
             InvalidEach(kC0 + ".env[0].name", "1=x", CheckEnvVarName("1=x"))},
        Case{"value and valueFrom",
             [](v1::DaemonSet* ds) { Env(ds)->set_value("node-1"); },
             {{kC0 + ".env[0].valueFrom",
               "Forbidden: may not be specified when `value` is not empty"}}},
        Case{"valueFrom without source",
             [](v1::DaemonSet* ds) { Env(ds)->mutable_value_from()->clear_field_ref(); },
             {{kC0 + ".env[0].valueFrom",
               "Required value: must specify one of: `fieldRef`, `resourceFieldRef`, "
               "`configMapKeyRef` or `secretKeyRef`"}}},
        Case{"two sources",
             [](v1::DaemonSet* ds) {
               Env(ds)->mutable_value_from()->mutable_resource_field_ref()->set_resource(
                   "limits.memory");
             },
             {{kC0 + ".env[0].valueFrom",
               "Forbidden: may not have more than one field specified at a time"}}},
        Case{"fieldPath unsupported",
             [](v1::DaemonSet* ds) { FieldRef(ds)->set_field_path("spec.hostname"); },
             {{kC0 + ".env[0].valueFrom.fieldRef.fieldPath",
               "Unsupported value \"spec.hostname\": must be one of \"metadata.name\", "
               "\"metadata.namespace\", \"metadata.uid\", \"metadata.labels['<KEY>']\", "
               "\"metadata.annotations['<KEY>']\", \"spec.nodeName\", "
               "\"spec.serviceAccountName\", \"status.hostIP\", \"status.hostIPs\", "
               "\"status.podIP\", \"status.podIPs\""}}},
        Case{"whole labels map unsupported in env",
             [](v1::DaemonSet* ds) { FieldRef(ds)->set_field_path("metadata.labels"); },
             {{kC0 + ".env[0].valueFrom.fieldRef.fieldPath",
               "Unsupported value \"metadata.labels\": must be one of \"metadata.name\", "
               "\"metadata.namespace\", \"metadata.uid\", \"metadata.labels['<KEY>']\", "
               "\"metadata.annotations['<KEY>']\", \"spec.nodeName\", "
               "\"spec.serviceAccountName\", \"status.hostIP\", \"status.hostIPs\", "
               "\"status.podIP\", \"status.podIPs\""}}},
        Case{"subscripted label and annotation",
             [](v1::DaemonSet* ds) {
               FieldRef(ds)->set_field_path("metadata.labels['app.kubernetes.io/name']");
               *Container(ds)->add_env() = *Env(ds);
               Container(ds)->mutable_env(1)->set_name("OWNER");
               Container(ds)
                   ->mutable_env(1)
                   ->mutable_value_from()
                   ->mutable_field_ref()
                   ->set_field_path("metadata.annotations['Example.com/Owner']");
             },
             {}},
        Case{"subscripted label key invalid",
             [](v1::DaemonSet* ds) { FieldRef(ds)->set_field_path("metadata.labels['a b']"); },
             InvalidEach(kC0 + ".env[0].valueFrom.fieldRef.fieldPath", "a b",
                         CheckQualifiedName("a b"))},
        Case{"subscript on other field",
             [](v1::DaemonSet* ds) { FieldRef(ds)->set_field_path("spec.nodeName['x']"); },
             {{kC0 + ".env[0].valueFrom.fieldRef.fieldPath",
               "Invalid value: \"spec.nodeName\": does not support subscript"}}},
        Case{"apiVersion other than v1",
             [](v1::DaemonSet* ds) { FieldRef(ds)->set_api_version("v2"); },
             {{kC0 + ".env[0].valueFrom.fieldRef.apiVersion",
               "Unsupported value \"v2\": must be \"v1\""}}},
        Case{"apiVersion omitted means v1",
             [](v1::DaemonSet* ds) { FieldRef(ds)->clear_api_version(); },
             {}},
        Case{"fieldPath required",
             [](v1::DaemonSet* ds) { FieldRef(ds)->clear_field_path(); },
             {{kC0 + ".env[0].valueFrom.fieldRef.fieldPath", "Required value"}}},
        Case{"resourceFieldRef",
             [](v1::DaemonSet* ds) {
               auto* ref = Env(ds)->mutable_value_from()->mutable_resource_field_ref();
               Env(ds)->mutable_value_from()->clear_field_ref();
               ref->set_resource("limits.gpu");
               ref->set_divisor("0");
             },
             {{kC0 + ".env[0].valueFrom.resourceFieldRef.resource",
               "Unsupported value \"limits.gpu\": must be one of \"limits.cpu\", "
               "\"limits.ephemeral-storage\", \"limits.hugepages-<size>\", \"limits.memory\", "
               "\"requests.cpu\", \"requests.ephemeral-storage\", "
               "\"requests.hugepages-<size>\", \"requests.memory\""},
              {kC0 + ".env[0].valueFrom.resourceFieldRef.divisor",
               "Invalid value: \"0\": must be greater than 0"}}}),
    validation_test::CaseName);

google::protobuf::Map<std::string, std::string>* Limits(v1::DaemonSet* ds) {
  return Container(ds)->mutable_resources()->mutable_limits();
}
google::protobuf::Map<std::string, std::string>* Requests(v1::DaemonSet* ds) {
  return Container(ds)->mutable_resources()->mutable_requests();
}

INSTANTIATE_TEST_SUITE_P(
    Resources, PodValidationTest,
    testing::Values(
        Case{"unknown resource",
             [](v1::DaemonSet* ds) { (*Limits(ds))["nvidia.com/gpu"] = "1"; },
             {{kC0 + ".resources.limits[nvidia.com/gpu]",
               "Invalid value: \"nvidia.com/gpu\": must be a standard resource for containers"}}},
        Case{"bad quantity",
             [](v1::DaemonSet* ds) { (*Requests(ds))["cpu"] = "lots"; },
             {{kC0 + ".resources.requests[cpu]",
               "Invalid value: \"lots\": " + QuantityError("lots")}}},
        Case{"negative quantity",
             [](v1::DaemonSet* ds) { (*Limits(ds))["memory"] = "-1Gi"; },
             {{kC0 + ".resources.limits[memory]",
               "Invalid value: \"-1Gi\": must be greater than or equal to 0"}}},
        Case{"request above limit",
             [](v1::DaemonSet* ds) { (*Requests(ds))["memory"] = "1Gi"; },
             {{kC0 + ".resources.requests[memory]",
               "Invalid value: \"1Gi\": must be less than or equal to memory limit of 200Mi"}}},
        Case{"request equal to limit in other units",
             [](v1::DaemonSet* ds) {
               (*Limits(ds))["cpu"] = "0.1";
               (*Requests(ds))["memory"] = "204800Ki";
             },
             {}},
        Case{"ephemeral-storage and hugepages",
             [](v1::DaemonSet* ds) {
               (*Limits(ds))["ephemeral-storage"] = "1Gi";
               (*Limits(ds))["hugepages-2Mi"] = "100Mi";
               (*Requests(ds))["hugepages-2Mi"] = "100Mi";
             },
             {}},
        Case{"hugepages request differs from limit",
             [](v1::DaemonSet* ds) {
               (*Limits(ds))["hugepages-2Mi"] = "100Mi";
               (*Requests(ds))["hugepages-2Mi"] = "50Mi";
             },
             {{kC0 + ".resources.requests[hugepages-2Mi]",
               "Invalid value: \"50Mi\": must be equal to hugepages-2Mi limit of 100Mi"}}},
        Case{"hugepages request without limit",
             [](v1::DaemonSet* ds) { (*Requests(ds))["hugepages-1Gi"] = "1Gi"; },
             {{kC0 + ".resources.limits",
               "Required value: Limit must be set for non overcommitable resources"}}},
        Case{"hugepages alone",
             [](v1::DaemonSet* ds) {
               Container(ds)->clear_resources();
               (*Limits(ds))["hugepages-2Mi"] = "100Mi";
             },
             {{kC0 + ".resources", "Forbidden: HugePages require cpu or memory"}}}),
    validation_test::CaseName);

v1::Volume* Volume(v1::DaemonSet* ds) { return Pod(ds)->mutable_volumes(0); }
v1::VolumeMount* Mount(v1::DaemonSet* ds) { return Container(ds)->mutable_volume_mounts(0); }

INSTANTIATE_TEST_SUITE_P(
    Volumes, PodValidationTest,
    testing::Values(
        Case{"volume name invalid",
             [](v1::DaemonSet* ds) {
               Volume(ds)->set_name("Var.Log");
               Mount(ds)->set_name("Var.Log");
             },
             InvalidEach(kPod + ".volumes[0].name", "Var.Log", CheckDns1123Label("Var.Log"))},
        Case{"volume name required",
             [](v1::DaemonSet* ds) { Volume(ds)->clear_name(); },
             {{kPod + ".volumes[0].name", "Required value"},
              {kC0 + ".volumeMounts[0].name", "Not found: \"varlog\""}}},
        Case{"duplicate volume name",
             [](v1::DaemonSet* ds) { *Pod(ds)->add_volumes() = *Volume(ds); },
             {{kPod + ".volumes[1].name", "Duplicate value: \"varlog\""}}},
        Case{"no source",
             [](v1::DaemonSet* ds) { Volume(ds)->clear_host_path(); },
             {{kPod + ".volumes[0]", "Required value: must specify a volume type"}}},
        Case{"two sources",
             [](v1::DaemonSet* ds) { Volume(ds)->mutable_empty_dir(); },
             {{kPod + ".volumes[0].emptyDir",
               "Forbidden: may not specify more than 1 volume type"}}},
        Case{"hostPath path required",
             [](v1::DaemonSet* ds) { Volume(ds)->mutable_host_path()->clear_path(); },
             {{kPod + ".volumes[0].hostPath.path", "Required value"}}},
        Case{"hostPath path climbing",
             [](v1::DaemonSet* ds) { Volume(ds)->mutable_host_path()->set_path("/var/../etc"); },
             {{kPod + ".volumes[0].hostPath.path",
               "Invalid value: \"/var/../etc\": must not contain '..'"}}},
        Case{"hostPath path relative",
             [](v1::DaemonSet* ds) { Volume(ds)->mutable_host_path()->set_path("var/log"); },
             {{kPod + ".volumes[0].hostPath.path",
               "Invalid value: \"var/log\": must be an absolute path"}}},
        Case{"hostPath type unknown",
             [](v1::DaemonSet* ds) { Volume(ds)->mutable_host_path()->set_type("Dir"); },
             {{kPod + ".volumes[0].hostPath.type",
               "Unsupported value \"Dir\": must be one of \"\", \"DirectoryOrCreate\", "
               "\"Directory\", \"FileOrCreate\", \"File\", \"Socket\", \"CharDevice\", "
               "\"BlockDevice\""}}},
        Case{"emptyDir medium and size",
             [](v1::DaemonSet* ds) {
               Volume(ds)->clear_host_path();
               Volume(ds)->mutable_empty_dir()->set_medium("HugePages");
               Volume(ds)->mutable_empty_dir()->set_size_limit("-1Mi");
             },
             {{kPod + ".volumes[0].emptyDir.medium",
               "Unsupported value \"HugePages\": must be one of \"\", \"Memory\""},
              {kPod + ".volumes[0].emptyDir.sizeLimit",
               "Invalid value: \"-1Mi\": must be greater than or equal to 0"}}},
        Case{"emptyDir in memory",
             [](v1::DaemonSet* ds) {
               Volume(ds)->clear_host_path();
               Volume(ds)->mutable_empty_dir()->set_medium("Memory");
               Volume(ds)->mutable_empty_dir()->set_size_limit("64Mi");
             },
             {}},
        Case{"mount of undeclared volume",
             [](v1::DaemonSet* ds) { Mount(ds)->set_name("logs"); },
             {{kC0 + ".volumeMounts[0].name", "Not found: \"logs\""}}},
        Case{"mountPath required",
             [](v1::DaemonSet* ds) { Mount(ds)->clear_mount_path(); },
             {{kC0 + ".volumeMounts[0].mountPath", "Required value"}}},
        Case{"mountPath relative",
             [](v1::DaemonSet* ds) { Mount(ds)->set_mount_path("logs"); },
             {{kC0 + ".volumeMounts[0].mountPath",
               "Invalid value: \"logs\": must be an absolute path"}}},
        Case{"mountPath twice",
             [](v1::DaemonSet* ds) { *Container(ds)->add_volume_mounts() = *Mount(ds); },
             {{kC0 + ".volumeMounts[1].mountPath", "Invalid value: \"/var/log\": must be unique"}}},
        Case{"subPath escaping",
             [](v1::DaemonSet* ds) { Mount(ds)->set_sub_path("/etc/../x"); },
             {{kC0 + ".volumeMounts[0].subPath",
               "Invalid value: \"/etc/../x\": must be a relative path"},
              {kC0 + ".volumeMounts[0].subPath",
               "Invalid value: \"/etc/../x\": must not contain '..'"}}},
        Case{"mountPropagation unknown",
             [](v1::DaemonSet* ds) { Mount(ds)->set_mount_propagation("Shared"); },
             {{kC0 + ".volumeMounts[0].mountPropagation",
               "Unsupported value \"Shared\": must be one of \"Bidirectional\", "
               "\"HostToContainer\", \"None\""}}},
        Case{"Bidirectional unprivileged",
             [](v1::DaemonSet* ds) { Mount(ds)->set_mount_propagation("Bidirectional"); },
             {{kC0 + ".volumeMounts[0].mountPropagation",
               "Forbidden: Bidirectional mount propagation is available only to privileged "
               "containers"}}},
        Case{"Bidirectional privileged",
             [](v1::DaemonSet* ds) {
               Mount(ds)->set_mount_propagation("Bidirectional");
               Container(ds)->mutable_security_context()->set_privileged(true);
             },
             {}}),
    validation_test::CaseName);

INSTANTIATE_TEST_SUITE_P(
    Probes, PodValidationTest,
    testing::Values(
        Case{"no handler",
             [](v1::DaemonSet* ds) { Liveness(ds)->clear_http_get(); },
             {{kC0 + ".livenessProbe", "Required value: must specify a handler type"}}},
        Case{"two handlers",
             [](v1::DaemonSet* ds) {
               Liveness(ds)->mutable_tcp_socket()->mutable_port()->set_int_val(24231);
             },
             {{kC0 + ".livenessProbe.tcpSocket",
               "Forbidden: may not specify more than 1 handler type"}}},
        Case{"exec without command",
             [](v1::DaemonSet* ds) {
               Liveness(ds)->clear_http_get();
               Liveness(ds)->mutable_exec();
             },
             {{kC0 + ".livenessProbe.exec.command", "Required value"}}},
        Case{"httpGet port out of range",
             [](v1::DaemonSet* ds) {
               Liveness(ds)->mutable_http_get()->mutable_port()->set_int_val(0);
             },
             {{kC0 + ".livenessProbe.httpGet.port",
               "Invalid value: 0: must be between 1 and 65535, inclusive"}}},
        Case{"httpGet port missing",
             [](v1::DaemonSet* ds) { Liveness(ds)->mutable_http_get()->clear_port(); },
             {{kC0 + ".livenessProbe.httpGet.port", "Required value"}}},
        Case{"httpGet scheme and header",
             [](v1::DaemonSet* ds) {
               Liveness(ds)->mutable_http_get()->set_scheme("FTP");
               Liveness(ds)->mutable_http_get()->add_http_headers()->set_name("X Bad");
             },
             {{kC0 + ".livenessProbe.httpGet.scheme",
               "Unsupported value \"FTP\": must be one of \"HTTP\", \"HTTPS\""},
              {kC0 + ".livenessProbe.httpGet.httpHeaders[0].name",
               "Invalid value: \"X Bad\": a valid HTTP header must consist of alphanumeric "
               "characters or '-' (e.g. 'X-Header-Name', regex used for validation is "
               "'[-A-Za-z0-9]+')"}}},
        Case{"timings",
             [](v1::DaemonSet* ds) {
               Liveness(ds)->set_initial_delay_seconds(-1);
               Liveness(ds)->set_timeout_seconds(0);
               Liveness(ds)->set_period_seconds(-10);
               Liveness(ds)->set_failure_threshold(0);
             },
             {{kC0 + ".livenessProbe.initialDelaySeconds",
               "Invalid value: -1: must be greater than or equal to 0"},
              {kC0 + ".livenessProbe.timeoutSeconds",
               "Invalid value: 0: must be greater than or equal to 1"},
              {kC0 + ".livenessProbe.periodSeconds",
               "Invalid value: -10: must be greater than or equal to 1"},
              {kC0 + ".livenessProbe.failureThreshold",
               "Invalid value: 0: must be greater than or equal to 1"}}},
        Case{"liveness successThreshold must be 1",
             [](v1::DaemonSet* ds) { Liveness(ds)->set_success_threshold(3); },
             {{kC0 + ".livenessProbe.successThreshold", "Invalid value: 3: must be 1"}}},
        Case{"startup successThreshold must be 1",
             [](v1::DaemonSet* ds) {
               *Container(ds)->mutable_startup_probe() = *Liveness(ds);
               Container(ds)->mutable_startup_probe()->set_success_threshold(2);
             },
             {{kC0 + ".startupProbe.successThreshold", "Invalid value: 2: must be 1"}}},
        Case{"readiness successThreshold may be more",
             [](v1::DaemonSet* ds) {
               *Container(ds)->mutable_readiness_probe() = *Liveness(ds);
               Container(ds)->mutable_readiness_probe()->set_success_threshold(3);
             },
             {}},
        Case{"readiness terminationGracePeriodSeconds",
             [](v1::DaemonSet* ds) {
               *Container(ds)->mutable_readiness_probe() = *Liveness(ds);
               Container(ds)->mutable_readiness_probe()->set_termination_grace_period_seconds(5);
             },
             {{kC0 + ".readinessProbe.terminationGracePeriodSeconds",
               "Invalid value: 5: must not be set for readinessProbes"}}},
        Case{"liveness terminationGracePeriodSeconds zero",
             [](v1::DaemonSet* ds) { Liveness(ds)->set_termination_grace_period_seconds(0); },
             {{kC0 + ".livenessProbe.terminationGracePeriodSeconds",
               "Invalid value: 0: must be greater than 0"}}},
        Case{"tcpSocket named port",
             [](v1::DaemonSet* ds) {
               Liveness(ds)->clear_http_get();
               Liveness(ds)->mutable_tcp_socket()->mutable_port()->set_str_val("-metrics");
             },
             {{kC0 + ".livenessProbe.tcpSocket.port",
               "Invalid value: \"-metrics\": must not begin or end with a hyphen"}}},
        Case{"lifecycle hooks",
             [](v1::DaemonSet* ds) {
               auto* lifecycle = Container(ds)->mutable_lifecycle();
               lifecycle->mutable_post_start()->mutable_exec()->add_command("/bin/true");
               lifecycle->mutable_pre_stop();
             },
             {{kC0 + ".lifecycle.preStop", "Required value: must specify a handler type"}}}),
    validation_test::CaseName);

}  // namespace
}  // namespace fleetset
