// PodSyncPass: images, per imagePullPolicy, with the pull back-off.
#include <spdlog/spdlog.h>

#include "agent/pod_sync_pass.h"

namespace fleetset::agent {

bool PodSyncPass::EnsureImage(const v1::Container& spec, ContainerRuntimeState& container) {
  const std::string& policy = spec.image_pull_policy();
  cri::ImageStatusRequest status_request;
  status_request.mutable_image()->set_image(spec.image());
  cri::ImageStatusResponse image_status;
  grpc::Status status = runtime_.ImageStatus(status_request, &image_status);
  const bool present =
      status.ok() && image_status.has_image() && !image_status.image().id().empty();
  if (policy == "Never") {
    if (present) return true;
    container.waiting_reason = "ErrImageNeverPull";
    container.waiting_message =
        "Container image \"" + spec.image() + "\" is not present with pull policy of Never";
    return false;
  }
  if (policy != "Always" && present) return true;

  const auto now = clock_.Now();
  if (container.last_pull_failure &&
      container.image_pull.InBackoffSince(*container.last_pull_failure, now)) {
    container.waiting_reason = "ImagePullBackOff";
    // The pull's own error stays visible while backing off (as kubelet
    // 1.30+ reports it): status.json is all an operator has, and a bare
    // "Back-off pulling image" does not say why.
    container.waiting_message = "Back-off pulling image \"" + spec.image() +
                                "\": ErrImagePull: " + container.last_pull_error;
    return false;
  }
  // A failed pull changes nothing in the runtime, so it does not count as
  // acting: counting it made the reconciler relist and sync again at once,
  // which replaced ErrImagePull by ImagePullBackOff before any status write
  // could show it.
  cri::PullImageRequest pull;
  pull.mutable_image()->set_image(spec.image());
  *pull.mutable_sandbox_config() = SandboxConfig(state_.sandbox_attempt);
  std::vector<std::string> skipped;
  std::vector<cri::AuthConfig> credentials = PullSecretCredentials(
      pod_.spec(), context_.pod_namespace, *context_.objects, spec.image(), &skipped);
  for (const std::string& why : skipped) {
    spdlog::warn("pod {}/{}: imagePullSecrets: {}", context_.pod_namespace, context_.pod_name, why);
  }
  if (const RegistryCredentials* node = manager_.deps().credentials) {
    if (auto auth = node->For(spec.image())) credentials.push_back(std::move(*auth));
  }
  // As kubelet: each credential in turn until one pulls; none, anonymous.
  if (credentials.empty()) credentials.emplace_back();
  cri::PullImageResponse pulled;
  for (cri::AuthConfig& auth : credentials) {
    if (auth.ByteSizeLong() == 0) {
      pull.clear_auth();
    } else {
      *pull.mutable_auth() = std::move(auth);
    }
    status = runtime_.PullImage(pull, &pulled);
    if (status.ok()) break;
  }
  if (!status.ok()) {
    container.image_pull.Next(clock_.Now());
    container.last_pull_failure = clock_.Now();
    container.last_pull_error = status.error_message();
    container.waiting_reason = "ErrImagePull";
    container.waiting_message = status.error_message();
    spdlog::warn("pod {}/{}: pulling {}: {}", context_.pod_namespace, context_.pod_name,
                 spec.image(), status.error_message());
    return false;
  }
  acted_ = true;
  container.image_pull.Reset();
  container.last_pull_failure.reset();
  container.last_pull_error.clear();
  return true;
}

}  // namespace fleetset::agent
