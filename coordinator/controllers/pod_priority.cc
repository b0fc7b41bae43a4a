#include "coordinator/controllers/pod_priority.h"

namespace fleetset::coordinator {

PodPriority ResolvePodPriority(const v1::PodSpec& spec,
                               const std::vector<std::shared_ptr<const v1::PriorityClass>>& classes,
                               const std::string& generate_name) {
  PodPriority priority;
  const std::string& wanted = spec.priority_class_name();
  for (const auto& priority_class : classes) {
    const bool match = wanted.empty() ? priority_class->global_default()
                                      : priority_class->metadata().name() == wanted;
    if (match) {
      priority.value = priority_class->value();
      return priority;
    }
  }
  if (!wanted.empty()) {
    priority.refusal = "pods \"" + generate_name + "\" is forbidden: no PriorityClass with name " +
                       wanted + " was found";
  }
  return priority;
}

}  // namespace fleetset::coordinator
