// PodWorker: the pod's status as Kubernetes reports it (phase, conditions,
// container states with kubelet's reasons).
#include <google/protobuf/util/time_util.h>

#include "agent/pod_identity.h"
#include "agent/pod_worker.h"

namespace fleetset::agent {
namespace {

using google::protobuf::util::TimeUtil;

// Newest and second-newest containers of that name.
std::pair<const cri::Container*, const cri::Container*> LatestTwo(
    const std::vector<cri::Container>& containers, const std::string& name) {
  const cri::Container* latest = nullptr;
  const cri::Container* previous = nullptr;
  for (const cri::Container& container : containers) {
    if (ContainerNameOf(container) != name) continue;
    previous = latest;
    latest = &container;
  }
  return {latest, previous};
}

void FillTerminated(const cri::ContainerStatus& status, const std::string& runtime_name,
                    v1::ContainerStateTerminated* terminated) {
  terminated->set_exit_code(status.exit_code());
  std::string reason = status.reason();
  if (reason.empty()) reason = status.exit_code() == 0 ? "Completed" : "Error";
  terminated->set_reason(reason);
  terminated->set_message(status.message());
  if (status.started_at() > 0) {
    *terminated->mutable_started_at() = TimeUtil::NanosecondsToTimestamp(status.started_at());
  }
  if (status.finished_at() > 0) {
    *terminated->mutable_finished_at() = TimeUtil::NanosecondsToTimestamp(status.finished_at());
  }
  terminated->set_container_id(runtime_name + "://" + status.id());
}

v1::PodCondition Condition(const std::string& type, bool value) {
  v1::PodCondition condition;
  condition.set_type(type);
  condition.set_status(value ? "True" : "False");
  return condition;
}

}  // namespace

v1::ContainerStatus PodWorker::BuildContainerStatus(const v1::Container& spec,
                                                    const std::vector<cri::Container>& containers,
                                                    bool init, bool initialized) {
  v1::ContainerStatus status;
  status.set_name(spec.name());
  status.set_image(spec.image());
  ContainerState& state = containers_[spec.name()];
  auto [latest, previous] = LatestTwo(containers, spec.name());
  status.set_restart_count(static_cast<int32_t>(
      latest != nullptr ? std::max(state.restart_count, latest->metadata().attempt())
                        : state.restart_count));
  if (latest != nullptr) {
    status.set_container_id(deps_.runtime_name + "://" + latest->id());
    status.set_image_id(latest->image_ref());
  }
  if (previous != nullptr) {
    if (const cri::ContainerStatus* exited = ExitedStatus(*previous)) {
      FillTerminated(*exited, deps_.runtime_name,
                     status.mutable_last_state()->mutable_terminated());
    }
  }

  const bool running = latest != nullptr && latest->state() == cri::CONTAINER_RUNNING;
  if (running) {
    auto started = started_at_cache_.find(latest->id());
    if (started == started_at_cache_.end()) {
      cri::ContainerStatusRequest request;
      request.set_container_id(latest->id());
      cri::ContainerStatusResponse response;
      int64_t at = latest->created_at();
      if (deps_.runtime->ContainerStatus(request, &response).ok())
        at = response.status().started_at();
      started = started_at_cache_.emplace(latest->id(), at).first;
    }
    *status.mutable_state()->mutable_running()->mutable_started_at() =
        TimeUtil::NanosecondsToTimestamp(started->second);
    // Until the probes have looked at this very container, a container
    // with a startup or readiness probe is neither started nor ready.
    const bool probed = state.probed_container_id == latest->id();
    const bool started_ok =
        !spec.has_startup_probe() || (probed && state.startup && state.startup->Verdict());
    const bool ready_ok =
        !spec.has_readiness_probe() || (probed && state.readiness && state.readiness->Verdict());
    status.set_started(started_ok);
    status.set_ready(started_ok && ready_ok);
    return status;
  }
  if (!state.waiting_reason.empty()) {
    status.mutable_state()->mutable_waiting()->set_reason(state.waiting_reason);
    status.mutable_state()->mutable_waiting()->set_message(state.waiting_message);
  } else if (latest != nullptr && latest->state() == cri::CONTAINER_EXITED) {
    if (const cri::ContainerStatus* exited = ExitedStatus(*latest)) {
      FillTerminated(*exited, deps_.runtime_name, status.mutable_state()->mutable_terminated());
    }
  } else {
    status.mutable_state()->mutable_waiting()->set_reason(init || initialized ? "ContainerCreating"
                                                                              : "PodInitializing");
  }
  if (init && latest != nullptr && status.state().has_terminated() &&
      status.state().terminated().exit_code() == 0) {
    status.set_ready(true);
  }
  status.set_started(false);
  return status;
}

void PodWorker::PublishStatus(const std::vector<cri::Container>& containers, bool initialized) {
  v1::Pod pod;
  pod.set_api_version("v1");
  pod.set_kind("Pod");
  v1::ObjectMeta* metadata = pod.mutable_metadata();
  metadata->set_name(context_.pod_name);
  metadata->set_namespace_(context_.pod_namespace);
  metadata->set_uid(context_.pod_uid);
  for (const auto& [key, value] : PodTemplateLabels()) (*metadata->mutable_labels())[key] = value;
  (*metadata->mutable_labels())[kRevisionHashLabel] = context_.revision_hash;
  *metadata->mutable_creation_timestamp() = TimeUtil::NanosecondsToTimestamp(
      std::chrono::duration_cast<std::chrono::nanoseconds>(created_.time_since_epoch()).count());
  pod.set_node_name(context_.node_name);
  pod.set_owner(owner_.daemon_set_namespace + "/" + owner_.daemon_set_name);
  pod.set_revision_hash(context_.revision_hash);
  pod.set_static_pod(owner_.static_pod);
  pod.set_sandbox_id(sandbox_id_);

  v1::PodStatus* status = pod.mutable_status();
  status->set_host_ip(context_.host_ip);
  status->set_pod_ip(context_.pod_ip);
  *status->mutable_start_time() = metadata->creation_timestamp();
  if (!pod_error_.empty()) {
    status->set_reason("PodSandboxError");
    status->set_message(pod_error_);
  }
  bool all_ready = template_.has_value() && !containers.empty();
  bool any_running = false;
  if (template_) {
    for (const v1::Container& spec : template_->spec().init_containers()) {
      *status->add_init_container_statuses() =
          BuildContainerStatus(spec, containers, true, initialized);
    }
    for (const v1::Container& spec : template_->spec().containers()) {
      v1::ContainerStatus container = BuildContainerStatus(spec, containers, false, initialized);
      all_ready = all_ready && container.ready();
      any_running = any_running || container.state().has_running() || container.restart_count() > 0;
      *status->add_container_statuses() = std::move(container);
    }
  }
  const bool sandbox_ok = pod_error_.empty() && !sandbox_id_.empty();
  all_ready = all_ready && sandbox_ok && initialized;
  status->set_phase(sandbox_ok && initialized && any_running ? "Running" : "Pending");
  *status->add_conditions() = Condition("PodScheduled", true);
  *status->add_conditions() = Condition("Initialized", initialized);
  *status->add_conditions() = Condition("ContainersReady", all_ready);
  *status->add_conditions() = Condition("Ready", all_ready);

  std::lock_guard lock(status_mutex_);
  status_ = std::move(pod);
  if (all_ready && !ready_) ready_since_ = deps_.clock->Now();
  if (!all_ready) ready_since_.reset();
  ready_ = all_ready;
}

v1::Pod PodWorker::Status() const {
  std::lock_guard lock(status_mutex_);
  v1::Pod pod = status_;
  if (terminating_) pod.mutable_status()->set_reason("Terminating");
  return pod;
}

bool PodWorker::Ready() const {
  std::lock_guard lock(status_mutex_);
  return ready_;
}

std::optional<std::chrono::steady_clock::time_point> PodWorker::ReadySince() const {
  std::lock_guard lock(status_mutex_);
  return ready_since_;
}

}  // namespace fleetset::agent
