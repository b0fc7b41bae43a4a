#include "validation_test_util.h"

namespace fleetset::validation_test {

v1::DaemonSet ValidDaemonSet() {
  v1::DaemonSet daemon_set;
  daemon_set.set_api_version("apps/v1");
  daemon_set.set_kind("DaemonSet");
  v1::ObjectMeta* meta = daemon_set.mutable_metadata();
  meta->set_name("fluentd-elasticsearch");
  meta->set_namespace_("kube-system");
  (*meta->mutable_labels())["k8s-app"] = "fluentd-logging";
  (*meta->mutable_annotations())["kubernetes.io/change-cause"] = "initial";

  v1::DaemonSetSpec* spec = daemon_set.mutable_spec();
  (*spec->mutable_selector()->mutable_match_labels())["name"] = "fluentd-elasticsearch";
  v1::PodTemplateSpec* pod_template = spec->mutable_template_();
  (*pod_template->mutable_metadata()->mutable_labels())["name"] = "fluentd-elasticsearch";

  v1::PodSpec* pod = pod_template->mutable_spec();
  pod->set_restart_policy("Always");
  pod->set_termination_grace_period_seconds(30);
  pod->set_dns_policy("ClusterFirst");
  pod->set_scheduler_name("default-scheduler");
  v1::Toleration* toleration = pod->add_tolerations();
  toleration->set_key("node-role.kubernetes.io/control-plane");
  toleration->set_operator_("Exists");
  toleration->set_effect("NoSchedule");
  v1::Volume* volume = pod->add_volumes();
  volume->set_name("varlog");
  volume->mutable_host_path()->set_path("/var/log");

  v1::Container* container = pod->add_containers();
  container->set_name("fluentd-elasticsearch");
  container->set_image("quay.io/fluentd_elasticsearch/fluentd:v2.5.2");
  container->set_image_pull_policy("IfNotPresent");
  container->set_termination_message_path("/dev/termination-log");
  container->set_termination_message_policy("File");
  v1::ContainerPort* port = container->add_ports();
  port->set_name("metrics");
  port->set_container_port(24231);
  port->set_protocol("TCP");
  v1::EnvVar* env = container->add_env();
  env->set_name("NODE_NAME");
  env->mutable_value_from()->mutable_field_ref()->set_api_version("v1");
  env->mutable_value_from()->mutable_field_ref()->set_field_path("spec.nodeName");
  (*container->mutable_resources()->mutable_limits())["memory"] = "200Mi";
  (*container->mutable_resources()->mutable_requests())["cpu"] = "100m";
  (*container->mutable_resources()->mutable_requests())["memory"] = "200Mi";
  v1::VolumeMount* mount = container->add_volume_mounts();
  mount->set_name("varlog");
  mount->set_mount_path("/var/log");
  v1::Probe* probe = container->mutable_liveness_probe();
  probe->mutable_http_get()->set_path("/metrics");
  probe->mutable_http_get()->mutable_port()->set_str_val("metrics");
  probe->mutable_http_get()->set_scheme("HTTP");
  probe->set_timeout_seconds(1);
  probe->set_period_seconds(10);
  probe->set_success_threshold(1);
  probe->set_failure_threshold(3);

  v1::DaemonSetUpdateStrategy* strategy = spec->mutable_update_strategy();
  strategy->set_type("RollingUpdate");
  strategy->mutable_rolling_update()->mutable_max_unavailable()->set_int_val(1);
  strategy->mutable_rolling_update()->mutable_max_surge()->set_int_val(0);
  spec->set_revision_history_limit(10);
  return daemon_set;
}

v1::PodSpec* Pod(v1::DaemonSet* daemon_set) {
  return daemon_set->mutable_spec()->mutable_template_()->mutable_spec();
}

v1::Container* Container(v1::DaemonSet* daemon_set, int index) {
  return Pod(daemon_set)->mutable_containers(index);
}

std::string CaseName(const testing::TestParamInfo<Case>& info) {
  std::string name;
  for (const char ch : info.param.name) {
    const bool alnum =
        (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
    name += alnum ? ch : '_';
  }
  return name;
}

FieldErrors InvalidEach(const std::string& path, std::string_view value,
                        const std::vector<std::string>& problems) {
  FieldErrors errors;
  for (const std::string& problem : problems) {
    errors.push_back({path, "Invalid value: \"" + std::string(value) + "\": " + problem});
  }
  return errors;
}

FieldErrors Join(std::vector<FieldErrors> parts) {
  FieldErrors all;
  for (FieldErrors& part : parts) all.insert(all.end(), part.begin(), part.end());
  return all;
}

}  // namespace fleetset::validation_test
