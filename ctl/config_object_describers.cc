// The layouts transcribe kubectl's describe.go (describeConfigMap,
// describeSecret, describePriorityClass, describeNamespace), with the keys
// of data sorted.
#include "config_object_describers.h"

#include <map>

#include "describers.h"
#include "fleetset/labels.h"
#include "tabwriter.h"

namespace fleetset::ctl {
namespace {

template <typename Map>
std::map<std::string, std::string> Sorted(const Map& map) {
  return {map.begin(), map.end()};
}

// The lines every namespaced object starts with.
void WriteNamespacedHeader(TabWriter& w, const v1::ObjectMeta& metadata) {
  w.Write(0, "Name:\t" + metadata.name() + "\n");
  w.Write(0, "Namespace:\t" + metadata.namespace_() + "\n");
  WriteLabels(w, "Labels", metadata.labels());
  WriteAnnotations(w, "Annotations", metadata.annotations());
}

}  // namespace

void DescribeConfigMap(std::ostream& out, const v1::ConfigMap& config_map,
                       const std::optional<std::vector<v1::Event>>& events, TimePoint now) {
  TabWriter w(out);
  WriteNamespacedHeader(w, config_map.metadata());
  w.Write(0, "\nData\n====\n");
  for (const auto& [key, value] : Sorted(config_map.data())) {
    w.Write(0, key + ":\n----\n" + value + "\n\n");
  }
  w.Write(0, "\nBinaryData\n====\n");
  for (const auto& [key, value] : Sorted(config_map.binary_data())) {
    w.Write(0, key + ": " + std::to_string(value.size()) + " bytes\n");
  }
  w.Write(0, "\n");
  if (events) DescribeEvents(w, *events, now);
}

void DescribeSecret(std::ostream& out, const v1::Secret& secret) {
  TabWriter w(out);
  WriteNamespacedHeader(w, secret.metadata());
  w.Write(0, "\nType:\t" + secret.type() + "\n");
  w.Write(0, "\nData\n====\n");
  for (const auto& [key, value] : Sorted(secret.data())) {
    w.Write(0, key + ":\t" + std::to_string(value.size()) + " bytes\n");
  }
}

void DescribePriorityClass(std::ostream& out, const v1::PriorityClass& priority_class,
                           const std::optional<std::vector<v1::Event>>& events, TimePoint now) {
  TabWriter w(out);
  w.Write(0, "Name:\t" + priority_class.metadata().name() + "\n");
  w.Write(0, "Value:\t" + std::to_string(priority_class.value()) + "\n");
  w.Write(0, std::string("GlobalDefault:\t") +
                 (priority_class.global_default() ? "true" : "false") + "\n");
  w.Write(0, "PreemptionPolicy:\t" + priority_class.preemption_policy() + "\n");
  w.Write(0, "Description:\t" + priority_class.description() + "\n");
  w.Write(
      0, "Annotations:\t" + FormatLabels(ToLabels(priority_class.metadata().annotations())) + "\n");
  if (events) DescribeEvents(w, *events, now);
}

void DescribeNamespace(std::ostream& out, const v1::Namespace& namespace_object) {
  TabWriter w(out);
  w.Write(0, "Name:\t" + namespace_object.metadata().name() + "\n");
  WriteLabels(w, "Labels", namespace_object.metadata().labels());
  WriteAnnotations(w, "Annotations", namespace_object.metadata().annotations());
  w.Write(0, "Status:\t" + namespace_object.status().phase() + "\n");
  w.Write(0, "\nNo resource quota.\n");
  w.Write(0, "\nNo LimitRange resource.\n");
}

}  // namespace fleetset::ctl
