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

AgentFakes::AgentFakes(const std::string& pods_dir) : pod_logs(pods_dir + "/pod-log-ledger") {
  agent::PodSeams seams;
  seams.runtime = &runtime;
  seams.probes = &probes;
  seams.clock = &clock;
  seams.executor = &executor;
  seams.loop = &loop;
  seams.random = &random;
  seams.pod_logs = &pod_logs;
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

std::string RunBareContainer(agent::CriRuntime& runtime, const BareContainer& spec) {
  cri::RunPodSandboxRequest run;
  cri::PodSandboxConfig* sandbox = run.mutable_config();
  sandbox->mutable_metadata()->set_name(spec.pod);
  sandbox->mutable_metadata()->set_namespace_("default");
  sandbox->mutable_metadata()->set_uid("uid-" + spec.pod);
  sandbox->set_log_directory(spec.log_directory);
  cri::RunPodSandboxResponse ran;
  EXPECT_TRUE(runtime.RunPodSandbox(run, &ran).ok());
  cri::CreateContainerRequest create;
  create.set_pod_sandbox_id(ran.pod_sandbox_id());
  create.mutable_config()->mutable_metadata()->set_name("main");
  create.mutable_config()->mutable_image()->set_image(spec.image);
  create.mutable_config()->set_log_path("main/0.log");
  create.mutable_config()->mutable_labels()->insert(spec.labels.begin(), spec.labels.end());
  cri::CreateContainerResponse created;
  EXPECT_TRUE(runtime.CreateContainer(create, &created).ok());
  cri::StartContainerRequest start;
  start.set_container_id(created.container_id());
  cri::StartContainerResponse started;
  EXPECT_TRUE(runtime.StartContainer(start, &started).ok());
  return created.container_id();
}

}  // namespace fleetset::testing
