// PodSyncPass: init and app containers, and restarts with back-off.
#include <spdlog/spdlog.h>

#include "agent/pod_sync_pass.h"

namespace fleetset::agent {
namespace {

std::string FormatSeconds(std::chrono::steady_clock::duration duration) {
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(duration).count();
  if (seconds >= 60 && seconds % 60 == 0) return std::to_string(seconds / 60) + "m0s";
  if (seconds >= 60) return std::to_string(seconds / 60) + "m" + std::to_string(seconds % 60) + "s";
  return std::to_string(seconds) + "s";
}

}  // namespace

std::chrono::steady_clock::time_point PodSyncPass::ToSteady(int64_t unix_nanos) const {
  // The runtime reports wall-clock times; back-off runs on the steady
  // clock, so translate through "how long ago".
  const auto wall = std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::nanoseconds(unix_nanos)));
  return clock_.Now() -
         std::chrono::duration_cast<std::chrono::steady_clock::duration>(clock_.WallNow() - wall);
}

bool PodSyncPass::SyncInitContainers(const std::vector<cri::Container>& containers) {
  for (const v1::Container& spec : pod_.spec().init_containers()) {
    const cri::Container* latest = LatestContainer(containers, spec.name());
    if (latest == nullptr) {
      StartContainer(spec, nullptr, /*init=*/true);
      return false;
    }
    switch (latest->state()) {
      case cri::CONTAINER_EXITED: {
        const cri::ContainerStatus* status = manager_.ExitedStatus(*latest, state_);
        if (status != nullptr && status->exit_code() == 0) continue;
        // A failed init container is retried with back-off (restartPolicy
        // Always), and nothing after it starts meanwhile.
        StartContainer(spec, latest, /*init=*/true);
        return false;
      }
      case cri::CONTAINER_CREATED: {
        acted_ = true;
        cri::StartContainerRequest start;
        start.set_container_id(latest->id());
        cri::StartContainerResponse started;
        runtime_.StartContainer(start, &started);
        return false;
      }
      default:
        return false;
    }
  }
  return true;
}

void PodSyncPass::SyncAppContainer(const v1::Container& spec,
                                   const std::vector<cri::Container>& containers) {
  ContainerRuntimeState& container = state_.Container(spec.name());
  const cri::Container* latest = LatestContainer(containers, spec.name());
  if (latest == nullptr) {
    StartContainer(spec, nullptr, /*init=*/false);
    return;
  }
  container.restart_count = std::max(container.restart_count, latest->metadata().attempt());
  switch (latest->state()) {
    case cri::CONTAINER_RUNNING:
      container.ever_started = true;
      container.waiting_reason.clear();
      container.waiting_message.clear();
      return;
    case cri::CONTAINER_CREATED: {
      acted_ = true;
      cri::StartContainerRequest start;
      start.set_container_id(latest->id());
      cri::StartContainerResponse started;
      grpc::Status status = runtime_.StartContainer(start, &started);
      if (!status.ok()) {
        container.waiting_reason = "RunContainerError";
        container.waiting_message = status.error_message();
        return;
      }
      RunPostStartHook(spec, latest->id(), container);
      return;
    }
    default:
      StartContainer(spec, latest, /*init=*/false);
  }
}

void PodSyncPass::StartContainer(const v1::Container& spec, const cri::Container* previous,
                                 bool init) {
  ContainerRuntimeState& container = state_.Container(spec.name());
  uint32_t restart_count = 0;
  if (previous != nullptr) {
    restart_count = previous->metadata().attempt() + 1;
    const cri::ContainerStatus* exited = manager_.ExitedStatus(*previous, state_);
    const auto finished = exited != nullptr && exited->finished_at() > 0
                              ? ToSteady(exited->finished_at())
                              : clock_.Now();
    if (container.crash_loop.InBackoffSince(finished, clock_.Now())) {
      container.waiting_reason = "CrashLoopBackOff";
      container.waiting_message = "back-off " + FormatSeconds(container.crash_loop.Current()) +
                                  " restarting failed container=" + spec.name() +
                                  " pod=" + context_.pod_name + "_" + context_.pod_namespace + "(" +
                                  context_.pod_uid + ")";
      return;
    }
    container.crash_loop.Next(clock_.Now());
  } else if (container.ever_started) {
    // The container existed in an earlier sandbox of this pod.
    restart_count = container.restart_count + 1;
  }
  if (!EnsureImage(spec, container)) return;

  ContainerConfigResult built =
      BuildContainerConfig(pod_, spec, context_, *manager_.deps().volumes, restart_count, init);
  if (!built.error.empty()) {
    container.waiting_reason = "CreateContainerConfigError";
    container.waiting_message = built.error;
    return;
  }
  acted_ = true;
  cri::CreateContainerRequest create;
  create.set_pod_sandbox_id(state_.sandbox_id);
  *create.mutable_config() = std::move(built.config);
  *create.mutable_sandbox_config() = SandboxConfig(state_.sandbox_attempt);
  // kubelet's reasons for a container that could not be created or started.
  auto failed = [&](const char* reason, const grpc::Status& status) {
    container.waiting_reason = reason;
    container.waiting_message = status.error_message();
    spdlog::warn("pod {}/{}: container {}: {}", context_.pod_namespace, context_.pod_name,
                 spec.name(), container.waiting_message);
  };
  cri::CreateContainerResponse created;
  grpc::Status status = runtime_.CreateContainer(create, &created);
  if (!status.ok()) return failed("CreateContainerError", status);
  cri::StartContainerRequest start;
  start.set_container_id(created.container_id());
  cri::StartContainerResponse started;
  status = runtime_.StartContainer(start, &started);
  if (!status.ok()) return failed("RunContainerError", status);
  spdlog::info("pod {}/{}: container {} started (restart {})", context_.pod_namespace,
               context_.pod_name, spec.name(), restart_count);
  container.restart_count = restart_count;
  container.ever_started = true;
  container.waiting_reason.clear();
  container.waiting_message.clear();
  // Only the previous instance is kept (for its logs and exit status), as
  // kubelet keeps one dead container per container.
  if (previous != nullptr) RemoveOlderContainers(spec.name(), *previous);
  RunPostStartHook(spec, created.container_id(), container);
}

void PodSyncPass::RunPostStartHook(const v1::Container& spec, const std::string& container_id,
                                   ContainerRuntimeState& container) {
  const LifecycleHooks* hooks = manager_.hooks();
  if (hooks == nullptr) return;
  std::optional<std::string> failure = hooks->PostStart(spec, context_, container_id);
  if (!failure) return;
  spdlog::warn("pod {}/{}: container {}: FailedPostStartHook: {}", context_.pod_namespace,
               context_.pod_name, spec.name(), *failure);
  // kubelet kills the container as for any other reason (preStop included,
  // within the pod's grace period) and reports PostStartHookError until it
  // restarts.
  manager_.KillContainer(context_, &spec, container_id, TerminationGracePeriod(pod_.spec()));
  container.waiting_reason = "PostStartHookError";
  container.waiting_message = *failure;
}

void PodSyncPass::RemoveOlderContainers(const std::string& name, const cri::Container& keep) {
  cri::ListContainersRequest list;
  list.mutable_filter()->set_pod_sandbox_id(state_.sandbox_id);
  cri::ListContainersResponse listed;
  if (!runtime_.ListContainers(list, &listed).ok()) return;
  for (const cri::Container& container : listed.containers()) {
    if (ContainerNameOf(container) != name || container.id() == keep.id()) continue;
    if (container.state() != cri::CONTAINER_EXITED) continue;
    cri::RemoveContainerRequest remove;
    remove.set_container_id(container.id());
    cri::RemoveContainerResponse removed;
    runtime_.RemoveContainer(remove, &removed);
    state_.exited_status_cache.erase(container.id());
  }
}

}  // namespace fleetset::agent
