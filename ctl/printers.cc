#include "printers.h"

#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <map>
#include <set>

#include "fleetset/display.h"
#include "fleetset/labels.h"
#include "fleetset/strings.h"
#include "resources.h"

namespace fleetset::ctl {
namespace {

constexpr char kNodeRolePrefix[] = "node-role.kubernetes.io/";
constexpr char kNodeRoleLabel[] = "kubernetes.io/role";

std::string OrNone(const std::string& value) { return value.empty() ? "<none>" : value; }

TimePoint ToTimePoint(const google::protobuf::Timestamp& timestamp) {
  return TimePoint(std::chrono::seconds(timestamp.seconds()));
}

}  // namespace

bool IsSet(const google::protobuf::Timestamp& timestamp) {
  return timestamp.seconds() != 0 || timestamp.nanos() != 0;
}

std::string AgeColumn(const google::protobuf::Timestamp& timestamp, TimePoint now) {
  if (!IsSet(timestamp)) return "<unknown>";
  return FormatAge(std::chrono::duration_cast<std::chrono::seconds>(now - ToTimePoint(timestamp)));
}

std::string FormatLabelSelector(const v1::LabelSelector& selector) {
  // Requirements sort by key; matchLabels and expressions interleave.
  std::multimap<std::string, std::string> requirements;
  for (const auto& [key, value] : selector.match_labels())
    requirements.emplace(key, key + "=" + value);
  for (const v1::LabelSelectorRequirement& expression : selector.match_expressions()) {
    std::vector<std::string> values(expression.values().begin(), expression.values().end());
    std::sort(values.begin(), values.end());
    const std::string& op = expression.operator_();
    std::string text;
    if (op == "In")
      text = expression.key() + " in (" + Join(values, ",") + ")";
    else if (op == "NotIn")
      text = expression.key() + " notin (" + Join(values, ",") + ")";
    else if (op == "Exists")
      text = expression.key();
    else if (op == "DoesNotExist")
      text = "!" + expression.key();
    else
      text = expression.key() + " " + op + " (" + Join(values, ",") + ")";
    requirements.emplace(expression.key(), text);
  }
  std::vector<std::string> parts;
  for (const auto& [key, text] : requirements) parts.push_back(text);
  return parts.empty() ? "<none>" : Join(parts, ",");
}

std::string NodeStatusColumn(const v1::Node& node) {
  std::string status = "Unknown";
  for (const v1::NodeCondition& condition : node.status().conditions()) {
    if (condition.type() == "Ready") status = condition.status() == "True" ? "Ready" : "NotReady";
  }
  if (node.spec().unschedulable()) status += ",SchedulingDisabled";
  return status;
}

std::vector<std::string> NodeRoles(const v1::Node& node) {
  std::set<std::string> roles;
  for (const auto& [key, value] : node.metadata().labels()) {
    if (key.starts_with(kNodeRolePrefix)) {
      if (key.size() > sizeof(kNodeRolePrefix) - 1)
        roles.insert(key.substr(sizeof(kNodeRolePrefix) - 1));
    } else if (key == kNodeRoleLabel && !value.empty()) {
      roles.insert(value);
    }
  }
  return {roles.begin(), roles.end()};
}

std::string NodeAddress(const v1::Node& node, const std::string& type) {
  for (const v1::NodeAddress& address : node.status().addresses()) {
    if (address.type() == type) return address.address();
  }
  return "<none>";
}

std::string PodStatus(const v1::Pod& pod) {
  if (IsSet(pod.metadata().deletion_timestamp())) return "Terminating";
  return PodStatusColumn(pod);
}

std::string PodRestartsColumn(const v1::Pod& pod, TimePoint now) {
  google::protobuf::Timestamp last_restart;
  for (const v1::ContainerStatus& container : pod.status().container_statuses()) {
    const auto& finished = container.last_state().terminated().finished_at();
    if (finished.seconds() > last_restart.seconds()) last_restart = finished;
  }
  std::string column = std::to_string(PodRestarts(pod));
  if (IsSet(last_restart)) column += " (" + AgeColumn(last_restart, now) + " ago)";
  return column;
}

Rows TableRows(const std::vector<v1::DaemonSet>& items, const TableOptions& options) {
  std::vector<std::string> header{"NAME",       "DESIRED",   "CURRENT",       "READY",
                                  "UP-TO-DATE", "AVAILABLE", "NODE SELECTOR", "AGE"};
  if (options.wide) header.insert(header.end(), {"CONTAINERS", "IMAGES", "SELECTOR"});
  return MakeRows(items, options, header, [&](const v1::DaemonSet& item) {
    const v1::DaemonSetStatus& status = item.status();
    std::vector<std::string> row{
        item.metadata().name(),
        std::to_string(status.desired_number_scheduled()),
        std::to_string(status.current_number_scheduled()),
        std::to_string(status.number_ready()),
        std::to_string(status.updated_number_scheduled()),
        std::to_string(status.number_available()),
        FormatLabels(ToLabels(item.spec().template_().spec().node_selector())),
        AgeColumn(item.metadata().creation_timestamp(), options.now)};
    if (options.wide) {
      std::vector<std::string> names;
      std::vector<std::string> images;
      for (const v1::Container& container : item.spec().template_().spec().containers()) {
        names.push_back(container.name());
        images.push_back(container.image());
      }
      row.insert(row.end(), {Join(names, ","), Join(images, ","),
                             FormatLabelSelector(item.spec().selector())});
    }
    return row;
  });
}

Rows TableRows(const std::vector<v1::Node>& items, const TableOptions& options) {
  std::vector<std::string> header{"NAME", "STATUS", "ROLES", "AGE", "VERSION"};
  if (options.wide) {
    header.insert(header.end(), {"INTERNAL-IP", "EXTERNAL-IP", "OS-IMAGE", "KERNEL-VERSION",
                                 "CONTAINER-RUNTIME"});
  }
  TableOptions cluster_scoped = options;
  cluster_scoped.with_namespace = false;
  return MakeRows(items, cluster_scoped, header, [&](const v1::Node& item) {
    const v1::NodeSystemInfo& info = item.status().node_info();
    std::vector<std::string> row{
        item.metadata().name(), NodeStatusColumn(item), OrNone(Join(NodeRoles(item), ",")),
        AgeColumn(item.metadata().creation_timestamp(), options.now), info.agent_version()};
    if (options.wide) {
      auto or_unknown = [](const std::string& value) {
        return value.empty() ? "<unknown>" : value;
      };
      row.insert(row.end(), {NodeAddress(item, "InternalIP"), NodeAddress(item, "ExternalIP"),
                             or_unknown(info.os_image()), or_unknown(info.kernel_version()),
                             or_unknown(info.container_runtime_version())});
    }
    return row;
  });
}

Rows TableRows(const std::vector<v1::Pod>& items, const TableOptions& options) {
  std::vector<std::string> header{"NAME", "READY", "STATUS", "RESTARTS", "AGE"};
  if (options.wide)
    header.insert(header.end(), {"IP", "NODE", "NOMINATED NODE", "READINESS GATES"});
  return MakeRows(items, options, header, [&](const v1::Pod& item) {
    std::vector<std::string> row{item.metadata().name(), PodReadyColumn(item), PodStatus(item),
                                 PodRestartsColumn(item, options.now),
                                 AgeColumn(item.metadata().creation_timestamp(), options.now)};
    if (options.wide) {
      row.insert(row.end(),
                 {OrNone(item.status().pod_ip()), OrNone(item.node_name()), "<none>", "<none>"});
    }
    return row;
  });
}

std::string NameLine(const v1::DaemonSet& item) {
  return QualifiedName(DaemonSetType(), item.metadata().name());
}
std::string NameLine(const v1::Node& item) {
  return QualifiedName(NodeType(), item.metadata().name());
}
std::string NameLine(const v1::Pod& item) {
  return QualifiedName(PodType(), item.metadata().name());
}

Rows TableRows(const std::vector<v1::User>& items, const TableOptions& options) {
  TableOptions cluster_scoped = options;
  cluster_scoped.with_namespace = false;
  return MakeRows(items, cluster_scoped, {"NAME", "ROLE", "EXPIRES", "AGE"},
                  [&](const v1::User& item) {
                    const std::string expires =
                        IsSet(item.spec().expires())
                            ? google::protobuf::util::TimeUtil::ToString(item.spec().expires())
                            : "<never>";
                    return std::vector<std::string>{
                        item.metadata().name(), item.spec().role(), expires,
                        AgeColumn(item.metadata().creation_timestamp(), options.now)};
                  });
}

std::string NameLine(const v1::User& item) {
  return QualifiedName(UserType(), item.metadata().name());
}

Rows TableRows(const std::vector<v1::Coordinator>& items, const TableOptions& options) {
  TableOptions cluster_scoped = options;
  cluster_scoped.with_namespace = false;
  return MakeRows(items, cluster_scoped,
                  {"NAME", "ADDRESS", "STATUS", "LEADER", "VERSION", "STORE", "AGE"},
                  [&](const v1::Coordinator& item) {
                    const v1::CoordinatorStatus& status = item.status();
                    return std::vector<std::string>{
                        item.metadata().name(),
                        OrNone(status.address()),
                        status.state(),
                        status.leader() ? "true" : "false",
                        status.version(),
                        status.store_error().empty() ? "ok" : "unavailable",
                        AgeColumn(item.metadata().creation_timestamp(), options.now)};
                  });
}

std::string NameLine(const v1::Coordinator& item) {
  return QualifiedName(CoordinatorType(), item.metadata().name());
}

}  // namespace fleetset::ctl
