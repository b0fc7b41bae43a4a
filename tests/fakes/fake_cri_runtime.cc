#include "fakes/fake_cri_runtime.h"

#include <algorithm>
#include <cstdio>
#include <thread>

namespace fleetset::testing {
namespace {

using grpc::StatusCode;

// containerd's reference normalisation, enough for tests: "busybox" is
// "docker.io/library/busybox:latest".
std::string NormalizeImage(const std::string& name) {
  if (name.starts_with("sha256:")) return name;
  std::string ref = name;
  std::string digest;
  if (const size_t at = ref.find('@'); at != std::string::npos) {
    digest = ref.substr(at);
    ref.resize(at);
  }
  const size_t slash = ref.find('/');
  const std::string first = slash == std::string::npos ? "" : ref.substr(0, slash);
  const bool has_domain =
      !first.empty() && (first.find_first_of(".:") != std::string::npos || first == "localhost");
  if (!has_domain) {
    ref = "docker.io/" + std::string(slash == std::string::npos ? "library/" : "") + ref;
  } else if (first == "docker.io" && ref.find('/', slash + 1) == std::string::npos) {
    ref.insert(slash + 1, "library/");
  }
  const size_t last_slash = ref.rfind('/');
  if (digest.empty() && ref.find(':', last_slash) == std::string::npos) ref += ":latest";
  return ref + digest;
}

std::string ImageIdFor(const std::string& normalized) {
  uint64_t hash = 14695981039346656037ull;
  for (unsigned char byte : normalized) {
    hash ^= byte;
    hash *= 1099511628211ull;
  }
  char hex[17];
  std::snprintf(hex, sizeof(hex), "%016llx", static_cast<unsigned long long>(hash));
  return "sha256:" + std::string(hex) + std::string(hex) + std::string(hex) + std::string(hex);
}

bool LabelsMatch(const google::protobuf::Map<std::string, std::string>& selector,
                 const google::protobuf::Map<std::string, std::string>& labels) {
  for (const auto& [key, value] : selector) {
    auto it = labels.find(key);
    if (it == labels.end() || it->second != value) return false;
  }
  return true;
}

// containerd accepts any unique prefix of an id in filters.
bool IdMatches(const std::string& filter, const std::string& id) {
  return filter.empty() || id.starts_with(filter);
}

grpc::Status NotFound(const std::string& what, const std::string& id) {
  return grpc::Status(StatusCode::NOT_FOUND,
                      "an error occurred when try to find " + what + " \"" + id + "\": not found");
}

std::string StateName(cri::ContainerState state) { return cri::ContainerState_Name(state); }

std::string ReasonFor(int exit_code) { return exit_code == 0 ? "Completed" : "Error"; }

}  // namespace

FakeCriRuntime::FakeCriRuntime(const Clock* clock) : clock_(clock) {}

grpc::Status FakeCriRuntime::Enter(const std::string& method) {
  std::chrono::milliseconds delay{0};
  {
    std::lock_guard lock(mu_);
    ++calls_[method];
    if (auto it = delays_.find(method); it != delays_.end()) delay = it->second;
  }
  if (delay.count() > 0) std::this_thread::sleep_for(delay);
  std::lock_guard lock(mu_);
  if (unavailable_) {
    return grpc::Status(StatusCode::UNAVAILABLE, "connection refused (fake runtime is down)");
  }
  auto it = failures_.find(method);
  if (it != failures_.end() && !it->second.empty()) {
    grpc::Status status = it->second.front();
    it->second.pop_front();
    return status;
  }
  return grpc::Status::OK;
}

int64_t FakeCriRuntime::NowNanos() {
  const int64_t now =
      std::chrono::duration_cast<std::chrono::nanoseconds>(clock_->WallNow().time_since_epoch())
          .count();
  // A real runtime's nanosecond clock never stamps two events alike, and
  // the agent orders attempts by created_at; a FakeClock that stands still
  // must not make them tie.
  last_timestamp_ = now > last_timestamp_ ? now : last_timestamp_ + 1;
  return last_timestamp_;
}

std::string FakeCriRuntime::NewId() {
  // 64 hex characters like containerd's ids, unique and spread out so that
  // short prefixes identify them (containerd accepts unique prefixes).
  const uint64_t seed = next_id_++;
  std::string id;
  for (uint64_t part = 0; part < 4; ++part) {
    // splitmix64: a bijection, so distinct seeds never collide.
    uint64_t z = seed * 4 + part + 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    char hex[17];
    std::snprintf(hex, sizeof(hex), "%016llx", static_cast<unsigned long long>(z));
    id += hex;
  }
  return id;
}

void FakeCriRuntime::ExitLocked(Container* container, int exit_code, const std::string& reason) {
  container->state = cri::CONTAINER_EXITED;
  container->exit_code = exit_code;
  container->reason = reason.empty() ? ReasonFor(exit_code) : reason;
  container->finished_at = NowNanos();
}

void FakeCriRuntime::RemoveContainerLocked(const std::string& id) { containers_.erase(id); }

std::optional<std::string> FakeCriRuntime::ImageIdLocked(const std::string& image) const {
  auto it = images_.find(NormalizeImage(image));
  if (it != images_.end()) return it->second;
  // An image id works as a reference too.
  for (const auto& [name, id] : images_) {
    if (id == image) return id;
  }
  return std::nullopt;
}

grpc::Status FakeCriRuntime::Version(const cri::VersionRequest&, cri::VersionResponse* response) {
  if (grpc::Status status = Enter("Version"); !status.ok()) return status;
  response->set_version("0.1.0");
  response->set_runtime_name("fake");
  response->set_runtime_version("1.6.0-fake");
  response->set_runtime_api_version("v1");
  return grpc::Status::OK;
}

grpc::Status FakeCriRuntime::Status(const cri::StatusRequest& request,
                                    cri::StatusResponse* response) {
  if (grpc::Status status = Enter("Status"); !status.ok()) return status;
  std::lock_guard lock(mu_);
  auto* runtime = response->mutable_status()->add_conditions();
  runtime->set_type("RuntimeReady");
  runtime->set_status(runtime_ready_);
  auto* network = response->mutable_status()->add_conditions();
  network->set_type("NetworkReady");
  network->set_status(network_ready_);
  if (!network_ready_) network->set_reason("NetworkPluginNotReady");
  // containerd's verbose status carries its configuration as JSON.
  if (request.verbose() && !sandbox_image_.empty()) {
    (*response->mutable_info())["config"] = "{\"sandboxImage\":\"" + sandbox_image_ + "\"}";
  }
  return grpc::Status::OK;
}

grpc::Status FakeCriRuntime::RunPodSandbox(const cri::RunPodSandboxRequest& request,
                                           cri::RunPodSandboxResponse* response) {
  if (grpc::Status status = Enter("RunPodSandbox"); !status.ok()) return status;
  std::lock_guard lock(mu_);
  const cri::PodSandboxMetadata& metadata = request.config().metadata();
  if (metadata.name().empty() || metadata.uid().empty() || metadata.namespace_().empty()) {
    return grpc::Status(StatusCode::INVALID_ARGUMENT, "sandbox config must include metadata");
  }
  // containerd reserves name_namespace_uid_attempt for the sandbox's life.
  const std::string name = metadata.name() + "_" + metadata.namespace_() + "_" + metadata.uid() +
                           "_" + std::to_string(metadata.attempt());
  for (const auto& [id, sandbox] : sandboxes_) {
    const cri::PodSandboxMetadata& other = sandbox.config.metadata();
    if (other.name() + "_" + other.namespace_() + "_" + other.uid() + "_" +
            std::to_string(other.attempt()) ==
        name) {
      return grpc::Status(StatusCode::UNKNOWN, "failed to reserve sandbox name \"" + name +
                                                   "\": name \"" + name + "\" is reserved for \"" +
                                                   id + "\"");
    }
  }
  Sandbox sandbox;
  sandbox.id = NewId();
  sandbox.config = request.config();
  sandbox.created_at = NowNanos();
  sandbox.order = next_id_;
  const bool host_network =
      request.config().linux().security_context().namespace_options().network() == cri::NODE;
  if (!host_network) sandbox.ip = "10.88.0." + std::to_string(sandboxes_.size() % 250 + 2);
  response->set_pod_sandbox_id(sandbox.id);
  sandboxes_[sandbox.id] = std::move(sandbox);
  return grpc::Status::OK;
}

grpc::Status FakeCriRuntime::StopPodSandbox(const cri::StopPodSandboxRequest& request,
                                            cri::StopPodSandboxResponse*) {
  if (grpc::Status status = Enter("StopPodSandbox"); !status.ok()) return status;
  std::lock_guard lock(mu_);
  auto it = sandboxes_.find(request.pod_sandbox_id());
  if (it == sandboxes_.end()) return NotFound("sandbox", request.pod_sandbox_id());
  // The sandbox's containers are killed outright, not given a grace period.
  for (auto& [id, container] : containers_) {
    if (container.sandbox_id == it->first && container.state == cri::CONTAINER_RUNNING) {
      ExitLocked(&container, 137, "Error");
    }
  }
  it->second.state = cri::SANDBOX_NOTREADY;
  return grpc::Status::OK;
}

grpc::Status FakeCriRuntime::RemovePodSandbox(const cri::RemovePodSandboxRequest& request,
                                              cri::RemovePodSandboxResponse*) {
  if (grpc::Status status = Enter("RemovePodSandbox"); !status.ok()) return status;
  std::lock_guard lock(mu_);
  // Removing what is already gone succeeds, as in containerd.
  if (sandboxes_.erase(request.pod_sandbox_id()) == 0) return grpc::Status::OK;
  std::erase_if(containers_, [&](const auto& entry) {
    return entry.second.sandbox_id == request.pod_sandbox_id();
  });
  return grpc::Status::OK;
}

grpc::Status FakeCriRuntime::PodSandboxStatus(const cri::PodSandboxStatusRequest& request,
                                              cri::PodSandboxStatusResponse* response) {
  if (grpc::Status status = Enter("PodSandboxStatus"); !status.ok()) return status;
  std::lock_guard lock(mu_);
  auto it = sandboxes_.find(request.pod_sandbox_id());
  if (it == sandboxes_.end()) return NotFound("sandbox", request.pod_sandbox_id());
  const Sandbox& sandbox = it->second;
  cri::PodSandboxStatus* status = response->mutable_status();
  status->set_id(sandbox.id);
  *status->mutable_metadata() = sandbox.config.metadata();
  status->set_state(sandbox.state);
  status->set_created_at(sandbox.created_at);
  status->mutable_network()->set_ip(sandbox.ip);
  *status->mutable_linux()->mutable_namespaces()->mutable_options() =
      sandbox.config.linux().security_context().namespace_options();
  *status->mutable_labels() = sandbox.config.labels();
  *status->mutable_annotations() = sandbox.config.annotations();
  return grpc::Status::OK;
}

grpc::Status FakeCriRuntime::ListPodSandbox(const cri::ListPodSandboxRequest& request,
                                            cri::ListPodSandboxResponse* response) {
  if (grpc::Status status = Enter("ListPodSandbox"); !status.ok()) return status;
  std::lock_guard lock(mu_);
  const cri::PodSandboxFilter& filter = request.filter();
  std::vector<const Sandbox*> matched;
  for (const auto& [id, sandbox] : sandboxes_) {
    if (!IdMatches(filter.id(), id)) continue;
    if (filter.has_state() && filter.state().state() != sandbox.state) continue;
    if (!LabelsMatch(filter.label_selector(), sandbox.config.labels())) continue;
    matched.push_back(&sandbox);
  }
  std::sort(matched.begin(), matched.end(),
            [](const Sandbox* a, const Sandbox* b) { return a->order < b->order; });
  for (const Sandbox* sandbox : matched) {
    cri::PodSandbox* item = response->add_items();
    item->set_id(sandbox->id);
    *item->mutable_metadata() = sandbox->config.metadata();
    item->set_state(sandbox->state);
    item->set_created_at(sandbox->created_at);
    *item->mutable_labels() = sandbox->config.labels();
    *item->mutable_annotations() = sandbox->config.annotations();
  }
  return grpc::Status::OK;
}

grpc::Status FakeCriRuntime::CreateContainer(const cri::CreateContainerRequest& request,
                                             cri::CreateContainerResponse* response) {
  if (grpc::Status status = Enter("CreateContainer"); !status.ok()) return status;
  std::lock_guard lock(mu_);
  auto sandbox = sandboxes_.find(request.pod_sandbox_id());
  if (sandbox == sandboxes_.end()) return NotFound("sandbox", request.pod_sandbox_id());
  if (sandbox->second.state != cri::SANDBOX_READY) {
    return grpc::Status(StatusCode::UNKNOWN,
                        "sandbox container \"" + sandbox->first + "\" is not running");
  }
  const cri::ContainerConfig& config = request.config();
  if (config.metadata().name().empty()) {
    return grpc::Status(StatusCode::INVALID_ARGUMENT, "container config must include metadata");
  }
  const std::optional<std::string> image_id = ImageIdLocked(config.image().image());
  if (!image_id) {
    return grpc::Status(StatusCode::NOT_FOUND,
                        "failed to resolve image \"" + config.image().image() + "\": not found");
  }
  // (name, attempt) is reserved within the sandbox until the container is
  // removed.
  for (const auto& [id, container] : containers_) {
    if (container.sandbox_id == sandbox->first &&
        container.config.metadata().name() == config.metadata().name() &&
        container.config.metadata().attempt() == config.metadata().attempt()) {
      return grpc::Status(StatusCode::UNKNOWN, "failed to reserve container name \"" +
                                                   config.metadata().name() + "_" +
                                                   std::to_string(config.metadata().attempt()) +
                                                   "\": is reserved for \"" + id + "\"");
    }
  }
  Container container;
  container.id = NewId();
  container.sandbox_id = sandbox->first;
  container.config = config;
  container.image_id = *image_id;
  container.created_at = NowNanos();
  container.order = next_id_;
  response->set_container_id(container.id);
  containers_[container.id] = std::move(container);
  return grpc::Status::OK;
}

grpc::Status FakeCriRuntime::StartContainer(const cri::StartContainerRequest& request,
                                            cri::StartContainerResponse*) {
  if (grpc::Status status = Enter("StartContainer"); !status.ok()) return status;
  std::lock_guard lock(mu_);
  auto it = containers_.find(request.container_id());
  if (it == containers_.end()) return NotFound("container", request.container_id());
  Container& container = it->second;
  if (container.state != cri::CONTAINER_CREATED) {
    return grpc::Status(StatusCode::UNKNOWN,
                        "container is in " + StateName(container.state) + " state");
  }
  if (sandboxes_.at(container.sandbox_id).state != cri::SANDBOX_READY) {
    return grpc::Status(StatusCode::UNKNOWN,
                        "sandbox container \"" + container.sandbox_id + "\" is not running");
  }
  container.state = cri::CONTAINER_RUNNING;
  container.started_at = NowNanos();
  return grpc::Status::OK;
}

grpc::Status FakeCriRuntime::StopContainer(const cri::StopContainerRequest& request,
                                           cri::StopContainerResponse*) {
  if (grpc::Status status = Enter("StopContainer"); !status.ok()) return status;
  std::lock_guard lock(mu_);
  auto it = containers_.find(request.container_id());
  if (it == containers_.end()) return NotFound("container", request.container_id());
  stop_timeouts_[request.container_id()] = request.timeout();
  // Stopping a created or exited container changes nothing.
  if (it->second.state == cri::CONTAINER_RUNNING) ExitLocked(&it->second, stop_exit_code_, "");
  return grpc::Status::OK;
}

grpc::Status FakeCriRuntime::RemoveContainer(const cri::RemoveContainerRequest& request,
                                             cri::RemoveContainerResponse*) {
  if (grpc::Status status = Enter("RemoveContainer"); !status.ok()) return status;
  std::lock_guard lock(mu_);
  // A running container is killed first; an unknown id is not an error.
  RemoveContainerLocked(request.container_id());
  return grpc::Status::OK;
}

grpc::Status FakeCriRuntime::ListContainers(const cri::ListContainersRequest& request,
                                            cri::ListContainersResponse* response) {
  if (grpc::Status status = Enter("ListContainers"); !status.ok()) return status;
  std::lock_guard lock(mu_);
  const cri::ContainerFilter& filter = request.filter();
  std::vector<const Container*> matched;
  for (const auto& [id, container] : containers_) {
    if (!IdMatches(filter.id(), id)) continue;
    if (!IdMatches(filter.pod_sandbox_id(), container.sandbox_id)) continue;
    if (filter.has_state() && filter.state().state() != container.state) continue;
    if (!LabelsMatch(filter.label_selector(), container.config.labels())) continue;
    matched.push_back(&container);
  }
  std::sort(matched.begin(), matched.end(),
            [](const Container* a, const Container* b) { return a->order < b->order; });
  for (const Container* container : matched) {
    cri::Container* item = response->add_containers();
    item->set_id(container->id);
    item->set_pod_sandbox_id(container->sandbox_id);
    *item->mutable_metadata() = container->config.metadata();
    *item->mutable_image() = container->config.image();
    item->set_image_ref(container->image_id);
    item->set_image_id(container->image_id);
    item->set_state(container->state);
    item->set_created_at(container->created_at);
    *item->mutable_labels() = container->config.labels();
    *item->mutable_annotations() = container->config.annotations();
  }
  return grpc::Status::OK;
}

grpc::Status FakeCriRuntime::ContainerStatus(const cri::ContainerStatusRequest& request,
                                             cri::ContainerStatusResponse* response) {
  if (grpc::Status status = Enter("ContainerStatus"); !status.ok()) return status;
  std::lock_guard lock(mu_);
  auto it = containers_.find(request.container_id());
  if (it == containers_.end()) return NotFound("container", request.container_id());
  const Container& container = it->second;
  cri::ContainerStatus* status = response->mutable_status();
  status->set_id(container.id);
  *status->mutable_metadata() = container.config.metadata();
  status->set_state(container.state);
  status->set_created_at(container.created_at);
  status->set_started_at(container.started_at);
  status->set_finished_at(container.finished_at);
  status->set_exit_code(container.exit_code);
  status->set_reason(container.reason);
  *status->mutable_image() = container.config.image();
  status->set_image_ref(container.image_id);
  status->set_image_id(container.image_id);
  *status->mutable_labels() = container.config.labels();
  *status->mutable_annotations() = container.config.annotations();
  *status->mutable_mounts() = container.config.mounts();
  // containerd reports the absolute path: sandbox log directory + log_path.
  const std::string& log_directory = sandboxes_.at(container.sandbox_id).config.log_directory();
  if (!container.config.log_path().empty()) {
    status->set_log_path(log_directory + "/" + container.config.log_path());
  }
  *status->mutable_resources()->mutable_linux() = container.config.linux().resources();
  return grpc::Status::OK;
}

grpc::Status FakeCriRuntime::ExecSync(const cri::ExecSyncRequest& request,
                                      cri::ExecSyncResponse* response) {
  if (grpc::Status status = Enter("ExecSync"); !status.ok()) return status;
  ExecHandler handler;
  {
    std::lock_guard lock(mu_);
    auto it = containers_.find(request.container_id());
    if (it == containers_.end()) return NotFound("container", request.container_id());
    if (it->second.state != cri::CONTAINER_RUNNING) {
      return grpc::Status(StatusCode::UNKNOWN,
                          "container is in " + StateName(it->second.state) + " state");
    }
    handler = exec_handler_;
  }
  // The handler runs unlocked so that it may call back into the fake (for
  // example to make the container exit).
  if (handler) {
    *response = handler(request.container_id(),
                        std::vector<std::string>(request.cmd().begin(), request.cmd().end()));
  }
  return grpc::Status::OK;
}

grpc::Status FakeCriRuntime::ListImages(const cri::ListImagesRequest& request,
                                        cri::ListImagesResponse* response) {
  if (grpc::Status status = Enter("ListImages"); !status.ok()) return status;
  std::lock_guard lock(mu_);
  const std::string wanted = request.filter().image().image();
  for (const auto& [name, id] : images_) {
    if (!wanted.empty() && NormalizeImage(wanted) != name && wanted != id) continue;
    cri::Image* image = response->add_images();
    image->set_id(id);
    image->add_repo_tags(name);
    image->set_size(ImageSizeLocked(id));
    image->set_pinned(pinned_images_.count(id) != 0);
  }
  return grpc::Status::OK;
}

grpc::Status FakeCriRuntime::ImageStatus(const cri::ImageStatusRequest& request,
                                         cri::ImageStatusResponse* response) {
  if (grpc::Status status = Enter("ImageStatus"); !status.ok()) return status;
  std::lock_guard lock(mu_);
  // Absent is an empty answer, not an error.
  const std::optional<std::string> id = ImageIdLocked(request.image().image());
  if (!id) return grpc::Status::OK;
  cri::Image* image = response->mutable_image();
  image->set_id(*id);
  for (const auto& [name, image_id] : images_) {
    if (image_id == *id) image->add_repo_tags(name);
  }
  image->set_size(ImageSizeLocked(*id));
  image->set_pinned(pinned_images_.count(*id) != 0);
  return grpc::Status::OK;
}

grpc::Status FakeCriRuntime::PullImage(const cri::PullImageRequest& request,
                                       cri::PullImageResponse* response) {
  if (grpc::Status status = Enter("PullImage"); !status.ok()) return status;
  std::lock_guard lock(mu_);
  const std::string name = NormalizeImage(request.image().image());
  if (auto it = unpullable_.find(name); it != unpullable_.end()) return it->second;
  const std::string id = ImageIdFor(name);
  images_[name] = id;
  response->set_image_ref(id);
  return grpc::Status::OK;
}

grpc::Status FakeCriRuntime::ImageFsInfo(const cri::ImageFsInfoRequest&,
                                         cri::ImageFsInfoResponse* response) {
  if (grpc::Status status = Enter("ImageFsInfo"); !status.ok()) return status;
  std::lock_guard lock(mu_);
  cri::FilesystemUsage* usage = response->add_image_filesystems();
  usage->mutable_fs_id()->set_mountpoint("/var/lib/containerd/fake");
  usage->mutable_used_bytes()->set_value(image_fs_used_bytes_);
  return grpc::Status::OK;
}

void FakeCriRuntime::SetImageSize(const std::string& image, uint64_t bytes) {
  std::lock_guard lock(mu_);
  if (auto id = ImageIdLocked(image)) image_sizes_[*id] = bytes;
}

void FakeCriRuntime::SetImagePinned(const std::string& image) {
  std::lock_guard lock(mu_);
  if (auto id = ImageIdLocked(image)) pinned_images_.insert(*id);
}

void FakeCriRuntime::SetSandboxImage(const std::string& image) {
  std::lock_guard lock(mu_);
  sandbox_image_ = image;
}

uint64_t FakeCriRuntime::ImageSizeLocked(const std::string& id) const {
  auto it = image_sizes_.find(id);
  return it == image_sizes_.end() ? 1 << 20 : it->second;
}

void FakeCriRuntime::SetImageFsUsedBytes(uint64_t used_bytes) {
  std::lock_guard lock(mu_);
  image_fs_used_bytes_ = used_bytes;
}

grpc::Status FakeCriRuntime::ReopenContainerLog(const cri::ReopenContainerLogRequest& request,
                                                cri::ReopenContainerLogResponse*) {
  if (grpc::Status status = Enter("ReopenContainerLog"); !status.ok()) return status;
  std::lock_guard lock(mu_);
  auto it = containers_.find(request.container_id());
  if (it == containers_.end()) return NotFound("container", request.container_id());
  if (it->second.state != cri::CONTAINER_RUNNING) {
    return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "container is not running");
  }
  ++reopened_[request.container_id()];
  return grpc::Status::OK;
}

std::optional<int64_t> FakeCriRuntime::StopTimeoutOf(const std::string& container_id) const {
  std::lock_guard lock(mu_);
  auto it = stop_timeouts_.find(container_id);
  if (it == stop_timeouts_.end()) return std::nullopt;
  return it->second;
}

int FakeCriRuntime::ReopenCount(const std::string& container_id) const {
  std::lock_guard lock(mu_);
  auto it = reopened_.find(container_id);
  return it == reopened_.end() ? 0 : it->second;
}

grpc::Status FakeCriRuntime::RemoveImage(const cri::RemoveImageRequest& request,
                                         cri::RemoveImageResponse*) {
  if (grpc::Status status = Enter("RemoveImage"); !status.ok()) return status;
  std::lock_guard lock(mu_);
  const std::optional<std::string> id = ImageIdLocked(request.image().image());
  if (id) std::erase_if(images_, [&](const auto& entry) { return entry.second == *id; });
  return grpc::Status::OK;
}

void FakeCriRuntime::AddImage(const std::string& image) {
  std::lock_guard lock(mu_);
  const std::string name = NormalizeImage(image);
  images_[name] = ImageIdFor(name);
}

void FakeCriRuntime::SetUnpullable(const std::string& image, grpc::Status status) {
  std::lock_guard lock(mu_);
  unpullable_[NormalizeImage(image)] = std::move(status);
}

bool FakeCriRuntime::HasImage(const std::string& image) const {
  std::lock_guard lock(mu_);
  return ImageIdLocked(image).has_value();
}

bool FakeCriRuntime::ExitContainer(const std::string& id, int exit_code,
                                   const std::string& reason) {
  std::lock_guard lock(mu_);
  auto it = containers_.find(id);
  if (it == containers_.end() || it->second.state != cri::CONTAINER_RUNNING) return false;
  ExitLocked(&it->second, exit_code, reason);
  return true;
}

void FakeCriRuntime::SetExecHandler(ExecHandler handler) {
  std::lock_guard lock(mu_);
  exec_handler_ = std::move(handler);
}

void FakeCriRuntime::SetStopExitCode(int exit_code) {
  std::lock_guard lock(mu_);
  stop_exit_code_ = exit_code;
}

void FakeCriRuntime::SetUnavailable(bool unavailable) {
  std::lock_guard lock(mu_);
  unavailable_ = unavailable;
}

void FakeCriRuntime::FailNext(const std::string& method, grpc::Status status) {
  std::lock_guard lock(mu_);
  failures_[method].push_back(std::move(status));
}

void FakeCriRuntime::SetDelay(const std::string& method, std::chrono::milliseconds delay) {
  std::lock_guard lock(mu_);
  delays_[method] = delay;
}

void FakeCriRuntime::SetConditions(bool runtime_ready, bool network_ready) {
  std::lock_guard lock(mu_);
  runtime_ready_ = runtime_ready;
  network_ready_ = network_ready;
}

int FakeCriRuntime::CallCount(const std::string& method) const {
  std::lock_guard lock(mu_);
  auto it = calls_.find(method);
  return it == calls_.end() ? 0 : it->second;
}

std::optional<cri::PodSandboxConfig> FakeCriRuntime::SandboxConfigOf(
    const std::string& sandbox_id) const {
  std::lock_guard lock(mu_);
  auto it = sandboxes_.find(sandbox_id);
  if (it == sandboxes_.end()) return std::nullopt;
  return it->second.config;
}

std::optional<cri::ContainerConfig> FakeCriRuntime::ContainerConfigOf(
    const std::string& container_id) const {
  std::lock_guard lock(mu_);
  auto it = containers_.find(container_id);
  if (it == containers_.end()) return std::nullopt;
  return it->second.config;
}

size_t FakeCriRuntime::SandboxCount() const {
  std::lock_guard lock(mu_);
  return sandboxes_.size();
}

size_t FakeCriRuntime::ContainerCount() const {
  std::lock_guard lock(mu_);
  return containers_.size();
}

}  // namespace fleetset::testing
