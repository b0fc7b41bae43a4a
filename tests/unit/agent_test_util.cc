#include "unit/agent_test_util.h"

#include <gtest/gtest.h>

namespace fleetset::testing {

v1::PodTemplateSpec MakeTemplate(const std::vector<std::string>& containers,
                                 const std::vector<std::string>& init_containers) {
  v1::PodTemplateSpec template_spec;
  (*template_spec.mutable_metadata()->mutable_labels())["app"] = "agent";
  v1::PodSpec* spec = template_spec.mutable_spec();
  spec->set_restart_policy("Always");
  spec->set_termination_grace_period_seconds(5);
  for (const std::string& name : init_containers) {
    v1::Container* container = spec->add_init_containers();
    container->set_name(name);
    container->set_image(kImage);
    container->set_image_pull_policy("IfNotPresent");
  }
  for (const std::string& name : containers) {
    v1::Container* container = spec->add_containers();
    container->set_name(name);
    container->set_image(kImage);
    container->set_image_pull_policy("IfNotPresent");
  }
  return template_spec;
}

agent::PodWorkerDeps MakeDeps(agent::CriRuntime* runtime, const Clock* clock,
                              agent::ProbeExecutor* probes, const std::string& pods_dir) {
  agent::PodWorkerDeps deps;
  deps.runtime = runtime;
  deps.clock = clock;
  deps.probes = probes;
  deps.pods_dir = pods_dir;
  deps.node_defaults.node_name = kNode;
  deps.node_defaults.host_ip = "192.0.2.10";
  deps.node_defaults.log_root = pods_dir + "/logs";
  return deps;
}

std::vector<agent::SandboxSnapshot> SandboxesOf(agent::CriRuntime& runtime,
                                                const std::string& uid) {
  agent::RuntimeSnapshot snapshot;
  EXPECT_TRUE(agent::Relist(runtime, kNode, &snapshot).ok());
  auto it = snapshot.pods.find(uid);
  return it == snapshot.pods.end() ? std::vector<agent::SandboxSnapshot>{} : it->second;
}

}  // namespace fleetset::testing
