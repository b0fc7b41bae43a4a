#include "agent/pod_status_builder.h"

#include <google/protobuf/util/time_util.h>

#include "agent/pod_identity.h"
#include "fleetset/pod_readiness.h"

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

const cri::ContainerStatus* Exited(const RuntimePodStatus& runtime,
                                   const cri::Container& container) {
  auto it = runtime.exited.find(container.id());
  return it == runtime.exited.end() ? nullptr : &it->second;
}

v1::ContainerStatus BuildContainerStatus(const PodStatusSources& sources, const v1::Container& spec,
                                         bool init) {
  static const ContainerRuntimeState kNeverSeen{RuntimeBackoffs{}};
  static const ContainerProbes kNotProbed;
  auto known = sources.state.containers.find(spec.name());
  const ContainerRuntimeState& state =
      known == sources.state.containers.end() ? kNeverSeen : known->second;
  auto probed = sources.probes.find(spec.name());
  const ContainerProbes& probes = probed == sources.probes.end() ? kNotProbed : probed->second;

  v1::ContainerStatus status;
  status.set_name(spec.name());
  status.set_image(spec.image());
  auto [latest, previous] = LatestTwo(sources.runtime.containers, spec.name());
  status.set_restart_count(static_cast<int32_t>(
      latest != nullptr ? std::max(state.restart_count, latest->metadata().attempt())
                        : state.restart_count));
  if (latest != nullptr) {
    status.set_container_id(sources.runtime_name + "://" + latest->id());
    status.set_image_id(latest->image_ref());
  }
  if (previous != nullptr) {
    if (const cri::ContainerStatus* exited = Exited(sources.runtime, *previous)) {
      FillTerminated(*exited, sources.runtime_name,
                     status.mutable_last_state()->mutable_terminated());
    }
  }

  if (latest != nullptr && latest->state() == cri::CONTAINER_RUNNING) {
    auto started = sources.runtime.started_at.find(latest->id());
    const int64_t started_at =
        started == sources.runtime.started_at.end() ? latest->created_at() : started->second;
    *status.mutable_state()->mutable_running()->mutable_started_at() =
        TimeUtil::NanosecondsToTimestamp(started_at);
    status.set_started(probes.Started(spec, latest->id()));
    status.set_ready(probes.Ready(spec, latest->id()));
    return status;
  }
  if (!state.waiting_reason.empty()) {
    status.mutable_state()->mutable_waiting()->set_reason(state.waiting_reason);
    status.mutable_state()->mutable_waiting()->set_message(state.waiting_message);
  } else if (latest != nullptr && latest->state() == cri::CONTAINER_EXITED) {
    if (const cri::ContainerStatus* exited = Exited(sources.runtime, *latest)) {
      FillTerminated(*exited, sources.runtime_name, status.mutable_state()->mutable_terminated());
    }
  } else {
    status.mutable_state()->mutable_waiting()->set_reason(
        init || sources.initialized ? "ContainerCreating" : "PodInitializing");
  }
  if (init && latest != nullptr && status.state().has_terminated() &&
      status.state().terminated().exit_code() == 0) {
    status.set_ready(true);
  }
  status.set_started(false);
  return status;
}

}  // namespace

v1::Pod BuildPodStatus(const PodStatusSources& sources) {
  const PodContext& context = sources.context;
  v1::Pod pod;
  pod.set_api_version("v1");
  pod.set_kind("Pod");
  v1::ObjectMeta* metadata = pod.mutable_metadata();
  metadata->set_name(context.pod_name);
  metadata->set_namespace_(context.pod_namespace);
  metadata->set_uid(context.pod_uid);
  *metadata->mutable_labels() = sources.pod.metadata().labels();
  (*metadata->mutable_labels())[kRevisionHashLabel] = context.revision_hash;
  *metadata->mutable_creation_timestamp() = TimeUtil::NanosecondsToTimestamp(
      std::chrono::duration_cast<std::chrono::nanoseconds>(context.created.time_since_epoch())
          .count());
  pod.set_node_name(context.node_name);
  pod.set_owner(sources.owner.Reference());
  pod.set_revision_hash(context.revision_hash);
  pod.set_static_pod(sources.owner.static_pod);
  pod.set_sandbox_id(sources.state.sandbox_id);
  pod.set_priority(context.priority);
  pod.set_priority_class_name(sources.pod.spec().priority_class_name());

  v1::PodStatus* status = pod.mutable_status();
  status->set_host_ip(context.host_ip);
  status->set_pod_ip(sources.state.pod_ip);
  *status->mutable_start_time() = metadata->creation_timestamp();
  if (!sources.state.pod_error.empty()) {
    // A volume that cannot be set up (the volume manager names it first)
    // is kubelet's FailedMount; anything else kept the sandbox from starting.
    const bool mount = sources.state.pod_error.rfind("volume \"", 0) == 0;
    status->set_reason(mount ? "FailedMount" : "PodSandboxError");
    status->set_message(sources.state.pod_error);
  }
  bool any_running = false;
  for (const v1::Container& spec : sources.pod.spec().init_containers()) {
    *status->add_init_container_statuses() = BuildContainerStatus(sources, spec, true);
  }
  for (const v1::Container& spec : sources.pod.spec().containers()) {
    v1::ContainerStatus container = BuildContainerStatus(sources, spec, false);
    any_running = any_running || container.state().has_running() || container.restart_count() > 0;
    *status->add_container_statuses() = std::move(container);
  }
  const bool sandbox_ok = sources.state.pod_error.empty() && !sources.state.sandbox_id.empty();
  const bool ready = !sources.runtime.containers.empty() && AllContainersReady(*status) &&
                     sandbox_ok && sources.initialized;
  status->set_phase(sandbox_ok && sources.initialized && any_running ? "Running" : "Pending");
  SetPodConditions(sources.initialized, ready, status);
  return pod;
}

}  // namespace fleetset::agent
