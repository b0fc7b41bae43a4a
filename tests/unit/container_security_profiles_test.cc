// seccomp profiles, SELinux options and a shared process namespace reach
// the runtime as kubelet sends them.
#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include "agent/container_security.h"

namespace fleetset::agent {
namespace {

namespace cri = ::runtime::v1;

v1::PodSpec Spec(const std::string& text) {
  v1::PodSpec spec;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &spec)) << text;
  return spec;
}

cri::LinuxContainerSecurityContext ContainerContext(const v1::PodSpec& spec) {
  cri::LinuxContainerSecurityContext out;
  EXPECT_EQ(
      BuildContainerSecurityContext(spec, spec.containers(0), "/var/lib/fleetset/seccomp", &out),
      "");
  return out;
}

TEST(ContainerSecurityProfilesTest, TheContainersSeccompProfileWinsOverThePods) {
  const v1::PodSpec spec = Spec(R"pb(
    security_context { seccomp_profile { type: "RuntimeDefault" } }
    containers { name: "pod-level" }
    containers {
      name: "own"
      security_context {
        seccomp_profile { type: "Localhost" localhost_profile: "profiles/audit.json" }
      }
    }
  )pb");
  EXPECT_EQ(ContainerContext(spec).seccomp().profile_type(), cri::SecurityProfile::RuntimeDefault);
  cri::LinuxContainerSecurityContext own;
  ASSERT_EQ(
      BuildContainerSecurityContext(spec, spec.containers(1), "/var/lib/fleetset/seccomp", &own),
      "");
  EXPECT_EQ(own.seccomp().profile_type(), cri::SecurityProfile::Localhost);
  EXPECT_EQ(own.seccomp().localhost_ref(), "/var/lib/fleetset/seccomp/profiles/audit.json");
  EXPECT_EQ(BuildSandboxSecurityContext(spec, "/s").seccomp().profile_type(),
            cri::SecurityProfile::RuntimeDefault);
}

TEST(ContainerSecurityProfilesTest, NoProfileIsUnconfinedAsKubeletsDefault) {
  const cri::LinuxContainerSecurityContext context =
      ContainerContext(Spec(R"pb(containers { name: "c" })pb"));
  ASSERT_TRUE(context.has_seccomp());
  EXPECT_EQ(context.seccomp().profile_type(), cri::SecurityProfile::Unconfined);
}

TEST(ContainerSecurityProfilesTest, SeLinuxOptionsComeFromTheContainerElseThePod) {
  const v1::PodSpec spec = Spec(R"pb(
    security_context { se_linux_options { type: "spc_t" level: "s0" } }
    containers { name: "c" }
  )pb");
  const cri::LinuxContainerSecurityContext context = ContainerContext(spec);
  EXPECT_EQ(context.selinux_options().type(), "spc_t");
  EXPECT_EQ(context.selinux_options().level(), "s0");
  EXPECT_EQ(BuildSandboxSecurityContext(spec, "/s").selinux_options().type(), "spc_t");

  const v1::PodSpec own = Spec(R"pb(
    security_context { se_linux_options { type: "spc_t" } }
    containers {
      name: "c"
      security_context { se_linux_options { type: "container_t" } }
    }
  )pb");
  EXPECT_EQ(ContainerContext(own).selinux_options().type(), "container_t");
  EXPECT_FALSE(ContainerContext(Spec(R"pb(containers { name: "c" })pb")).has_selinux_options());
}

TEST(ContainerSecurityProfilesTest, ShareProcessNamespaceGivesThePodOnePidNamespace) {
  EXPECT_EQ(PodNamespaceOptions(Spec("share_process_namespace: true")).pid(), cri::POD);
  EXPECT_EQ(PodNamespaceOptions(Spec("share_process_namespace: false")).pid(), cri::CONTAINER);
  EXPECT_EQ(PodNamespaceOptions(Spec("")).pid(), cri::CONTAINER);
  EXPECT_EQ(PodNamespaceOptions(Spec("host_pid: true share_process_namespace: true")).pid(),
            cri::NODE);
}

}  // namespace
}  // namespace fleetset::agent
