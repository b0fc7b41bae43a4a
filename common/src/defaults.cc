// Kubernetes' defaulting (k8s.io/kubernetes pkg/apis/{apps,core}/v1
// defaults.go) for the fields fleetset models, so that a stored DaemonSet
// reads like `kubectl get ds -o yaml` and the rest of the system never has
// to guess what an empty field means. Every step only fills empty fields,
// which makes the whole idempotent.
#include <cstdint>

#include "fleetset/manifest.h"
#include "image_reference.h"

namespace fleetset {
namespace {

// The permission bits of files in configMap, secret, downwardAPI and
// projected volumes when the manifest gives none (0644).
constexpr int32_t kDefaultFileMode = 0644;
// A projected service account token's lifetime when none is given.
constexpr int64_t kDefaultTokenExpirationSeconds = 3600;

// The pod's only API version.
void DefaultFieldRef(v1::ObjectFieldSelector* ref) {
  if (ref->api_version().empty()) ref->set_api_version("v1");
}

void DefaultDownwardApiFiles(google::protobuf::RepeatedPtrField<v1::DownwardAPIVolumeFile>* files) {
  for (v1::DownwardAPIVolumeFile& file : *files) {
    if (file.has_field_ref()) DefaultFieldRef(file.mutable_field_ref());
  }
}

void DefaultProjected(v1::ProjectedVolumeSource* projected) {
  if (!projected->has_default_mode()) projected->set_default_mode(kDefaultFileMode);
  for (v1::VolumeProjection& source : *projected->mutable_sources()) {
    if (source.has_downward_api()) {
      DefaultDownwardApiFiles(source.mutable_downward_api()->mutable_items());
    }
    if (source.has_service_account_token() &&
        !source.service_account_token().has_expiration_seconds()) {
      source.mutable_service_account_token()->set_expiration_seconds(
          kDefaultTokenExpirationSeconds);
    }
  }
}

void DefaultVolume(v1::Volume* volume) {
  if (volume->has_config_map() && !volume->config_map().has_default_mode()) {
    volume->mutable_config_map()->set_default_mode(kDefaultFileMode);
  }
  if (volume->has_secret() && !volume->secret().has_default_mode()) {
    volume->mutable_secret()->set_default_mode(kDefaultFileMode);
  }
  if (volume->has_downward_api()) {
    v1::DownwardAPIVolumeSource* downward_api = volume->mutable_downward_api();
    if (!downward_api->has_default_mode()) downward_api->set_default_mode(kDefaultFileMode);
    DefaultDownwardApiFiles(downward_api->mutable_items());
  }
  if (volume->has_projected()) DefaultProjected(volume->mutable_projected());
  // A volume with no source is an emptyDir (SetDefaults_Volume).
  if (!volume->has_host_path() && !volume->has_empty_dir() && !volume->has_config_map() &&
      !volume->has_secret() && !volume->has_downward_api() && !volume->has_projected()) {
    volume->mutable_empty_dir();
  }
}

void DefaultHttpGet(v1::HTTPGetAction* action) {
  if (action->path().empty()) action->set_path("/");
  if (action->scheme().empty()) action->set_scheme("HTTP");
}

void DefaultHandler(v1::LifecycleHandler* handler) {
  if (handler->has_http_get()) DefaultHttpGet(handler->mutable_http_get());
}

void DefaultProbe(v1::Probe* probe) {
  if (probe->timeout_seconds() == 0) probe->set_timeout_seconds(1);
  if (probe->period_seconds() == 0) probe->set_period_seconds(10);
  if (probe->success_threshold() == 0) probe->set_success_threshold(1);
  if (probe->failure_threshold() == 0) probe->set_failure_threshold(3);
  if (probe->has_http_get()) DefaultHttpGet(probe->mutable_http_get());
}

void DefaultContainer(bool host_network, v1::Container* container) {
  if (container->image_pull_policy().empty()) {
    container->set_image_pull_policy(internal::DefaultImagePullPolicy(container->image()));
  }
  if (container->termination_message_path().empty()) {
    container->set_termination_message_path("/dev/termination-log");
  }
  if (container->termination_message_policy().empty()) {
    container->set_termination_message_policy("File");
  }
  for (v1::ContainerPort& port : *container->mutable_ports()) {
    if (port.protocol().empty()) port.set_protocol("TCP");
    // With the host's network the container port is the host port.
    if (host_network && port.host_port() == 0) port.set_host_port(port.container_port());
  }
  for (v1::EnvVar& env : *container->mutable_env()) {
    if (env.value_from().has_field_ref()) {
      DefaultFieldRef(env.mutable_value_from()->mutable_field_ref());
    }
  }
  if (container->has_liveness_probe()) DefaultProbe(container->mutable_liveness_probe());
  if (container->has_readiness_probe()) DefaultProbe(container->mutable_readiness_probe());
  if (container->has_startup_probe()) DefaultProbe(container->mutable_startup_probe());
  if (container->lifecycle().has_post_start()) {
    DefaultHandler(container->mutable_lifecycle()->mutable_post_start());
  }
  if (container->lifecycle().has_pre_stop()) {
    DefaultHandler(container->mutable_lifecycle()->mutable_pre_stop());
  }
}

void DefaultPodSpec(v1::PodSpec* spec) {
  if (spec->dns_policy().empty()) spec->set_dns_policy("ClusterFirst");
  if (spec->restart_policy().empty()) spec->set_restart_policy("Always");
  if (!spec->has_termination_grace_period_seconds()) spec->set_termination_grace_period_seconds(30);
  if (spec->scheduler_name().empty()) spec->set_scheduler_name("default-scheduler");
  // serviceAccount is the deprecated spelling of serviceAccountName; the
  // API server's conversion fills each from the other.
  if (spec->service_account_name().empty()) {
    spec->set_service_account_name(spec->service_account());
  }
  if (spec->service_account().empty()) spec->set_service_account(spec->service_account_name());
  for (v1::Volume& volume : *spec->mutable_volumes()) DefaultVolume(&volume);
  for (v1::Container& container : *spec->mutable_init_containers()) {
    DefaultContainer(spec->host_network(), &container);
  }
  for (v1::Container& container : *spec->mutable_containers()) {
    DefaultContainer(spec->host_network(), &container);
  }
}

bool IsSet(const v1::IntOrString& value) {
  return value.value_case() != v1::IntOrString::VALUE_NOT_SET;
}

void DefaultUpdateStrategy(v1::DaemonSetUpdateStrategy* strategy) {
  if (strategy->type().empty()) strategy->set_type("RollingUpdate");
  // OnDelete has no rolling parameters to default.
  if (strategy->type() != "RollingUpdate") return;
  v1::RollingUpdateDaemonSet* rolling = strategy->mutable_rolling_update();
  if (!IsSet(rolling->max_unavailable())) rolling->mutable_max_unavailable()->set_int_val(1);
  if (!IsSet(rolling->max_surge())) rolling->mutable_max_surge()->set_int_val(0);
}

}  // namespace

void ApplyDaemonSetDefaults(v1::DaemonSet* daemon_set) {
  if (daemon_set->metadata().namespace_().empty()) {
    daemon_set->mutable_metadata()->set_namespace_("default");
  }
  v1::DaemonSetSpec* spec = daemon_set->mutable_spec();
  DefaultUpdateStrategy(spec->mutable_update_strategy());
  if (!spec->has_revision_history_limit()) spec->set_revision_history_limit(10);
  DefaultPodSpec(spec->mutable_template_()->mutable_spec());
}

}  // namespace fleetset
