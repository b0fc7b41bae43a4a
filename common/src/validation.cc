// ValidateDaemonSet: the DaemonSet-level rules (Kubernetes'
// ValidateDaemonSet/ValidateDaemonSetSpec); the pod template and the update
// strategy are validated by the files named in validation_internal.h.
#include "fleetset/labels.h"
#include "fleetset/manifest.h"
#include "validation_internal.h"
#include "validation_messages.h"

namespace fleetset {
namespace {

using internal::InvalidError;
using internal::RequiredError;

// The selector must exist, be well formed, select something and select the
// template's own pods: otherwise the DaemonSet could not find (or would
// adopt others') pods.
void ValidateSelector(const v1::DaemonSetSpec& spec, FieldErrors* errors) {
  if (!spec.has_selector()) {
    errors->push_back(RequiredError("spec.selector"));
    return;
  }
  const v1::LabelSelector& selector = spec.selector();
  FieldErrors selector_errors = ValidateLabelSelector(selector, "spec.selector");
  const bool well_formed = selector_errors.empty();
  internal::Append(std::move(selector_errors), errors);
  if (selector.match_labels().empty() && selector.match_expressions().empty()) {
    errors->push_back(
        InvalidError("spec.selector", "{}", "empty selector is invalid for daemonset"));
    return;
  }
  // A malformed selector has no meaning to match with; its own errors say why.
  if (!well_formed) return;
  const Labels template_labels = ToLabels(spec.template_().metadata().labels());
  if (!SelectorMatches(selector, template_labels)) {
    errors->push_back(InvalidError("spec.template.metadata.labels",
                                   internal::FormatLabelMap(template_labels),
                                   "selector does not match template labels"));
  }
}

void ValidateRestartPolicy(const v1::PodSpec& pod, FieldErrors* errors) {
  const std::string path = "spec.template.spec.restartPolicy";
  if (pod.restart_policy().empty()) {
    errors->push_back(RequiredError(path));
  } else if (pod.restart_policy() != "Always") {
    // A daemon that exits must come back: DaemonSets only allow Always.
    errors->push_back(internal::UnsupportedError(path, pod.restart_policy(), {"Always"}));
  }
}

}  // namespace

FieldErrors ValidateDaemonSet(const v1::DaemonSet& daemon_set) {
  FieldErrors errors;
  internal::ValidateObjectMeta(daemon_set.metadata(), "metadata", &errors);

  const v1::DaemonSetSpec& spec = daemon_set.spec();
  ValidateSelector(spec, &errors);
  internal::ValidateLabelsAndAnnotations(spec.template_().metadata(), "spec.template.metadata",
                                         &errors);
  internal::ValidatePodSpec(spec.template_().spec(), "spec.template.spec", &errors);
  ValidateRestartPolicy(spec.template_().spec(), &errors);

  if (spec.min_ready_seconds() < 0) {
    errors.push_back(InvalidError("spec.minReadySeconds", spec.min_ready_seconds(),
                                  internal::kMustBeNonNegative));
  }
  internal::ValidateUpdateStrategy(spec.update_strategy(), "spec.updateStrategy", &errors);
  // Zero is valid: keep no old revisions.
  if (spec.has_revision_history_limit() && spec.revision_history_limit() < 0) {
    errors.push_back(InvalidError("spec.revisionHistoryLimit", spec.revision_history_limit(),
                                  internal::kMustBeNonNegative));
  }
  return errors;
}

}  // namespace fleetset
