// PodWorker: identity, the sandbox, the pass structure and termination.
// Containers are in pod_worker_containers.cc, status in pod_worker_status.cc.
#include "agent/pod_worker.h"
#include "fleetset/uid.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <future>

#include "agent/pod_identity.h"

namespace fleetset::agent {
namespace {

std::string LabelOr(const google::protobuf::Map<std::string, std::string>& labels,
                    const std::string& key, const std::string& fallback = "") {
  auto it = labels.find(key);
  return it == labels.end() ? fallback : it->second;
}

}  // namespace

PodWorker::PodWorker(const PodWorkerDeps& deps, const PodOwner& owner,
                     const v1::PodTemplateSpec& template_spec, const std::string& revision_hash)
    : deps_(deps),
      owner_(owner),
      context_(deps.node_defaults),
      template_(template_spec),
      // Whole seconds, as Kubernetes keeps creationTimestamp, and as the
      // sandbox annotation it is restored from after a restart holds it.
      created_(std::chrono::floor<std::chrono::seconds>(deps.clock->WallNow())),
      backoff_(*deps.clock) {
  context_.pod_name = GeneratePodName(owner.daemon_set_name);
  context_.pod_namespace = owner.daemon_set_namespace;
  context_.pod_uid = GenerateUid();
  context_.daemon_set_namespace = owner.daemon_set_namespace;
  context_.daemon_set_name = owner.daemon_set_name;
  context_.revision_hash = revision_hash;
  context_.static_pod = owner.static_pod;
  context_.pod_dir = deps.pods_dir + "/" + context_.pod_uid;
}

PodWorker::PodWorker(const PodWorkerDeps& deps, const SandboxSnapshot& found)
    : deps_(deps), context_(deps.node_defaults), backoff_(*deps.clock) {
  const auto& labels = found.sandbox.labels();
  owner_.daemon_set_namespace = LabelOr(labels, kDaemonSetNamespaceLabel);
  owner_.daemon_set_name = LabelOr(labels, kDaemonSetNameLabel);
  owner_.static_pod = LabelOr(labels, kStaticPodLabel) == "true";
  context_.pod_name = LabelOr(labels, kPodNameLabel);
  context_.pod_namespace = LabelOr(labels, kPodNamespaceLabel);
  context_.pod_uid = LabelOr(labels, kPodUidLabel);
  context_.daemon_set_namespace = owner_.daemon_set_namespace;
  context_.daemon_set_name = owner_.daemon_set_name;
  context_.revision_hash = LabelOr(labels, kRevisionHashLabel);
  context_.static_pod = owner_.static_pod;
  context_.pod_dir = deps.pods_dir + "/" + context_.pod_uid;
  // The pod's creation time is what the agent that created it recorded;
  // the sandbox's own creation time is later (and, for a pod already in its
  // second sandbox, much later), so a restarted agent would otherwise
  // report a younger pod than before.
  int64_t created_seconds = 0;
  const auto& annotations = found.sandbox.annotations();
  if (auto it = annotations.find(kPodCreatedAnnotation); it != annotations.end()) {
    std::from_chars(it->second.data(), it->second.data() + it->second.size(), created_seconds);
  }
  if (created_seconds > 0) {
    created_ = std::chrono::system_clock::time_point(std::chrono::seconds(created_seconds));
  } else {
    created_ = std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(
            std::chrono::nanoseconds(found.sandbox.created_at())));
  }
  if (found.sandbox.state() == cri::SANDBOX_READY) {
    sandbox_id_ = found.sandbox.id();
    sandbox_attempt_ = found.sandbox.metadata().attempt();
  }
}

void PodWorker::AssignTemplate(const v1::PodTemplateSpec& template_spec) {
  template_ = template_spec;
}

bool PodWorker::HasTemplate() const { return template_.has_value(); }

std::chrono::seconds PodWorker::GracePeriod() const {
  if (template_ && template_->spec().has_termination_grace_period_seconds()) {
    return std::chrono::seconds(template_->spec().termination_grace_period_seconds());
  }
  return std::chrono::seconds(30);
}

std::map<std::string, std::string> PodWorker::PodTemplateLabels() const {
  std::map<std::string, std::string> labels;
  if (template_)
    labels.insert(template_->metadata().labels().begin(), template_->metadata().labels().end());
  return labels;
}

std::chrono::steady_clock::time_point PodWorker::ToSteady(int64_t unix_nanos) const {
  // The runtime reports wall-clock times; back-off runs on the steady
  // clock, so translate through "how long ago".
  const auto wall = std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::nanoseconds(unix_nanos)));
  return deps_.clock->Now() - std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                  deps_.clock->WallNow() - wall);
}

cri::PodSandboxConfig PodWorker::SandboxConfig(uint32_t attempt) const {
  cri::PodSandboxConfig config = BuildSandboxConfig(*template_, context_, attempt);
  (*config.mutable_annotations())[kPodCreatedAnnotation] = std::to_string(
      std::chrono::duration_cast<std::chrono::seconds>(created_.time_since_epoch()).count());
  return config;
}

bool PodWorker::Sync(const std::vector<SandboxSnapshot>* sandboxes) {
  acted_ = false;
  if (!template_ || Terminating()) return false;
  std::vector<cri::Container> containers;
  if (!EnsureSandbox(sandboxes, &containers)) {
    // Without a sandbox the app containers wait in ContainerCreating, or in
    // PodInitializing behind init containers, as kubelet reports them.
    PublishStatus({}, template_->spec().init_containers().empty());
    return acted_;
  }
  const bool initialized = SyncInitContainers(containers);
  if (initialized) {
    for (const v1::Container& spec : template_->spec().containers()) {
      SyncAppContainer(spec, containers);
    }
  }
  if (acted_) {
    // Report what the pass just did, not the relist it started from.
    cri::ListContainersRequest list;
    list.mutable_filter()->set_pod_sandbox_id(sandbox_id_);
    cri::ListContainersResponse listed;
    if (deps_.runtime->ListContainers(list, &listed).ok()) {
      containers.assign(listed.containers().begin(), listed.containers().end());
      SortOldestFirst(&containers);
    }
  }
  PublishStatus(containers, initialized);
  return acted_;
}

bool PodWorker::EnsureSandbox(const std::vector<SandboxSnapshot>* sandboxes,
                              std::vector<cri::Container>* containers) {
  const SandboxSnapshot* current = nullptr;
  if (sandboxes != nullptr) {
    for (const SandboxSnapshot& entry : *sandboxes) {
      if (entry.sandbox.id() == sandbox_id_) current = &entry;
    }
  }
  if (current != nullptr && current->sandbox.state() == cri::SANDBOX_READY) {
    *containers = current->containers;
    if (sandboxes->size() > 1) RemoveSandboxes(*sandboxes, sandbox_id_);
    if (context_.pod_ip.empty() && !template_->spec().host_network()) {
      cri::PodSandboxStatusRequest request;
      request.set_pod_sandbox_id(sandbox_id_);
      cri::PodSandboxStatusResponse response;
      if (deps_.runtime->PodSandboxStatus(request, &response).ok()) {
        context_.pod_ip = response.status().network().ip();
      }
    }
    return true;
  }

  // No usable sandbox: as kubelet, a sandbox that died takes its containers
  // with it and the pod starts over in a new one (next attempt).
  uint32_t attempt = 0;
  if (current != nullptr)
    attempt = current->sandbox.metadata().attempt() + 1;
  else if (!sandbox_id_.empty())
    attempt = sandbox_attempt_ + 1;
  if (sandboxes != nullptr) RemoveSandboxes(*sandboxes, "");

  if (sandbox_retry_at_ && deps_.clock->Now() < *sandbox_retry_at_) return false;
  if (auto error = PreparePodVolumes(template_->spec(), context_)) {
    pod_error_ = *error;
    return false;
  }
  cri::RunPodSandboxRequest request;
  *request.mutable_config() = SandboxConfig(attempt);
  cri::RunPodSandboxResponse response;
  acted_ = true;
  grpc::Status status = deps_.runtime->RunPodSandbox(request, &response);
  if (!status.ok()) {
    pod_error_ = "Failed to create pod sandbox: " + status.error_message();
    sandbox_retry_at_ = deps_.clock->Now() + kSandboxRetryPeriod;
    spdlog::warn("pod {}/{}: {} (retrying in {}s)", context_.pod_namespace, context_.pod_name,
                 pod_error_,
                 std::chrono::duration_cast<std::chrono::seconds>(kSandboxRetryPeriod).count());
    return false;
  }
  sandbox_retry_at_.reset();
  pod_error_.clear();
  sandbox_id_ = response.pod_sandbox_id();
  sandbox_attempt_ = attempt;
  context_.pod_ip.clear();
  if (template_->spec().host_network()) {
    context_.pod_ip = context_.host_ip;
  } else {
    cri::PodSandboxStatusRequest status_request;
    status_request.set_pod_sandbox_id(sandbox_id_);
    cri::PodSandboxStatusResponse status_response;
    if (deps_.runtime->PodSandboxStatus(status_request, &status_response).ok()) {
      context_.pod_ip = status_response.status().network().ip();
    }
  }
  spdlog::info("pod {}/{}: sandbox {} started (attempt {})", context_.pod_namespace,
               context_.pod_name, sandbox_id_.substr(0, 12), attempt);
  containers->clear();
  return true;
}

void PodWorker::RemoveSandboxes(const std::vector<SandboxSnapshot>& sandboxes,
                                const std::string& keep_id) {
  for (const SandboxSnapshot& entry : sandboxes) {
    if (entry.sandbox.id() == keep_id) continue;
    acted_ = true;
    cri::StopPodSandboxRequest stop;
    stop.set_pod_sandbox_id(entry.sandbox.id());
    cri::StopPodSandboxResponse stopped;
    deps_.runtime->StopPodSandbox(stop, &stopped);
    cri::RemovePodSandboxRequest remove;
    remove.set_pod_sandbox_id(entry.sandbox.id());
    cri::RemovePodSandboxResponse removed;
    deps_.runtime->RemovePodSandbox(remove, &removed);
  }
}

bool PodWorker::Terminating() const {
  std::lock_guard lock(status_mutex_);
  return terminating_;
}

bool PodWorker::Terminate(std::chrono::seconds grace, const std::string& reason) {
  {
    std::lock_guard lock(status_mutex_);
    terminating_ = true;
  }
  spdlog::info("pod {}/{}: terminating ({}), grace period {}s", context_.pod_namespace,
               context_.pod_name, reason, grace.count());
  cri::ListPodSandboxRequest list;
  (*list.mutable_filter()->mutable_label_selector())[kPodUidLabel] = context_.pod_uid;
  cri::ListPodSandboxResponse sandboxes;
  if (!deps_.runtime->ListPodSandbox(list, &sandboxes).ok()) return false;
  bool ok = true;
  for (const cri::PodSandbox& sandbox : sandboxes.items()) {
    cri::ListContainersRequest list_containers;
    list_containers.mutable_filter()->set_pod_sandbox_id(sandbox.id());
    cri::ListContainersResponse containers;
    if (!deps_.runtime->ListContainers(list_containers, &containers).ok()) return false;
    // Containers stop in parallel, so the pod's grace period bounds the
    // whole stop rather than adding up per container.
    std::vector<std::future<bool>> stops;
    for (const cri::Container& container : containers.containers()) {
      if (container.state() != cri::CONTAINER_RUNNING) continue;
      stops.push_back(std::async(std::launch::async, [this, id = container.id(), grace] {
        cri::StopContainerRequest stop;
        stop.set_container_id(id);
        stop.set_timeout(grace.count());
        cri::StopContainerResponse stopped;
        return deps_.runtime->StopContainer(stop, &stopped).ok();
      }));
    }
    for (auto& stop : stops) ok = stop.get() && ok;
    cri::StopPodSandboxRequest stop;
    stop.set_pod_sandbox_id(sandbox.id());
    cri::StopPodSandboxResponse stopped;
    ok = deps_.runtime->StopPodSandbox(stop, &stopped).ok() && ok;
    cri::RemovePodSandboxRequest remove;
    remove.set_pod_sandbox_id(sandbox.id());
    cri::RemovePodSandboxResponse removed;
    ok = deps_.runtime->RemovePodSandbox(remove, &removed).ok() && ok;
  }
  if (ok) RemovePodVolumes(context_);
  return ok;
}

}  // namespace fleetset::agent
