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

AgentFakes::AgentFakes(const std::string& pods_dir) {
  agent::PodSeams seams;
  seams.runtime = &runtime;
  seams.probes = &probes;
  seams.clock = &clock;
  seams.executor = &executor;
  seams.loop = &loop;
  seams.random = &random;
  agent::PodContext node;
  node.node_name = kNode;
  node.host_ip = "192.0.2.10";
  node.log_root = pods_dir + "/logs";
  services = std::make_unique<agent::PodServices>(seams, node, pods_dir);
}

void AgentFakes::Drain() {
  while (true) {
    const bool worked = executor.RunAll() > 0;
    loop.restart();
    const bool posted = loop.poll() > 0;
    if (!worked && !posted) return;
  }
}

std::vector<agent::SandboxSnapshot> SandboxesOf(agent::CriRuntime& runtime,
                                                const std::string& uid) {
  agent::RuntimeSnapshot snapshot;
  EXPECT_TRUE(agent::Relist(runtime, kNode, &snapshot).ok());
  auto it = snapshot.pods.find(uid);
  return it == snapshot.pods.end() ? std::vector<agent::SandboxSnapshot>{} : it->second;
}

}  // namespace fleetset::testing
