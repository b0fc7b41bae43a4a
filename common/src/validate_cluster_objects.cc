// The cluster-scoped kinds that pods name: PriorityClasses (Kubernetes'
// ValidatePriorityClass, with the "system-" prefix reserved for the two
// built-in classes) and Namespaces.
#include "fleetset/config_objects.h"
#include "fleetset/names.h"
#include "validation_internal.h"
#include "validation_messages.h"

namespace fleetset {
namespace {

using internal::AppendInvalid;
using internal::ForbiddenError;
using internal::RequiredError;

// Metadata of an object that lives in no namespace.
void ValidateClusterMeta(const v1::ObjectMeta& meta,
                         std::vector<std::string> (*check_name)(std::string_view),
                         FieldErrors* errors) {
  if (meta.name().empty()) {
    errors->push_back(RequiredError("metadata.name"));
  } else {
    AppendInvalid("metadata.name", meta.name(), check_name(meta.name()), errors);
  }
  if (!meta.namespace_().empty()) {
    errors->push_back(ForbiddenError("metadata.namespace", "not allowed on this type"));
  }
  internal::ValidateLabelsAndAnnotations(meta, "metadata", errors);
}

}  // namespace

FieldErrors ValidatePriorityClass(const v1::PriorityClass& priority_class) {
  FieldErrors errors;
  ValidateClusterMeta(priority_class.metadata(), CheckDns1123Subdomain, &errors);
  const std::string& name = priority_class.metadata().name();
  if (name.starts_with("system-")) {
    if (name != kSystemNodeCritical && name != kSystemClusterCritical) {
      errors.push_back(
          ForbiddenError("metadata.name",
                         "priority class names with 'system-' prefix are reserved for system "
                         "use only: " +
                             name + " is not a known system priority class"));
    }
  } else if (priority_class.value() > kHighestUserDefinablePriority) {
    errors.push_back(
        ForbiddenError("value", "maximum allowed value of a user defined priority is " +
                                    std::to_string(kHighestUserDefinablePriority)));
  }
  const std::string& policy = priority_class.preemption_policy();
  if (policy != "PreemptLowerPriority" && policy != "Never") {
    errors.push_back(
        internal::UnsupportedError("preemptionPolicy", policy, {"Never", "PreemptLowerPriority"}));
  }
  return errors;
}

FieldErrors ValidatePriorityClassUpdate(const v1::PriorityClass& priority_class,
                                        const v1::PriorityClass& old) {
  FieldErrors errors = ValidatePriorityClass(priority_class);
  if (priority_class.value() != old.value()) {
    errors.push_back(ForbiddenError("value", "may not be changed in an update."));
  }
  if (priority_class.preemption_policy() != old.preemption_policy()) {
    errors.push_back(ForbiddenError("preemptionPolicy", "may not be changed in an update."));
  }
  return errors;
}

FieldErrors ValidateNamespace(const v1::Namespace& namespace_object) {
  FieldErrors errors;
  ValidateClusterMeta(namespace_object.metadata(), CheckDns1123Label, &errors);
  return errors;
}

}  // namespace fleetset
