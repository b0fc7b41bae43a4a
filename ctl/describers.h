// kubectl's `describe` layouts for DaemonSets and nodes, the pod template
// block that `rollout history --revision` prints too, and the sections
// every layout shares (pods: pod_describer.h).
#pragma once

#include <optional>
#include <ostream>
#include <vector>

#include "fleetset/v1/operator_service.pb.h"
#include "printers.h"
#include "tabwriter.h"

namespace fleetset::ctl {

// "Mon, 02 Jan 2006 15:04:05 -0700" in local time, as kubectl's
// CreationTimestamp and condition times; "<unknown>" when unset.
std::string FormatRfc1123z(const google::protobuf::Timestamp& timestamp);

// printLabelsMultiline: "Labels:" with the first entry, the others on
// their own lines in the same column; "<none>" when empty.
void WriteLabels(TabWriter& w, const std::string& title,
                 const google::protobuf::Map<std::string, std::string>& labels);
// printAnnotationsMultiline: as labels, with long or multi-line values
// below their key.
void WriteAnnotations(TabWriter& w, const std::string& title,
                      const google::protobuf::Map<std::string, std::string>& annotations);
// kubectl's DescribeEvents: "Events:" and the table, oldest first, or
// "Events:  <none>".
void DescribeEvents(TabWriter& w, std::vector<v1::Event> events, TimePoint now);

// `pods` are the DaemonSet's pods (for "Pods Status"); `events` nullopt
// leaves the Events section out (kubectl's behaviour when events cannot be
// listed).
void DescribeDaemonSet(std::ostream& out, const v1::DaemonSet& daemon_set,
                       const std::vector<v1::Pod>& pods,
                       const std::optional<std::vector<v1::Event>>& events, TimePoint now);

// `pods` are the pods on the node.
void DescribeNode(std::ostream& out, const v1::Node& node, const std::vector<v1::Pod>& pods,
                  const std::optional<std::vector<v1::Event>>& events, TimePoint now);

// "Pod Template:" and everything under it.
void DescribePodTemplate(TabWriter& w, const v1::PodTemplateSpec& pod_template);

// "Containers:" (or "Init Containers") and each container; `space` is
// kubectl's indent of the label ("  " in a pod template, "" in a pod).
// With `statuses` (a pod's), each container also shows its ID, image ID,
// state, last state, readiness and restarts, as kubectl's describe pod does.
void DescribeContainers(TabWriter& w, const std::string& label,
                        const google::protobuf::RepeatedPtrField<v1::Container>& containers,
                        const google::protobuf::RepeatedPtrField<v1::ContainerStatus>* statuses,
                        const std::string& space);
void WriteTolerations(TabWriter& w, const std::string& title,
                      const google::protobuf::RepeatedPtrField<v1::Toleration>& tolerations);

}  // namespace fleetset::ctl
