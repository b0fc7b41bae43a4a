// ValidateDaemonSet: seccomp and SELinux settings of the pod and its
// containers, shareProcessNamespace, gRPC probes and the pod's os.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fleetset/manifest.h"
#include "validation_case_test.h"

namespace fleetset {
namespace {

using validation_test::Case;
using validation_test::Container;
using validation_test::Pod;
using validation_test::ValidationCaseTest;

const std::string kPod = "spec.template.spec";
const std::string kC0 = kPod + ".containers[0]";

v1::SeccompProfile* PodSeccomp(v1::DaemonSet* ds) {
  return Pod(ds)->mutable_security_context()->mutable_seccomp_profile();
}
v1::SeccompProfile* ContainerSeccomp(v1::DaemonSet* ds) {
  return Container(ds)->mutable_security_context()->mutable_seccomp_profile();
}

void SetSeLinux(v1::SELinuxOptions* options) {
  options->set_user("system_u");
  options->set_role("system_r");
  options->set_type("spc_t");
  options->set_level("s0:c123,c456");
}

// The liveness probe of ValidDaemonSet() as a gRPC probe.
v1::GRPCAction* Grpc(v1::DaemonSet* ds) {
  v1::Probe* probe = Container(ds)->mutable_liveness_probe();
  probe->clear_http_get();
  probe->mutable_grpc()->set_port(9090);
  return probe->mutable_grpc();
}

INSTANTIATE_TEST_SUITE_P(
    Seccomp, ValidationCaseTest,
    testing::Values(
        Case{"RuntimeDefault for the pod, Unconfined for a container",
             [](v1::DaemonSet* ds) {
               PodSeccomp(ds)->set_type("RuntimeDefault");
               ContainerSeccomp(ds)->set_type("Unconfined");
             },
             {}},
        Case{"Localhost with a profile",
             [](v1::DaemonSet* ds) {
               ContainerSeccomp(ds)->set_type("Localhost");
               ContainerSeccomp(ds)->set_localhost_profile("profiles/fluentd.json");
             },
             {}},
        Case{"Localhost without a profile",
             [](v1::DaemonSet* ds) { PodSeccomp(ds)->set_type("Localhost"); },
             {{kPod + ".securityContext.seccompProfile.localhostProfile",
               "Required value: must be set when seccomp type is Localhost"}}},
        Case{"Localhost with an empty profile",
             [](v1::DaemonSet* ds) {
               ContainerSeccomp(ds)->set_type("Localhost");
               ContainerSeccomp(ds)->set_localhost_profile("");
             },
             {{kC0 + ".securityContext.seccompProfile.localhostProfile",
               "Required value: must be set when seccomp type is Localhost"}}},
        Case{"Localhost profile outside the profile directory",
             [](v1::DaemonSet* ds) {
               ContainerSeccomp(ds)->set_type("Localhost");
               ContainerSeccomp(ds)->set_localhost_profile("/etc/../audit.json");
             },
             {{kC0 + ".securityContext.seccompProfile.localhostProfile",
               "Invalid value: \"/etc/../audit.json\": must be a relative path"},
              {kC0 + ".securityContext.seccompProfile.localhostProfile",
               "Invalid value: \"/etc/../audit.json\": must not contain '..'"}}},
        Case{"profile without Localhost",
             [](v1::DaemonSet* ds) {
               PodSeccomp(ds)->set_type("RuntimeDefault");
               PodSeccomp(ds)->set_localhost_profile("audit.json");
             },
             {{kPod + ".securityContext.seccompProfile.localhostProfile",
               "Invalid value: \"audit.json\": can only be set when seccomp type is "
               "Localhost"}}},
        Case{"type required",
             [](v1::DaemonSet* ds) { ContainerSeccomp(ds); },
             {{kC0 + ".securityContext.seccompProfile.type",
               "Required value: type is required when seccompProfile is set"}}},
        Case{"type unknown",
             [](v1::DaemonSet* ds) { PodSeccomp(ds)->set_type("Default"); },
             {{kPod + ".securityContext.seccompProfile.type",
               "Unsupported value \"Default\": must be one of \"Localhost\", \"RuntimeDefault\", "
               "\"Unconfined\""}}}),
    validation_test::CaseName);

INSTANTIATE_TEST_SUITE_P(
    PodLevel, ValidationCaseTest,
    testing::Values(
        Case{"seLinuxOptions for the pod and a container",
             [](v1::DaemonSet* ds) {
               SetSeLinux(Pod(ds)->mutable_security_context()->mutable_se_linux_options());
               SetSeLinux(Container(ds)->mutable_security_context()->mutable_se_linux_options());
             },
             {}},
        Case{"shareProcessNamespace",
             [](v1::DaemonSet* ds) { Pod(ds)->set_share_process_namespace(true); },
             {}},
        Case{"shareProcessNamespace false with hostPID",
             [](v1::DaemonSet* ds) {
               Pod(ds)->set_share_process_namespace(false);
               Pod(ds)->set_host_pid(true);
             },
             {}},
        Case{"shareProcessNamespace with hostPID",
             [](v1::DaemonSet* ds) {
               Pod(ds)->set_share_process_namespace(true);
               Pod(ds)->set_host_pid(true);
             },
             {{kPod + ".shareProcessNamespace",
               "Invalid value: true: ShareProcessNamespace and HostPID cannot both be enabled"}}}),
    validation_test::CaseName);

INSTANTIATE_TEST_SUITE_P(
    GrpcProbes, ValidationCaseTest,
    testing::Values(
        Case{"grpc probe", [](v1::DaemonSet* ds) { Grpc(ds)->set_service("liveness"); }, {}},
        Case{"grpc readiness and startup probes",
             [](v1::DaemonSet* ds) {
               Grpc(ds);
               *Container(ds)->mutable_readiness_probe() = Container(ds)->liveness_probe();
               *Container(ds)->mutable_startup_probe() = Container(ds)->liveness_probe();
             },
             {}},
        Case{"grpc port out of range",
             [](v1::DaemonSet* ds) { Grpc(ds)->set_port(0); },
             {{kC0 + ".livenessProbe.grpc.port",
               "Invalid value: 0: must be between 1 and 65535, inclusive"}}},
        Case{
            "grpc and httpGet",
            [](v1::DaemonSet* ds) {
              Container(ds)->mutable_liveness_probe()->mutable_grpc()->set_port(9090);
            },
            {{kC0 + ".livenessProbe.grpc", "Forbidden: may not specify more than 1 handler type"}}},
        Case{"lifecycle hooks keep their rules",
             [](v1::DaemonSet* ds) {
               auto* lifecycle = Container(ds)->mutable_lifecycle();
               lifecycle->mutable_post_start()->mutable_exec()->add_command("/bin/true");
               lifecycle->mutable_pre_stop()->mutable_http_get()->mutable_port()->set_int_val(0);
               lifecycle->mutable_pre_stop()->mutable_exec();
             },
             {{kC0 + ".lifecycle.preStop.exec.command", "Required value"},
              {kC0 + ".lifecycle.preStop.httpGet",
               "Forbidden: may not specify more than 1 handler type"}}}),
    validation_test::CaseName);

INSTANTIATE_TEST_SUITE_P(
    PodOs, ValidationCaseTest,
    testing::Values(
        Case{"linux", [](v1::DaemonSet* ds) { Pod(ds)->mutable_os()->set_name("linux"); }, {}},
        Case{"windows",
             [](v1::DaemonSet* ds) { Pod(ds)->mutable_os()->set_name("windows"); },
             {{kPod + ".os.name",
               "Forbidden: Windows pods are not supported by fleetset (fleetset runs "
               "Linux containers)"}}},
        Case{"name required",
             [](v1::DaemonSet* ds) { Pod(ds)->mutable_os(); },
             {{kPod + ".os.name", "Required value"}}},
        Case{"unknown os",
             [](v1::DaemonSet* ds) { Pod(ds)->mutable_os()->set_name("darwin"); },
             {{kPod + ".os.name",
               "Unsupported value \"darwin\": must be one of \"linux\", \"windows\""}}}),
    validation_test::CaseName);

}  // namespace
}  // namespace fleetset
