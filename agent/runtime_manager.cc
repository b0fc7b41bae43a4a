// RuntimeManager: listing, status and killing. Syncing a pod is PodSyncPass
// (pod_sync_*.cc).
#include "agent/runtime_manager.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <optional>

#include "agent/pod_identity.h"
#include "agent/pod_sync_pass.h"

namespace fleetset::agent {
namespace {

// Runs every task on `executor` at once and `then(all succeeded)` after
// the last, on the thread that finished it.
void RunAllThen(Executor& executor, std::vector<std::function<bool()>> tasks,
                std::function<void(bool)> then) {
  if (tasks.empty()) {
    then(true);
    return;
  }
  struct Join {
    std::atomic<size_t> left;
    std::atomic<bool> ok{true};
    std::function<void(bool)> then;
  };
  auto join = std::make_shared<Join>();
  join->left = tasks.size();
  join->then = std::move(then);
  for (auto& task : tasks) {
    executor.Post([task = std::move(task), join] {
      if (!task()) join->ok = false;
      if (--join->left == 0) join->then(join->ok);
    });
  }
}

// The app container of that name, or null (init containers have no hooks).
const v1::Container* FindContainer(const v1::PodSpec& spec, const std::string& name) {
  for (const v1::Container& container : spec.containers()) {
    if (container.name() == name) return &container;
  }
  return nullptr;
}

}  // namespace

RuntimeManager::RuntimeManager(RuntimeManagerDeps deps) : deps_(std::move(deps)) {
  if (deps_.hook_actions != nullptr) hooks_.emplace(*deps_.hook_actions, *deps_.clock);
}

PodRuntimeState RuntimeManager::NewPodState() const { return PodRuntimeState(deps_.backoffs); }

PodRuntimeState RuntimeManager::AdoptedPodState(const SandboxSnapshot& found) const {
  PodRuntimeState state(deps_.backoffs);
  if (found.sandbox.state() == cri::SANDBOX_READY) {
    state.sandbox_id = found.sandbox.id();
    state.sandbox_attempt = found.sandbox.metadata().attempt();
  }
  return state;
}

grpc::Status RuntimeManager::ListPods(RuntimeSnapshot* snapshot) const {
  return Relist(*deps_.runtime, deps_.node_name, snapshot);
}

PodSyncResult RuntimeManager::SyncPod(const v1::PodTemplateSpec& pod, const PodContext& context,
                                      const std::vector<SandboxSnapshot>* sandboxes,
                                      PodRuntimeState& state) const {
  return PodSyncPass(*this, pod, context, state).Run(sandboxes);
}

const cri::ContainerStatus* RuntimeManager::ExitedStatus(const cri::Container& container,
                                                         PodRuntimeState& state) const {
  auto it = state.exited_status_cache.find(container.id());
  if (it != state.exited_status_cache.end()) return &it->second;
  cri::ContainerStatusRequest request;
  request.set_container_id(container.id());
  cri::ContainerStatusResponse response;
  if (!deps_.runtime->ContainerStatus(request, &response).ok()) return nullptr;
  if (response.status().state() != cri::CONTAINER_EXITED) return nullptr;
  return &(state.exited_status_cache[container.id()] = response.status());
}

RuntimePodStatus RuntimeManager::GetPodStatus(const std::string& sandbox_id,
                                              std::vector<cri::Container> containers, bool relist,
                                              PodRuntimeState& state) const {
  if (relist) {
    cri::ListContainersRequest list;
    list.mutable_filter()->set_pod_sandbox_id(sandbox_id);
    cri::ListContainersResponse listed;
    if (deps_.runtime->ListContainers(list, &listed).ok()) {
      containers.assign(listed.containers().begin(), listed.containers().end());
      SortOldestFirst(&containers);
    }
  }
  RuntimePodStatus status;
  for (const cri::Container& container : containers) {
    if (container.state() == cri::CONTAINER_EXITED) {
      if (const cri::ContainerStatus* exited = ExitedStatus(container, state)) {
        status.exited[container.id()] = *exited;
      }
    } else if (container.state() == cri::CONTAINER_RUNNING) {
      auto started = state.started_at_cache.find(container.id());
      if (started == state.started_at_cache.end()) {
        cri::ContainerStatusRequest request;
        request.set_container_id(container.id());
        cri::ContainerStatusResponse response;
        int64_t at = container.created_at();
        if (deps_.runtime->ContainerStatus(request, &response).ok()) {
          at = response.status().started_at();
        }
        started = state.started_at_cache.emplace(container.id(), at).first;
      }
      status.started_at[container.id()] = started->second;
    }
  }
  status.containers = std::move(containers);
  return status;
}

bool RuntimeManager::KillContainer(const PodContext& context, const v1::Container* spec,
                                   const std::string& container_id,
                                   std::chrono::seconds grace) const {
  if (spec != nullptr && hooks_) grace -= hooks_->PreStop(*spec, context, container_id, grace);
  cri::StopContainerRequest stop;
  stop.set_container_id(container_id);
  // As kubelet: a minimal window to shut down, so that no container is
  // killed without a chance to handle SIGTERM.
  stop.set_timeout(std::max(grace, kMinimumStopGrace).count());
  cri::StopContainerResponse stopped;
  return deps_.runtime->StopContainer(stop, &stopped).ok();
}

void RuntimeManager::KillPod(const PodContext& context, const v1::PodSpec* spec,
                             std::chrono::seconds grace, std::function<void(bool ok)> done) const {
  CriRuntime& runtime = *deps_.runtime;
  cri::ListPodSandboxRequest list;
  (*list.mutable_filter()->mutable_label_selector())[kPodUidLabel] = context.pod_uid;
  cri::ListPodSandboxResponse sandboxes;
  if (!runtime.ListPodSandbox(list, &sandboxes).ok()) return done(false);
  std::vector<std::string> sandbox_ids;
  std::vector<std::function<bool()>> stops;
  for (const cri::PodSandbox& sandbox : sandboxes.items()) {
    sandbox_ids.push_back(sandbox.id());
    cri::ListContainersRequest list_containers;
    list_containers.mutable_filter()->set_pod_sandbox_id(sandbox.id());
    cri::ListContainersResponse containers;
    if (!runtime.ListContainers(list_containers, &containers).ok()) return done(false);
    for (const cri::Container& container : containers.containers()) {
      if (container.state() != cri::CONTAINER_RUNNING) continue;
      const v1::Container* container_spec =
          spec != nullptr ? FindContainer(*spec, ContainerNameOf(container)) : nullptr;
      // The spec is copied: the stops run after the caller's is gone.
      std::optional<v1::Container> hook_spec;
      if (container_spec != nullptr) hook_spec = *container_spec;
      stops.push_back(
          [this, context, hook_spec = std::move(hook_spec), id = container.id(), grace] {
            return KillContainer(context, hook_spec ? &*hook_spec : nullptr, id, grace);
          });
    }
  }
  std::optional<v1::PodSpec> known_spec;
  if (spec != nullptr) known_spec = *spec;
  // Containers stop in parallel, so the pod's grace period bounds the whole
  // stop rather than adding up per container.
  RunAllThen(*deps_.executor, std::move(stops),
             [this, &runtime, sandbox_ids = std::move(sandbox_ids), context,
              known_spec = std::move(known_spec), done = std::move(done)](bool ok) {
               for (const std::string& id : sandbox_ids) {
                 cri::StopPodSandboxRequest stop;
                 stop.set_pod_sandbox_id(id);
                 cri::StopPodSandboxResponse stopped;
                 ok = runtime.StopPodSandbox(stop, &stopped).ok() && ok;
                 cri::RemovePodSandboxRequest remove;
                 remove.set_pod_sandbox_id(id);
                 cri::RemovePodSandboxResponse removed;
                 ok = runtime.RemovePodSandbox(remove, &removed).ok() && ok;
               }
               if (ok) {
                 deps_.volumes->TearDown(known_spec ? &*known_spec : nullptr, context);
                 // The pod's own sandboxes carried its UID, so the directory
                 // is its: removed even when the ledger lacks it (a pod
                 // created before the agent kept one).
                 if (deps_.pod_logs != nullptr) {
                   deps_.pod_logs->RemovePodLogs(
                       context.pod_uid, PodLogDirectory(context.log_root, context.pod_namespace,
                                                        context.pod_name, context.pod_uid));
                 }
               }
               done(ok);
             });
}

}  // namespace fleetset::agent
