// Where the pod may run: nodeSelector, node affinity, pod (anti-)affinity
// and tolerations (Kubernetes' ValidateNodeSelector, validateAffinity,
// ValidateTolerations).
#include <charconv>

#include "fleetset/labels.h"
#include "fleetset/names.h"
#include "fleetset/taint_effect.h"
#include "validation_internal.h"
#include "validation_messages.h"

namespace fleetset::internal {
namespace {

bool IsInteger(std::string_view text) {
  if (text.starts_with('+')) text.remove_prefix(1);
  int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return !text.empty() && error == std::errc() && end == text.data() + text.size();
}

void ValidateLabelKey(const std::string& key, const std::string& path, FieldErrors* errors) {
  AppendInvalid(path, key, CheckQualifiedName(key), errors);
}

void ValidateExpression(const v1::NodeSelectorRequirement& requirement, const std::string& path,
                        FieldErrors* errors) {
  const std::string values_path = ChildPath(path, "values");
  const std::string& op = requirement.operator_();
  if (op == "In" || op == "NotIn") {
    if (requirement.values().empty()) {
      errors->push_back(
          RequiredError(values_path, "must be specified when `operator` is 'In' or 'NotIn'"));
    }
  } else if (op == "Exists" || op == "DoesNotExist") {
    if (!requirement.values().empty()) {
      errors->push_back(ForbiddenError(
          values_path, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
    }
  } else if (op == "Gt" || op == "Lt") {
    if (requirement.values_size() != 1) {
      errors->push_back(RequiredError(
          values_path, "must be specified single value when `operator` is 'Lt' or 'Gt'"));
    } else if (!IsInteger(requirement.values(0))) {
      // Kubernetes only finds out when matching; then no node ever matches.
      errors->push_back(InvalidError(IndexPath(values_path, 0), Quote(requirement.values(0)),
                                     "must be an integer when `operator` is 'Lt' or 'Gt'"));
    }
  } else {
    errors->push_back(UnsupportedError(ChildPath(path, "operator"), op,
                                       {"DoesNotExist", "Exists", "Gt", "In", "Lt", "NotIn"}));
  }
  ValidateLabelKey(requirement.key(), ChildPath(path, "key"), errors);
}

// Node fields: only metadata.name, compared for (in)equality with one name.
void ValidateFieldRequirement(const v1::NodeSelectorRequirement& requirement,
                              const std::string& path, FieldErrors* errors) {
  const std::string values_path = ChildPath(path, "values");
  const std::string& op = requirement.operator_();
  if (op == "In" || op == "NotIn") {
    if (requirement.values_size() != 1) {
      errors->push_back(RequiredError(
          values_path,
          "must be only one value when `operator` is 'In' or 'NotIn' for node field selector"));
    }
  } else {
    errors->push_back(UnsupportedError(ChildPath(path, "operator"), op, {"In", "NotIn"}));
  }
  if (requirement.key() != "metadata.name") {
    errors->push_back(
        UnsupportedError(ChildPath(path, "key"), requirement.key(), {"metadata.name"}));
    return;
  }
  for (int i = 0; i < requirement.values_size(); ++i) {
    AppendInvalid(IndexPath(values_path, i), requirement.values(i),
                  CheckDns1123Subdomain(requirement.values(i)), errors);
  }
}

void ValidateTerm(const v1::NodeSelectorTerm& term, const std::string& path, FieldErrors* errors) {
  for (int i = 0; i < term.match_expressions_size(); ++i) {
    ValidateExpression(term.match_expressions(i), IndexPath(ChildPath(path, "matchExpressions"), i),
                       errors);
  }
  for (int i = 0; i < term.match_fields_size(); ++i) {
    ValidateFieldRequirement(term.match_fields(i), IndexPath(ChildPath(path, "matchFields"), i),
                             errors);
  }
}

void ValidateWeight(int32_t weight, const std::string& path, FieldErrors* errors) {
  if (weight < 1 || weight > 100) {
    errors->push_back(InvalidError(path, weight, "must be in the range 1-100"));
  }
}

void ValidateNodeAffinity(const v1::NodeAffinity& affinity, const std::string& path,
                          FieldErrors* errors) {
  if (affinity.has_required_during_scheduling_ignored_during_execution()) {
    const std::string terms_path =
        ChildPath(path, "requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms");
    const auto& terms =
        affinity.required_during_scheduling_ignored_during_execution().node_selector_terms();
    // No term at all would match no node: certainly not what was meant.
    if (terms.empty()) {
      errors->push_back(RequiredError(terms_path, "must have at least one node selector term"));
    }
    for (int i = 0; i < terms.size(); ++i) ValidateTerm(terms[i], IndexPath(terms_path, i), errors);
  }
  const std::string preferred_path =
      ChildPath(path, "preferredDuringSchedulingIgnoredDuringExecution");
  const auto& preferred = affinity.preferred_during_scheduling_ignored_during_execution();
  for (int i = 0; i < preferred.size(); ++i) {
    const std::string term_path = IndexPath(preferred_path, i);
    ValidateWeight(preferred[i].weight(), ChildPath(term_path, "weight"), errors);
    ValidateTerm(preferred[i].preference(), ChildPath(term_path, "preference"), errors);
  }
}

void ValidatePodAffinityTerm(const v1::PodAffinityTerm& term, const std::string& path,
                             FieldErrors* errors) {
  if (term.has_label_selector()) {
    Append(ValidateLabelSelector(term.label_selector(), ChildPath(path, "labelSelector")), errors);
  }
  if (term.has_namespace_selector()) {
    Append(ValidateLabelSelector(term.namespace_selector(), ChildPath(path, "namespaceSelector")),
           errors);
  }
  for (int i = 0; i < term.namespaces_size(); ++i) {
    AppendInvalid(IndexPath(ChildPath(path, "namespaces"), i), term.namespaces(i),
                  CheckDns1123Label(term.namespaces(i)), errors);
  }
  const std::string key_path = ChildPath(path, "topologyKey");
  if (term.topology_key().empty()) {
    errors->push_back(RequiredError(key_path, "can not be empty"));
  } else {
    ValidateLabelKey(term.topology_key(), key_path, errors);
  }
}

void ValidatePodAffinity(const v1::PodAffinity& affinity, const std::string& path,
                         FieldErrors* errors) {
  const std::string required_path =
      ChildPath(path, "requiredDuringSchedulingIgnoredDuringExecution");
  const auto& required = affinity.required_during_scheduling_ignored_during_execution();
  for (int i = 0; i < required.size(); ++i) {
    ValidatePodAffinityTerm(required[i], IndexPath(required_path, i), errors);
  }
  const std::string preferred_path =
      ChildPath(path, "preferredDuringSchedulingIgnoredDuringExecution");
  const auto& preferred = affinity.preferred_during_scheduling_ignored_during_execution();
  for (int i = 0; i < preferred.size(); ++i) {
    const std::string term_path = IndexPath(preferred_path, i);
    ValidateWeight(preferred[i].weight(), ChildPath(term_path, "weight"), errors);
    ValidatePodAffinityTerm(preferred[i].pod_affinity_term(),
                            ChildPath(term_path, "podAffinityTerm"), errors);
  }
}

void ValidateToleration(const v1::Toleration& toleration, const std::string& path,
                        FieldErrors* errors) {
  const std::string operator_path = ChildPath(path, "operator");
  const std::string& op = toleration.operator_();
  if (!toleration.key().empty()) {
    ValidateLabelKey(toleration.key(), ChildPath(path, "key"), errors);
  } else if (op != "Exists") {
    errors->push_back(InvalidError(
        operator_path, Quote(op),
        "operator must be Exists when `key` is empty, which means \"match all values and all "
        "keys\""));
  }
  // Only NoExecute evicts, so only it has a delay before eviction.
  if (toleration.has_toleration_seconds() && toleration.effect() != kTaintEffectNoExecute) {
    errors->push_back(InvalidError(ChildPath(path, "effect"), Quote(toleration.effect()),
                                   "effect must be 'NoExecute' when `tolerationSeconds` is set"));
  }
  const std::string value_path = ChildPath(path, "value");
  if (op.empty() || op == "Equal") {
    AppendInvalid(value_path, toleration.value(), CheckLabelValue(toleration.value()), errors);
  } else if (op == "Exists") {
    if (!toleration.value().empty()) {
      errors->push_back(InvalidError(value_path, Quote(toleration.value()),
                                     "value must be empty when `operator` is 'Exists'"));
    }
  } else {
    errors->push_back(UnsupportedError(operator_path, op, {"Equal", "Exists"}));
  }
  const std::string& effect = toleration.effect();
  if (effect.empty()) return;
  if (auto error = CheckTaintEffect(ChildPath(path, "effect"), effect)) errors->push_back(*error);
}

}  // namespace

void ValidateScheduling(const v1::PodSpec& spec, const std::string& path, FieldErrors* errors) {
  Append(ValidateLabels(spec.node_selector(), ChildPath(path, "nodeSelector")), errors);
  if (spec.has_affinity()) {
    const std::string affinity_path = ChildPath(path, "affinity");
    const v1::Affinity& affinity = spec.affinity();
    if (affinity.has_node_affinity()) {
      ValidateNodeAffinity(affinity.node_affinity(), ChildPath(affinity_path, "nodeAffinity"),
                           errors);
    }
    if (affinity.has_pod_affinity()) {
      ValidatePodAffinity(affinity.pod_affinity(), ChildPath(affinity_path, "podAffinity"), errors);
    }
    if (affinity.has_pod_anti_affinity()) {
      ValidatePodAffinity(affinity.pod_anti_affinity(), ChildPath(affinity_path, "podAntiAffinity"),
                          errors);
    }
  }
  for (int i = 0; i < spec.tolerations_size(); ++i) {
    ValidateToleration(spec.tolerations(i), IndexPath(ChildPath(path, "tolerations"), i), errors);
  }
}

}  // namespace fleetset::internal
