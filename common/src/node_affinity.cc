// nodeSelector and required node affinity, as the scheduler's NodeAffinity
// plugin (component-helpers/scheduling/corev1/nodeaffinity) evaluates them.
// Matching and explaining share one code path: a requirement matches
// exactly when there is no reason it fails.
#include <algorithm>
#include <charconv>
#include <cstdint>
#include <optional>
#include <string>

#include "fleetset/scheduling.h"

namespace fleetset {
namespace {

constexpr char kOpIn[] = "In";
constexpr char kOpNotIn[] = "NotIn";
constexpr char kOpExists[] = "Exists";
constexpr char kOpDoesNotExist[] = "DoesNotExist";
constexpr char kOpGt[] = "Gt";
constexpr char kOpLt[] = "Lt";
// The only field Kubernetes supports in matchFields.
constexpr char kFieldMetadataName[] = "metadata.name";

std::optional<int64_t> ParseInteger(const std::string& text) {
  int64_t value = 0;
  const char* end = text.data() + text.size();
  const auto result = std::from_chars(text.data(), end, value);
  if (text.empty() || result.ec != std::errc() || result.ptr != end) return std::nullopt;
  return value;
}

// "kubernetes.io/arch In [arm64, amd64]", "disk Exists".
std::string Describe(const v1::NodeSelectorRequirement& requirement) {
  std::string out = requirement.key() + " " + requirement.operator_();
  if (requirement.operator_() == kOpExists || requirement.operator_() == kOpDoesNotExist) {
    return out;
  }
  std::string values;
  for (int i = 0; i < requirement.values_size(); ++i) {
    values += (i == 0 ? "" : ", ") + requirement.values(i);
  }
  return out + " [" + values + "]";
}

std::string DescribeLabel(const Labels& labels, const std::string& key) {
  const auto it = labels.find(key);
  return it == labels.end() ? "node has no label " + key : "node has " + key + "=" + it->second;
}

// Why `requirement` rejects `labels`, or nullopt when it matches. A
// requirement Kubernetes could not turn into a selector (In without
// values, Gt with a non-integer) matches nothing there, and here.
std::optional<std::string> ExpressionFailure(const v1::NodeSelectorRequirement& requirement,
                                             const Labels& labels) {
  const std::string& op = requirement.operator_();
  const auto it = labels.find(requirement.key());
  const bool present = it != labels.end();
  const auto& values = requirement.values();
  if (op == kOpIn || op == kOpNotIn) {
    if (values.empty()) return op + " needs at least one value";
    const bool listed =
        present && std::find(values.begin(), values.end(), it->second) != values.end();
    if (listed == (op == kOpIn)) return std::nullopt;
    return DescribeLabel(labels, requirement.key());
  }
  if (op == kOpExists || op == kOpDoesNotExist) {
    if (!values.empty()) return op + " takes no values";
    if (present == (op == kOpExists)) return std::nullopt;
    return DescribeLabel(labels, requirement.key());
  }
  if (op == kOpGt || op == kOpLt) {
    const std::optional<int64_t> bound =
        values.size() == 1 ? ParseInteger(values[0]) : std::nullopt;
    if (!bound) return op + " needs exactly one integer value";
    if (!present) return DescribeLabel(labels, requirement.key());
    const std::optional<int64_t> have = ParseInteger(it->second);
    if (!have) return DescribeLabel(labels, requirement.key()) + ", which is not an integer";
    if (op == kOpGt ? *have > *bound : *have < *bound) return std::nullopt;
    return DescribeLabel(labels, requirement.key());
  }
  return "unknown operator \"" + op + "\"";
}

// matchFields: metadata.name with In or NotIn and exactly one value, as
// Kubernetes' field-selector conversion accepts.
std::optional<std::string> FieldFailure(const v1::NodeSelectorRequirement& requirement,
                                        const NodeFacts& node) {
  if (requirement.key() != kFieldMetadataName) {
    return "matchFields supports only " + std::string(kFieldMetadataName);
  }
  const std::string& op = requirement.operator_();
  if (op != kOpIn && op != kOpNotIn) return "matchFields supports only In and NotIn";
  if (requirement.values_size() != 1) return op + " in matchFields needs exactly one value";
  if ((node.name == requirement.values(0)) == (op == kOpIn)) return std::nullopt;
  return "node is named " + node.name;
}

std::optional<std::string> TermFailure(const v1::NodeSelectorTerm& term, const NodeFacts& node) {
  if (term.match_expressions().empty() && term.match_fields().empty()) {
    return "empty term matches nothing";
  }
  for (const auto& expression : term.match_expressions()) {
    if (auto why = ExpressionFailure(expression, node.labels)) {
      return Describe(expression) + " failed: " + *why;
    }
  }
  for (const auto& field : term.match_fields()) {
    if (auto why = FieldFailure(field, node)) return Describe(field) + " failed: " + *why;
  }
  return std::nullopt;
}

}  // namespace

bool NodeSelectorRequirementMatches(const v1::NodeSelectorRequirement& requirement,
                                    const Labels& labels) {
  return !ExpressionFailure(requirement, labels);
}

bool NodeSelectorTermMatches(const v1::NodeSelectorTerm& term, const NodeFacts& node) {
  return !TermFailure(term, node);
}

bool NodeSelectorMatches(const v1::NodeSelector& selector, const NodeFacts& node) {
  return !ExplainNodeSelectorMismatch(selector, node);
}

std::optional<std::string> ExplainNodeSelectorMismatch(const v1::NodeSelector& selector,
                                                       const NodeFacts& node) {
  if (selector.node_selector_terms().empty()) return "no term matches (nodeSelectorTerms is empty)";
  std::string failures;
  for (int i = 0; i < selector.node_selector_terms_size(); ++i) {
    const auto why = TermFailure(selector.node_selector_terms(i), node);
    if (!why) return std::nullopt;
    failures += (failures.empty() ? "" : "; ") + ("term " + std::to_string(i) + ": " + *why);
  }
  return "no term matches (" + failures + ")";
}

std::optional<std::string> ExplainNodeSelectorMapMismatch(
    const google::protobuf::Map<std::string, std::string>& node_selector, const Labels& labels) {
  std::string failures;
  // Sorted, so that the explanation does not depend on hash-map order.
  for (const auto& [key, value] : ToLabels(node_selector)) {
    const auto it = labels.find(key);
    if (it != labels.end() && it->second == value) continue;
    const std::string why = it == labels.end() ? "label " + key + "=" + value + " is missing"
                                               : "node has " + key + "=" + it->second;
    failures += (failures.empty() ? "" : "; ") + why;
  }
  if (failures.empty()) return std::nullopt;
  return failures;
}

}  // namespace fleetset
