// Transcribes kubectl's describePod: the same titles, levels and tabs, so
// TabWriter aligns them as kubectl does.
#include "pod_describer.h"

#include "describers.h"
#include "tabwriter.h"
#include "volume_describer.h"

namespace fleetset::ctl {
namespace {

// Containers the template does not name (a static pod, a revision no
// longer kept) are described from their status alone.
google::protobuf::RepeatedPtrField<v1::Container> ContainersOf(
    const v1::PodTemplateSpec* pod_template, bool init,
    const google::protobuf::RepeatedPtrField<v1::ContainerStatus>& statuses) {
  if (pod_template != nullptr) {
    return init ? pod_template->spec().init_containers() : pod_template->spec().containers();
  }
  google::protobuf::RepeatedPtrField<v1::Container> containers;
  for (const v1::ContainerStatus& status : statuses) {
    v1::Container* container = containers.Add();
    container->set_name(status.name());
    container->set_image(status.image());
  }
  return containers;
}

void WriteConditions(TabWriter& w, const v1::PodStatus& status) {
  if (status.conditions().empty()) return;
  w.Write(0, "Conditions:\n  Type\tStatus\n");
  for (const v1::PodCondition& condition : status.conditions()) {
    w.Write(1, condition.type() + " \t" + condition.status() + " \n");
  }
}

}  // namespace

void DescribePod(std::ostream& out, const v1::Pod& pod, const v1::PodTemplateSpec* pod_template,
                 const std::optional<std::vector<v1::Event>>& events, TimePoint now) {
  TabWriter w(out);
  const v1::PodStatus& status = pod.status();
  w.Write(0, "Name:\t" + pod.metadata().name() + "\n");
  w.Write(0, "Namespace:\t" + pod.metadata().namespace_() + "\n");
  w.Write(0, "Priority:\t" + std::to_string(pod.priority()) + "\n");
  if (!pod.priority_class_name().empty()) {
    w.Write(0, "Priority Class Name:\t" + pod.priority_class_name() + "\n");
  }
  if (pod_template != nullptr && !pod_template->spec().service_account_name().empty()) {
    w.Write(0, "Service Account:\t" + pod_template->spec().service_account_name() + "\n");
  }
  w.Write(0, "Node:\t" +
                 (pod.node_name().empty() ? std::string("<none>")
                                          : pod.node_name() + "/" + status.host_ip()) +
                 "\n");
  if (status.has_start_time()) {
    w.Write(0, "Start Time:\t" + FormatRfc1123z(status.start_time()) + "\n");
  }
  WriteLabels(w, "Labels", pod.metadata().labels());
  WriteAnnotations(w, "Annotations", pod.metadata().annotations());
  w.Write(0, "Status:\t" + status.phase() + "\n");
  if (!status.reason().empty()) w.Write(0, "Reason:\t" + status.reason() + "\n");
  if (!status.message().empty()) w.Write(0, "Message:\t" + status.message() + "\n");
  w.Write(0, "IP:\t" + status.pod_ip() + "\n");
  if (status.pod_ip().empty()) {
    w.Write(0, "IPs:\t<none>\n");
  } else {
    w.Write(0, "IPs:\n");
    w.Write(1, "IP:\t" + status.pod_ip() + "\n");
  }
  // A static pod's mirror is owned by its node, as kubelet records it.
  if (!pod.owner().empty()) {
    w.Write(0, "Controlled By:\tDaemonSet/" + pod.owner().substr(pod.owner().find('/') + 1) + "\n");
  } else if (pod.static_pod()) {
    w.Write(0, "Controlled By:\tNode/" + pod.node_name() + "\n");
  }
  const auto init_containers = ContainersOf(pod_template, true, status.init_container_statuses());
  if (!init_containers.empty()) {
    DescribeContainers(w, "Init Containers", init_containers, &status.init_container_statuses(),
                       "");
  }
  DescribeContainers(w, "Containers",
                     ContainersOf(pod_template, false, status.container_statuses()),
                     &status.container_statuses(), "");
  WriteConditions(w, status);
  if (pod_template != nullptr) {
    const v1::PodSpec& spec = pod_template->spec();
    DescribeVolumes(w, spec.volumes(), "");
    WriteLabels(w, "Node-Selectors", spec.node_selector());
    WriteTolerations(w, "Tolerations", spec.tolerations());
  }
  if (events) DescribeEvents(w, *events, now);
}

}  // namespace fleetset::ctl
