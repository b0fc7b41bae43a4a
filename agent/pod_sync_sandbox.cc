// PodSyncPass: the pass structure and the pod's sandbox.
#include <spdlog/spdlog.h>

#include "agent/pod_sync_pass.h"

namespace fleetset::agent {

PodSyncPass::PodSyncPass(const RuntimeManager& manager, const v1::PodTemplateSpec& pod,
                         const PodContext& context, PodRuntimeState& state)
    : manager_(manager),
      runtime_(*manager.deps().runtime),
      clock_(*manager.deps().clock),
      pod_(pod),
      context_(context),
      state_(state) {
  context_.pod_ip = state.pod_ip;
}

PodSyncResult PodSyncPass::Run(const std::vector<SandboxSnapshot>* sandboxes) {
  PodSyncResult result;
  if (!EnsureSandbox(sandboxes, &result.containers)) {
    // Without a sandbox the app containers wait in ContainerCreating, or in
    // PodInitializing behind init containers, as kubelet reports them.
    result.initialized = pod_.spec().init_containers().empty();
    result.acted = acted_;
    return result;
  }
  result.sandbox_ready = true;
  if (auto error = manager_.deps().volumes->Update(pod_, context_)) {
    spdlog::warn("pod {}/{}: {}", context_.pod_namespace, context_.pod_name, *error);
  }
  result.initialized = SyncInitContainers(result.containers);
  if (result.initialized) {
    for (const v1::Container& spec : pod_.spec().containers()) {
      SyncAppContainer(spec, result.containers);
    }
  }
  result.acted = acted_;
  return result;
}

cri::PodSandboxConfig PodSyncPass::SandboxConfig(uint32_t attempt) const {
  return BuildSandboxConfig(pod_, context_, attempt);
}

void PodSyncPass::LearnPodIp() {
  cri::PodSandboxStatusRequest request;
  request.set_pod_sandbox_id(state_.sandbox_id);
  cri::PodSandboxStatusResponse response;
  if (runtime_.PodSandboxStatus(request, &response).ok()) {
    context_.pod_ip = response.status().network().ip();
    state_.pod_ip = context_.pod_ip;
  }
}

bool PodSyncPass::EnsureSandbox(const std::vector<SandboxSnapshot>* sandboxes,
                                std::vector<cri::Container>* containers) {
  const SandboxSnapshot* current = nullptr;
  if (sandboxes != nullptr) {
    for (const SandboxSnapshot& entry : *sandboxes) {
      if (entry.sandbox.id() == state_.sandbox_id) current = &entry;
    }
  }
  if (current != nullptr && current->sandbox.state() == cri::SANDBOX_READY) {
    *containers = current->containers;
    if (sandboxes->size() > 1) RemoveSandboxes(*sandboxes, state_.sandbox_id);
    if (context_.pod_ip.empty() && !pod_.spec().host_network()) LearnPodIp();
    return true;
  }

  // No usable sandbox: as kubelet, a sandbox that died takes its containers
  // with it and the pod starts over in a new one (next attempt).
  uint32_t attempt = 0;
  if (current != nullptr) {
    attempt = current->sandbox.metadata().attempt() + 1;
  } else if (!state_.sandbox_id.empty()) {
    attempt = state_.sandbox_attempt + 1;
  }
  if (sandboxes != nullptr) RemoveSandboxes(*sandboxes, "");

  if (state_.sandbox_retry.Remaining(clock_.Now()) > BackoffPolicy::Duration::zero()) {
    return false;
  }
  if (auto error = manager_.deps().volumes->Prepare(pod_, context_)) {
    state_.pod_error = *error;
    return false;
  }
  cri::RunPodSandboxRequest request;
  *request.mutable_config() = SandboxConfig(attempt);
  // Before the runtime creates the log directory, so that a crash right
  // after still leaves the agent proof that the directory is its own.
  if (const PodLogLedger* ledger = manager_.deps().pod_logs) {
    std::string error;
    if (!ledger->Record(context_.pod_uid, request.config().log_directory(), &error)) {
      spdlog::warn("pod {}/{}: its log directory will not be cleaned up after a crash: {}",
                   context_.pod_namespace, context_.pod_name, error);
    }
  }
  cri::RunPodSandboxResponse response;
  acted_ = true;
  grpc::Status status = runtime_.RunPodSandbox(request, &response);
  if (!status.ok()) {
    state_.pod_error = "Failed to create pod sandbox: " + status.error_message();
    const auto wait = state_.sandbox_retry.Next(clock_.Now());
    spdlog::warn("pod {}/{}: {} (retrying in {:.1f}s)", context_.pod_namespace, context_.pod_name,
                 state_.pod_error, std::chrono::duration<double>(wait).count());
    return false;
  }
  state_.sandbox_retry.Reset();
  state_.pod_error.clear();
  state_.sandbox_id = response.pod_sandbox_id();
  state_.sandbox_attempt = attempt;
  context_.pod_ip.clear();
  state_.pod_ip.clear();
  if (pod_.spec().host_network()) {
    context_.pod_ip = context_.host_ip;
    state_.pod_ip = context_.pod_ip;
  } else {
    LearnPodIp();
  }
  spdlog::info("pod {}/{}: sandbox {} started (attempt {})", context_.pod_namespace,
               context_.pod_name, state_.sandbox_id.substr(0, 12), attempt);
  containers->clear();
  return true;
}

void PodSyncPass::RemoveSandboxes(const std::vector<SandboxSnapshot>& sandboxes,
                                  const std::string& keep_id) {
  for (const SandboxSnapshot& entry : sandboxes) {
    if (entry.sandbox.id() == keep_id) continue;
    acted_ = true;
    cri::StopPodSandboxRequest stop;
    stop.set_pod_sandbox_id(entry.sandbox.id());
    cri::StopPodSandboxResponse stopped;
    runtime_.StopPodSandbox(stop, &stopped);
    cri::RemovePodSandboxRequest remove;
    remove.set_pod_sandbox_id(entry.sandbox.id());
    cri::RemovePodSandboxResponse removed;
    runtime_.RemovePodSandbox(remove, &removed);
  }
}

}  // namespace fleetset::agent
