// PodWorker: init and app containers, restarts with back-off, image pulls
// and probes.
#include <spdlog/spdlog.h>

#include "agent/pod_identity.h"
#include "agent/pod_worker.h"

namespace fleetset::agent {
namespace {

// The newest container of that name (the list is oldest first).
const cri::Container* Latest(const std::vector<cri::Container>& containers,
                             const std::string& name) {
  const cri::Container* latest = nullptr;
  for (const cri::Container& container : containers) {
    if (ContainerNameOf(container) == name) latest = &container;
  }
  return latest;
}

std::string FormatSeconds(std::chrono::steady_clock::duration duration) {
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(duration).count();
  if (seconds >= 60 && seconds % 60 == 0) return std::to_string(seconds / 60) + "m0s";
  if (seconds >= 60) return std::to_string(seconds / 60) + "m" + std::to_string(seconds % 60) + "s";
  return std::to_string(seconds) + "s";
}

}  // namespace

const cri::ContainerStatus* PodWorker::ExitedStatus(const cri::Container& container) {
  auto it = exited_status_cache_.find(container.id());
  if (it != exited_status_cache_.end()) return &it->second;
  cri::ContainerStatusRequest request;
  request.set_container_id(container.id());
  cri::ContainerStatusResponse response;
  if (!deps_.runtime->ContainerStatus(request, &response).ok()) return nullptr;
  if (response.status().state() != cri::CONTAINER_EXITED) return nullptr;
  return &(exited_status_cache_[container.id()] = response.status());
}

bool PodWorker::SyncInitContainers(const std::vector<cri::Container>& containers) {
  for (const v1::Container& spec : template_->spec().init_containers()) {
    const cri::Container* latest = Latest(containers, spec.name());
    if (latest == nullptr) {
      StartContainer(spec, nullptr, /*init=*/true);
      return false;
    }
    switch (latest->state()) {
      case cri::CONTAINER_EXITED: {
        const cri::ContainerStatus* status = ExitedStatus(*latest);
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
        deps_.runtime->StartContainer(start, &started);
        return false;
      }
      default:
        return false;
    }
  }
  return true;
}

void PodWorker::SyncAppContainer(const v1::Container& spec,
                                 const std::vector<cri::Container>& containers) {
  ContainerState& state = containers_[spec.name()];
  const cri::Container* latest = Latest(containers, spec.name());
  if (latest == nullptr) {
    StartContainer(spec, nullptr, /*init=*/false);
    return;
  }
  state.restart_count = std::max(state.restart_count, latest->metadata().attempt());
  switch (latest->state()) {
    case cri::CONTAINER_RUNNING:
      state.ever_started = true;
      state.waiting_reason.clear();
      state.waiting_message.clear();
      RunProbes(spec, *latest, state);
      return;
    case cri::CONTAINER_CREATED: {
      acted_ = true;
      cri::StartContainerRequest start;
      start.set_container_id(latest->id());
      cri::StartContainerResponse started;
      grpc::Status status = deps_.runtime->StartContainer(start, &started);
      if (!status.ok()) {
        state.waiting_reason = "RunContainerError";
        state.waiting_message = status.error_message();
      }
      return;
    }
    default:
      StartContainer(spec, latest, /*init=*/false);
  }
}

void PodWorker::StartContainer(const v1::Container& spec, const cri::Container* previous,
                               bool init) {
  ContainerState& state = containers_[spec.name()];
  uint32_t restart_count = 0;
  if (previous != nullptr) {
    restart_count = previous->metadata().attempt() + 1;
    const cri::ContainerStatus* exited = ExitedStatus(*previous);
    const auto finished = exited != nullptr && exited->finished_at() > 0
                              ? ToSteady(exited->finished_at())
                              : deps_.clock->Now();
    if (backoff_.InBackoffSince(spec.name(), finished)) {
      state.waiting_reason = "CrashLoopBackOff";
      state.waiting_message = "back-off " + FormatSeconds(backoff_.Current(spec.name())) +
                              " restarting failed container=" + spec.name() +
                              " pod=" + context_.pod_name + "_" + context_.pod_namespace + "(" +
                              context_.pod_uid + ")";
      return;
    }
    backoff_.Next(spec.name());
  } else if (state.ever_started) {
    // The container existed in an earlier sandbox of this pod.
    restart_count = state.restart_count + 1;
  }
  if (!EnsureImage(spec, state)) return;

  ContainerConfigResult built =
      BuildContainerConfig(*template_, spec, context_, restart_count, init);
  if (!built.error.empty()) {
    state.waiting_reason = "CreateContainerConfigError";
    state.waiting_message = built.error;
    return;
  }
  acted_ = true;
  cri::CreateContainerRequest create;
  create.set_pod_sandbox_id(sandbox_id_);
  *create.mutable_config() = std::move(built.config);
  *create.mutable_sandbox_config() = SandboxConfig(sandbox_attempt_);
  cri::CreateContainerResponse created;
  grpc::Status status = deps_.runtime->CreateContainer(create, &created);
  if (!status.ok()) {
    state.waiting_reason = "CreateContainerError";
    state.waiting_message = status.error_message();
    spdlog::warn("pod {}/{}: container {}: {}", context_.pod_namespace, context_.pod_name,
                 spec.name(), state.waiting_message);
    return;
  }
  cri::StartContainerRequest start;
  start.set_container_id(created.container_id());
  cri::StartContainerResponse started;
  status = deps_.runtime->StartContainer(start, &started);
  if (!status.ok()) {
    state.waiting_reason = "RunContainerError";
    state.waiting_message = status.error_message();
    spdlog::warn("pod {}/{}: container {}: {}", context_.pod_namespace, context_.pod_name,
                 spec.name(), state.waiting_message);
    return;
  }
  spdlog::info("pod {}/{}: container {} started (restart {})", context_.pod_namespace,
               context_.pod_name, spec.name(), restart_count);
  state.restart_count = restart_count;
  state.ever_started = true;
  state.waiting_reason.clear();
  state.waiting_message.clear();
  // Only the previous instance is kept (for its logs and exit status), as
  // kubelet keeps one dead container per container.
  if (previous != nullptr) {
    cri::ListContainersRequest list;
    list.mutable_filter()->set_pod_sandbox_id(sandbox_id_);
    cri::ListContainersResponse listed;
    if (deps_.runtime->ListContainers(list, &listed).ok()) {
      std::vector<cri::Container> all(listed.containers().begin(), listed.containers().end());
      RemoveOlderContainers(spec.name(), all, previous->id());
    }
  }
}

void PodWorker::RemoveOlderContainers(const std::string& name,
                                      const std::vector<cri::Container>& containers,
                                      const std::string& keep_id) {
  for (const cri::Container& container : containers) {
    if (ContainerNameOf(container) != name || container.id() == keep_id) continue;
    if (container.state() != cri::CONTAINER_EXITED) continue;
    cri::RemoveContainerRequest remove;
    remove.set_container_id(container.id());
    cri::RemoveContainerResponse removed;
    deps_.runtime->RemoveContainer(remove, &removed);
    exited_status_cache_.erase(container.id());
  }
}

bool PodWorker::EnsureImage(const v1::Container& spec, ContainerState& state) {
  const std::string& policy = spec.image_pull_policy();
  cri::ImageStatusRequest status_request;
  status_request.mutable_image()->set_image(spec.image());
  cri::ImageStatusResponse image_status;
  grpc::Status status = deps_.runtime->ImageStatus(status_request, &image_status);
  const bool present =
      status.ok() && image_status.has_image() && !image_status.image().id().empty();
  if (policy == "Never") {
    if (present) return true;
    state.waiting_reason = "ErrImageNeverPull";
    state.waiting_message =
        "Container image \"" + spec.image() + "\" is not present with pull policy of Never";
    return false;
  }
  if (policy != "Always" && present) return true;

  const std::string key = "pull:" + spec.name();
  if (state.last_pull_failure && backoff_.InBackoffSince(key, *state.last_pull_failure)) {
    state.waiting_reason = "ImagePullBackOff";
    // The pull's own error stays visible while backing off (as kubelet
    // 1.30+ reports it): status.json is all an operator has, and a bare
    // "Back-off pulling image" does not say why.
    state.waiting_message =
        "Back-off pulling image \"" + spec.image() + "\": ErrImagePull: " + state.last_pull_error;
    return false;
  }
  // A failed pull changes nothing in the runtime, so it does not count as
  // acting: counting it made the reconciler relist and sync again at once,
  // which replaced ErrImagePull by ImagePullBackOff before any status write
  // could show it.
  cri::PullImageRequest pull;
  pull.mutable_image()->set_image(spec.image());
  if (deps_.credentials != nullptr) {
    if (auto auth = deps_.credentials->For(spec.image())) *pull.mutable_auth() = std::move(*auth);
  }
  *pull.mutable_sandbox_config() = SandboxConfig(sandbox_attempt_);
  cri::PullImageResponse pulled;
  status = deps_.runtime->PullImage(pull, &pulled);
  if (!status.ok()) {
    backoff_.Next(key);
    state.last_pull_failure = deps_.clock->Now();
    state.last_pull_error = status.error_message();
    state.waiting_reason = "ErrImagePull";
    state.waiting_message = status.error_message();
    spdlog::warn("pod {}/{}: pulling {}: {}", context_.pod_namespace, context_.pod_name,
                 spec.image(), status.error_message());
    return false;
  }
  acted_ = true;
  backoff_.Reset(key);
  state.last_pull_failure.reset();
  state.last_pull_error.clear();
  return true;
}

}  // namespace fleetset::agent
