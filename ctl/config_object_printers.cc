#include "config_object_printers.h"

namespace fleetset::ctl {

Rows TableRows(const std::vector<v1::ConfigMap>& items, const TableOptions& options) {
  return MakeRows(items, options, {"NAME", "DATA", "AGE"}, [&](const v1::ConfigMap& item) {
    return std::vector<std::string>{item.metadata().name(),
                                    std::to_string(item.data_size() + item.binary_data_size()),
                                    AgeColumn(item.metadata().creation_timestamp(), options.now)};
  });
}

Rows TableRows(const std::vector<v1::Secret>& items, const TableOptions& options) {
  return MakeRows(items, options, {"NAME", "TYPE", "DATA", "AGE"}, [&](const v1::Secret& item) {
    return std::vector<std::string>{item.metadata().name(), item.type(),
                                    std::to_string(item.data_size()),
                                    AgeColumn(item.metadata().creation_timestamp(), options.now)};
  });
}

// PriorityClasses and Namespaces are cluster-scoped: `get` never asks for
// their NAMESPACE column.
Rows TableRows(const std::vector<v1::PriorityClass>& items, const TableOptions& options) {
  return MakeRows(items, options, {"NAME", "VALUE", "GLOBAL-DEFAULT", "AGE", "PREEMPTIONPOLICY"},
                  [&](const v1::PriorityClass& item) {
                    const std::string& policy = item.preemption_policy();
                    return std::vector<std::string>{
                        item.metadata().name(), std::to_string(item.value()),
                        item.global_default() ? "true" : "false",
                        AgeColumn(item.metadata().creation_timestamp(), options.now),
                        policy.empty() ? "<none>" : policy};
                  });
}

Rows TableRows(const std::vector<v1::Namespace>& items, const TableOptions& options) {
  return MakeRows(items, options, {"NAME", "STATUS", "AGE"}, [&](const v1::Namespace& item) {
    return std::vector<std::string>{item.metadata().name(), item.status().phase(),
                                    AgeColumn(item.metadata().creation_timestamp(), options.now)};
  });
}

}  // namespace fleetset::ctl
