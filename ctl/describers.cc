// The layouts transcribe kubectl's describe.go: each line is written with
// the same tabs and indentation levels, so TabWriter aligns it the same way.
#include "describers.h"

#include <algorithm>
#include <ctime>
#include <map>

#include "fleetset/display.h"
#include "fleetset/labels.h"
#include "fleetset/scheduling.h"
#include "fleetset/strings.h"
#include "volume_describer.h"

namespace fleetset::ctl {
namespace {

constexpr size_t kMaxAnnotationLength = 140;

using StringMap = google::protobuf::Map<std::string, std::string>;

std::map<std::string, std::string> Sorted(const StringMap& map) { return {map.begin(), map.end()}; }

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t at = text.find('\n'); at != std::string::npos; at = text.find('\n', start)) {
    lines.push_back(text.substr(start, at - start));
    start = at + 1;
  }
  lines.push_back(text.substr(start));
  return lines;
}

}  // namespace

// printLabelsMultiline: the first entry after the title, the others on
// their own lines in the same column.
void WriteLabels(TabWriter& w, const std::string& title, const StringMap& labels) {
  w.Write(0, title + ":\t");
  if (labels.empty()) {
    w.Write(0, "<none>\n");
    return;
  }
  bool first = true;
  for (const auto& [key, value] : Sorted(labels)) {
    if (!first) w.Write(0, "\t");
    first = false;
    w.Write(0, key + "=" + value + "\n");
  }
}

// printAnnotationsMultiline: long or multi-line values go below their key,
// each line cut at 140 characters.
void WriteAnnotations(TabWriter& w, const std::string& title, const StringMap& annotations) {
  w.Write(0, title + ":\t");
  if (annotations.empty()) {
    w.Write(0, "<none>\n");
    return;
  }
  bool first = true;
  for (const auto& [key, raw_value] : Sorted(annotations)) {
    if (!first) w.Write(0, "\t");
    first = false;
    std::string value = raw_value;
    if (value.ends_with("\n")) value.pop_back();
    if (value.size() + key.size() + 2 > kMaxAnnotationLength ||
        value.find('\n') != std::string::npos) {
      w.Write(0, key + ":\n");
      for (const std::string& line : SplitLines(value)) {
        const std::string shortened = line.size() > kMaxAnnotationLength - 2
                                          ? line.substr(0, kMaxAnnotationLength - 2) + "..."
                                          : line;
        w.Write(0, "\t  " + shortened + "\n");
      }
    } else {
      w.Write(0, key + ": " + value + "\n");
    }
  }
}

void WriteTolerations(TabWriter& w, const std::string& title,
                      const google::protobuf::RepeatedPtrField<v1::Toleration>& tolerations) {
  w.Write(0, title + ":\t");
  if (tolerations.empty()) {
    w.Write(0, "<none>\n");
    return;
  }
  bool first = true;
  for (const v1::Toleration& toleration : tolerations) {
    if (!first) w.Write(0, "\t");
    first = false;
    std::string text = toleration.key();
    if (!toleration.value().empty()) text += "=" + toleration.value();
    if (!toleration.effect().empty()) text += ":" + toleration.effect();
    // An Exists toleration without a value tolerates every value.
    if (toleration.operator_() == "Exists" && toleration.value().empty()) {
      text += toleration.key().empty() && toleration.effect().empty() ? "op=Exists" : " op=Exists";
    }
    if (toleration.has_toleration_seconds()) {
      text += " for " + std::to_string(toleration.toleration_seconds()) + "s";
    }
    w.Write(0, text + "\n");
  }
}

namespace {

void WriteTaints(TabWriter& w, const google::protobuf::RepeatedPtrField<v1::Taint>& taints) {
  w.Write(0, "Taints:\t");
  if (taints.empty()) {
    w.Write(0, "<none>\n");
    return;
  }
  bool first = true;
  for (const v1::Taint& taint : taints) {
    if (!first) w.Write(0, "\t");
    first = false;
    w.Write(0, FormatTaint(taint) + "\n");
  }
}

std::string PortList(const v1::Container& container, bool host) {
  std::vector<std::string> ports;
  for (const v1::ContainerPort& port : container.ports()) {
    const std::string protocol = port.protocol().empty() ? "TCP" : port.protocol();
    ports.push_back(std::to_string(host ? port.host_port() : port.container_port()) + "/" +
                    protocol);
  }
  return Join(ports, ", ");
}

std::string IntOrStringText(const v1::IntOrString& value) {
  return value.has_str_val() ? value.str_val() : std::to_string(value.int_val());
}

// kubectl's DescribeProbe.
std::string DescribeProbe(const v1::Probe& probe) {
  const std::string attributes = "delay=" + std::to_string(probe.initial_delay_seconds()) +
                                 "s timeout=" + std::to_string(probe.timeout_seconds()) +
                                 "s period=" + std::to_string(probe.period_seconds()) +
                                 "s #success=" + std::to_string(probe.success_threshold()) +
                                 " #failure=" + std::to_string(probe.failure_threshold());
  if (probe.has_exec()) {
    std::vector<std::string> command(probe.exec().command().begin(), probe.exec().command().end());
    return "exec [" + Join(command, " ") + "] " + attributes;
  }
  if (probe.has_http_get()) {
    const v1::HTTPGetAction& get = probe.http_get();
    std::string scheme = get.scheme().empty() ? "http" : get.scheme();
    std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return "http-get " + scheme + "://" + get.host() + ":" + IntOrStringText(get.port()) +
           get.path() + " " + attributes;
  }
  if (probe.has_tcp_socket()) {
    return "tcp-socket " + probe.tcp_socket().host() + ":" +
           IntOrStringText(probe.tcp_socket().port()) + " " + attributes;
  }
  return "unknown " + attributes;
}

// The value a resourceFieldRef resolves to from the container's own
// resources; kubectl shows "node allocatable" for an unset limit.
std::string ResourceFieldValue(const v1::Container& container, const std::string& resource) {
  const size_t dot = resource.find('.');
  if (dot == std::string::npos) return "";
  const std::string kind = resource.substr(0, dot);
  const std::string name = resource.substr(dot + 1);
  const StringMap& values =
      kind == "limits" ? container.resources().limits() : container.resources().requests();
  if (auto it = values.find(name); it != values.end()) return it->second;
  return kind == "limits" ? "node allocatable" : "0";
}

// kubectl's describeStatus: a container's State or Last State. kubectl
// leaves a waiting container's message to the pod's events; fleetset
// records no pod events, so the message is shown here instead.
void DescribeContainerState(TabWriter& w, const std::string& title,
                            const v1::ContainerState& state) {
  if (state.has_running()) {
    w.Write(2, title + ":\tRunning\n");
    w.Write(3, "Started:\t" + FormatRfc1123z(state.running().started_at()) + "\n");
  } else if (state.has_terminated()) {
    const v1::ContainerStateTerminated& terminated = state.terminated();
    w.Write(2, title + ":\tTerminated\n");
    if (!terminated.reason().empty()) w.Write(3, "Reason:\t" + terminated.reason() + "\n");
    if (!terminated.message().empty()) w.Write(3, "Message:\t" + terminated.message() + "\n");
    w.Write(3, "Exit Code:\t" + std::to_string(terminated.exit_code()) + "\n");
    if (terminated.signal() > 0)
      w.Write(3, "Signal:\t" + std::to_string(terminated.signal()) + "\n");
    w.Write(3, "Started:\t" + FormatRfc1123z(terminated.started_at()) + "\n");
    w.Write(3, "Finished:\t" + FormatRfc1123z(terminated.finished_at()) + "\n");
  } else {
    w.Write(2, title + ":\tWaiting\n");
    if (!state.waiting().reason().empty())
      w.Write(3, "Reason:\t" + state.waiting().reason() + "\n");
    if (!state.waiting().message().empty()) {
      w.Write(3, "Message:\t" + state.waiting().message() + "\n");
    }
  }
}

void DescribeContainer(TabWriter& w, const v1::Container& container,
                       const v1::ContainerStatus* status, const std::string& name_indent) {
  w.Write(1, name_indent + container.name() + ":\n");
  if (status != nullptr) w.Write(2, "Container ID:\t" + status->container_id() + "\n");
  w.Write(2, "Image:\t" + container.image() + "\n");
  if (status != nullptr) w.Write(2, "Image ID:\t" + status->image_id() + "\n");
  const std::string ports = PortList(container, false);
  const std::string host_ports = PortList(container, true);
  w.Write(2, (ports.find(',') != std::string::npos ? "Ports:\t" : "Port:\t") +
                 (ports.empty() ? std::string("<none>") : ports) + "\n");
  w.Write(2, (host_ports.find(',') != std::string::npos ? "Host Ports:\t" : "Host Port:\t") +
                 (host_ports.empty() ? std::string("<none>") : host_ports) + "\n");
  for (const auto& [title, items] :
       {std::pair{"Command", &container.command()}, std::pair{"Args", &container.args()}}) {
    if (items->empty()) continue;
    w.Write(2, std::string(title) + ":\n");
    for (const std::string& item : *items) {
      for (const std::string& line : SplitLines(item)) w.Write(3, line + "\n");
    }
  }
  if (status != nullptr) {
    DescribeContainerState(w, "State", status->state());
    if (status->has_last_state() &&
        (status->last_state().has_running() || status->last_state().has_terminated() ||
         status->last_state().has_waiting())) {
      DescribeContainerState(w, "Last State", status->last_state());
    }
    w.Write(2, std::string("Ready:\t") + (status->ready() ? "True" : "False") + "\n");
    w.Write(2, "Restart Count:\t" + std::to_string(status->restart_count()) + "\n");
  }
  for (const auto& [title, values] : {std::pair{"Limits", &container.resources().limits()},
                                      std::pair{"Requests", &container.resources().requests()}}) {
    if (values->empty()) continue;
    w.Write(2, std::string(title) + ":\n");
    for (const auto& [name, quantity] : Sorted(*values)) w.Write(3, name + ":\t" + quantity + "\n");
  }
  if (container.has_liveness_probe()) {
    w.Write(2, "Liveness:\t" + DescribeProbe(container.liveness_probe()) + "\n");
  }
  if (container.has_readiness_probe()) {
    w.Write(2, "Readiness:\t" + DescribeProbe(container.readiness_probe()) + "\n");
  }
  if (container.has_startup_probe()) {
    w.Write(2, "Startup:\t" + DescribeProbe(container.startup_probe()) + "\n");
  }
  w.Write(2, container.env().empty() ? "Environment:\t<none>\n" : "Environment:\n");
  for (const v1::EnvVar& env : container.env()) {
    if (!env.has_value_from()) {
      const std::vector<std::string> lines = SplitLines(env.value());
      w.Write(3, env.name() + ":\t" + lines[0] + "\n");
      for (size_t i = 1; i < lines.size(); ++i) w.Write(3, "\t" + lines[i] + "\n");
    } else if (env.value_from().has_field_ref()) {
      const v1::ObjectFieldSelector& ref = env.value_from().field_ref();
      w.Write(3, env.name() + ":\t (" + ref.api_version() + ":" + ref.field_path() + ")\n");
    } else if (env.value_from().has_resource_field_ref()) {
      const std::string& resource = env.value_from().resource_field_ref().resource();
      w.Write(3, env.name() + ":\t" + ResourceFieldValue(container, resource) + " (" + resource +
                     ")\n");
    }
  }
  w.Write(2, container.volume_mounts().empty() ? "Mounts:\t<none>\n" : "Mounts:\n");
  std::vector<v1::VolumeMount> mounts(container.volume_mounts().begin(),
                                      container.volume_mounts().end());
  std::sort(mounts.begin(), mounts.end(),
            [](const auto& a, const auto& b) { return a.mount_path() < b.mount_path(); });
  for (const v1::VolumeMount& mount : mounts) {
    std::string flags = mount.read_only() ? "ro" : "rw";
    if (!mount.sub_path().empty()) flags += ",path=\"" + mount.sub_path() + "\"";
    w.Write(3, mount.mount_path() + " from " + mount.name() + " (" + flags + ")\n");
  }
}

}  // namespace

void DescribeContainers(TabWriter& w, const std::string& label,
                        const google::protobuf::RepeatedPtrField<v1::Container>& containers,
                        const google::protobuf::RepeatedPtrField<v1::ContainerStatus>* statuses,
                        const std::string& space) {
  w.Write(0, space + label + ":" + (containers.empty() ? " <none>" : "") + "\n");
  const std::string name_indent = space.empty() ? "" : " ";
  for (const v1::Container& container : containers) {
    const v1::ContainerStatus* status = nullptr;
    if (statuses != nullptr) {
      static const v1::ContainerStatus kNotReported;
      status = &kNotReported;
      for (const v1::ContainerStatus& reported : *statuses) {
        if (reported.name() == container.name()) status = &reported;
      }
    }
    DescribeContainer(w, container, status, name_indent);
  }
}

// kubectl's DescribeEvents; the table is aligned on its own (Flush first).
void DescribeEvents(TabWriter& w, std::vector<v1::Event> events, TimePoint now) {
  if (events.empty()) {
    w.Write(0, "Events:\t<none>\n");
    return;
  }
  w.Flush();
  std::stable_sort(events.begin(), events.end(), [](const v1::Event& a, const v1::Event& b) {
    return a.time().seconds() < b.time().seconds();
  });
  w.Write(0, "Events:\n  Type\tReason\tAge\tFrom\tMessage\n");
  w.Write(1, "----\t------\t----\t----\t-------\n");
  for (const v1::Event& event : events) {
    std::string age = AgeColumn(event.time(), now);
    if (event.count() > 1) age += " (x" + std::to_string(event.count()) + ")";
    const std::string from = event.involved_object().starts_with("daemonset/")
                                 ? "daemonset-controller"
                                 : "fleetset-coordinator";
    std::string message = event.message();
    while (!message.empty() && std::isspace(static_cast<unsigned char>(message.back()))) {
      message.pop_back();
    }
    w.Write(
        1, event.type() + "\t" + event.reason() + "\t" + age + "\t" + from + "\t" + message + "\n");
  }
}

std::string FormatRfc1123z(const google::protobuf::Timestamp& timestamp) {
  if (!IsSet(timestamp)) return "<unknown>";
  const std::time_t seconds = static_cast<std::time_t>(timestamp.seconds());
  std::tm local{};
  localtime_r(&seconds, &local);
  char text[64];
  std::strftime(text, sizeof(text), "%a, %d %b %Y %H:%M:%S %z", &local);
  return text;
}

void DescribePodTemplate(TabWriter& w, const v1::PodTemplateSpec& pod_template) {
  const v1::PodSpec& spec = pod_template.spec();
  w.Write(0, "Pod Template:\n");
  WriteLabels(w, "  Labels", pod_template.metadata().labels());
  if (!pod_template.metadata().annotations().empty()) {
    WriteAnnotations(w, "  Annotations", pod_template.metadata().annotations());
  }
  if (!spec.service_account_name().empty()) {
    w.Write(1, "Service Account:\t" + spec.service_account_name() + "\n");
  }
  if (!spec.init_containers().empty())
    DescribeContainers(w, "Init Containers", spec.init_containers(), nullptr, "  ");
  DescribeContainers(w, "Containers", spec.containers(), nullptr, "  ");
  DescribeVolumes(w, spec.volumes(), "  ");
  if (!spec.priority_class_name().empty()) {
    w.Write(1, "Priority Class Name:\t" + spec.priority_class_name() + "\n");
  }
  WriteLabels(w, "  Node-Selectors", spec.node_selector());
  WriteTolerations(w, "  Tolerations", spec.tolerations());
}

void DescribeDaemonSet(std::ostream& out, const v1::DaemonSet& daemon_set,
                       const std::vector<v1::Pod>& pods,
                       const std::optional<std::vector<v1::Event>>& events, TimePoint now) {
  TabWriter w(out);
  const v1::DaemonSetStatus& status = daemon_set.status();
  w.Write(0, "Name:\t" + daemon_set.metadata().name() + "\n");
  const std::string selector = FormatLabelSelector(daemon_set.spec().selector());
  w.Write(0, "Selector:\t" + (selector == "<none>" ? std::string() : selector) + "\n");
  w.Write(0, "Node-Selector:\t" +
                 FormatLabels(ToLabels(daemon_set.spec().template_().spec().node_selector())) +
                 "\n");
  WriteLabels(w, "Labels", daemon_set.metadata().labels());
  WriteAnnotations(w, "Annotations", daemon_set.metadata().annotations());
  w.Write(0, "Desired Number of Nodes Scheduled: " +
                 std::to_string(status.desired_number_scheduled()) + "\n");
  w.Write(0, "Current Number of Nodes Scheduled: " +
                 std::to_string(status.current_number_scheduled()) + "\n");
  w.Write(0, "Number of Nodes Scheduled with Up-to-date Pods: " +
                 std::to_string(status.updated_number_scheduled()) + "\n");
  w.Write(0, "Number of Nodes Scheduled with Available Pods: " +
                 std::to_string(status.number_available()) + "\n");
  w.Write(0,
          "Number of Nodes Misscheduled: " + std::to_string(status.number_misscheduled()) + "\n");
  std::map<std::string, int> phases;
  for (const v1::Pod& pod : pods) ++phases[pod.status().phase()];
  w.Write(0, "Pods Status:\t" + std::to_string(phases["Running"]) + " Running / " +
                 std::to_string(phases["Pending"] + phases[""]) + " Waiting / " +
                 std::to_string(phases["Succeeded"]) + " Succeeded / " +
                 std::to_string(phases["Failed"]) + " Failed\n");
  DescribePodTemplate(w, daemon_set.spec().template_());
  if (events) DescribeEvents(w, *events, now);
}

void DescribeNode(std::ostream& out, const v1::Node& node, const std::vector<v1::Pod>& pods,
                  const std::optional<std::vector<v1::Event>>& events, TimePoint now) {
  TabWriter w(out);
  const std::vector<std::string> roles = NodeRoles(node);
  w.Write(0, "Name:\t" + node.metadata().name() + "\n");
  w.Write(0, "Roles:\t" + (roles.empty() ? std::string("<none>") : Join(roles, ",")) + "\n");
  WriteLabels(w, "Labels", node.metadata().labels());
  WriteAnnotations(w, "Annotations", node.metadata().annotations());
  w.Write(0, "CreationTimestamp:\t" + FormatRfc1123z(node.metadata().creation_timestamp()) + "\n");
  WriteTaints(w, node.spec().taints());
  w.Write(
      0, std::string("Unschedulable:\t") + (node.spec().unschedulable() ? "true" : "false") + "\n");
  if (!node.status().conditions().empty()) {
    w.Write(
        0, "Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n");
    w.Write(1, "----\t------\t-----------------\t------------------\t------\t-------\n");
    for (const v1::NodeCondition& condition : node.status().conditions()) {
      w.Write(1, condition.type() + " \t" + condition.status() + " \t" +
                     FormatRfc1123z(condition.last_heartbeat_time()) + " \t" +
                     FormatRfc1123z(condition.last_transition_time()) + " \t" + condition.reason() +
                     " \t" + condition.message() + "\n");
    }
  }
  w.Write(0, "Addresses:\n");
  for (const v1::NodeAddress& address : node.status().addresses()) {
    w.Write(1, address.type() + ":\t" + address.address() + "\n");
  }
  const v1::NodeSystemInfo& info = node.status().node_info();
  w.Write(0, "System Info:\n");
  for (const auto& [title, value] : std::vector<std::pair<std::string, std::string>>{
           {"Machine ID", info.machine_id()},
           {"Boot ID", info.boot_id()},
           {"Kernel Version", info.kernel_version()},
           {"OS Image", info.os_image()},
           {"Operating System", info.operating_system()},
           {"Architecture", info.architecture()},
           {"Container Runtime Version", info.container_runtime_version()},
           {"Agent Version", info.agent_version()}}) {
    w.Write(0, "  " + title + ":\t" + value + "\n");
  }
  std::vector<const v1::Pod*> running;
  for (const v1::Pod& pod : pods) {
    if (pod.status().phase() != "Succeeded" && pod.status().phase() != "Failed")
      running.push_back(&pod);
  }
  w.Write(0, "Non-terminated Pods:\t(" + std::to_string(running.size()) + " in total)\n");
  w.Write(1, "Namespace\tName\tDaemonSet\tReady\tStatus\tAge\n");
  w.Write(1, "---------\t----\t---------\t-----\t------\t---\n");
  for (const v1::Pod* pod : running) {
    const std::string& owner = pod->owner();
    const std::string daemon_set = owner.empty() ? "<static>" : owner.substr(owner.find('/') + 1);
    w.Write(1, pod->metadata().namespace_() + "\t" + pod->metadata().name() + "\t" + daemon_set +
                   "\t" + PodReadyColumn(*pod) + "\t" + PodStatus(*pod) + "\t" +
                   AgeColumn(pod->metadata().creation_timestamp(), now) + "\n");
  }
  if (events) DescribeEvents(w, *events, now);
}

}  // namespace fleetset::ctl
