// kubectl's `get` tables and `-o name` for ConfigMaps, Secrets,
// PriorityClasses and Namespaces.
#pragma once

#include <string>
#include <vector>

#include "config_objects.h"
#include "printers.h"

namespace fleetset::ctl {

// NAME DATA AGE; DATA counts the keys of data and binaryData.
Rows TableRows(const std::vector<v1::ConfigMap>& items, const TableOptions& options);
// NAME TYPE DATA AGE.
Rows TableRows(const std::vector<v1::Secret>& items, const TableOptions& options);
// NAME VALUE GLOBAL-DEFAULT AGE PREEMPTIONPOLICY.
Rows TableRows(const std::vector<v1::PriorityClass>& items, const TableOptions& options);
// NAME STATUS AGE; STATUS is the phase (Active, Terminating).
Rows TableRows(const std::vector<v1::Namespace>& items, const TableOptions& options);

// `-o name`: "configmap/x", "secret/x", "priorityclass.scheduling.k8s.io/x",
// "namespace/x".
template <ConfigObject T>
std::string NameLine(const T& item) {
  return QualifiedName(TypeOf<T>(), item.metadata().name());
}

}  // namespace fleetset::ctl
