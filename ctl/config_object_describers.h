// kubectl's `describe` layouts for ConfigMaps, Secrets, PriorityClasses
// and Namespaces.
#pragma once

#include <optional>
#include <ostream>
#include <vector>

#include "fleetset/v1/config.pb.h"
#include "fleetset/v1/operator_service.pb.h"
#include "printers.h"

namespace fleetset::ctl {

// Name, Namespace, Labels, Annotations, each key of Data with its value,
// each key of BinaryData with its size, then the events (`events` nullopt
// leaves them out).
void DescribeConfigMap(std::ostream& out, const v1::ConfigMap& config_map,
                       const std::optional<std::vector<v1::Event>>& events, TimePoint now);

// Name, Namespace, Labels, Annotations, Type, and the size of each key of
// Data: never the values.
void DescribeSecret(std::ostream& out, const v1::Secret& secret);

// Name, Value, GlobalDefault, PreemptionPolicy, Description, Annotations,
// Events.
void DescribePriorityClass(std::ostream& out, const v1::PriorityClass& priority_class,
                           const std::optional<std::vector<v1::Event>>& events, TimePoint now);

// Name, Labels, Annotations, Status; fleetset has no resource quotas or
// limit ranges, which kubectl lists next.
void DescribeNamespace(std::ostream& out, const v1::Namespace& namespace_object);

}  // namespace fleetset::ctl
