// Structured label selectors (apps/v1 LabelSelector) and label maps:
// matching as Kubernetes' LabelSelectorAsSelector, validation as
// apimachinery's metav1 validation.
#include "fleetset/labels.h"

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "fleetset/names.h"

namespace fleetset {
namespace {

constexpr char kOpIn[] = "In";
constexpr char kOpNotIn[] = "NotIn";
constexpr char kOpExists[] = "Exists";
constexpr char kOpDoesNotExist[] = "DoesNotExist";

// Go's %q, which Kubernetes uses for the value in "Invalid value: ...".
std::string Quote(const std::string& value) {
  std::string out = "\"";
  for (unsigned char c : value) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      char escaped[8];
      std::snprintf(escaped, sizeof(escaped), "\\x%02x", c);
      out += escaped;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

void AddInvalid(FieldErrors* errors, const std::string& path, const std::string& value,
                const std::vector<std::string>& messages) {
  for (const std::string& message : messages) {
    errors->push_back({path, "Invalid value: " + Quote(value) + ": " + message});
  }
}

bool Contains(const google::protobuf::RepeatedPtrField<std::string>& values,
              const std::string& value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

// An expression Kubernetes would refuse to turn into a selector matches
// nothing, as a selector that fails to convert does there.
bool ExpressionMatches(const v1::LabelSelectorRequirement& expression, const Labels& labels) {
  const auto it = labels.find(expression.key());
  const bool present = it != labels.end();
  const std::string& op = expression.operator_();
  if (op == kOpIn || op == kOpNotIn) {
    if (expression.values().empty()) return false;
    const bool listed = present && Contains(expression.values(), it->second);
    return op == kOpIn ? listed : !listed;
  }
  if (op == kOpExists || op == kOpDoesNotExist) {
    if (!expression.values().empty()) return false;
    return op == kOpExists ? present : !present;
  }
  return false;
}

FieldErrors ValidateExpression(const v1::LabelSelectorRequirement& expression,
                               const std::string& path) {
  FieldErrors errors;
  const std::string& op = expression.operator_();
  const std::string values_path = ChildPath(path, "values");
  if (op == kOpIn || op == kOpNotIn) {
    if (expression.values().empty()) {
      errors.push_back(
          {values_path, "Required value: must be specified when operator is In or NotIn"});
    }
  } else if (op == kOpExists || op == kOpDoesNotExist) {
    if (!expression.values().empty()) {
      errors.push_back(
          {values_path, "Forbidden: may not be specified when operator is Exists or DoesNotExist"});
    }
  } else {
    errors.push_back({ChildPath(path, "operator"),
                      "Unsupported value: " + Quote(op) +
                          ": supported values: \"DoesNotExist\", \"Exists\", \"In\", \"NotIn\""});
  }
  AddInvalid(&errors, ChildPath(path, "key"), expression.key(),
             CheckQualifiedName(expression.key()));
  for (int i = 0; i < expression.values_size(); ++i) {
    AddInvalid(&errors, IndexPath(values_path, i), expression.values(i),
               CheckLabelValue(expression.values(i)));
  }
  return errors;
}

}  // namespace

Labels ToLabels(const google::protobuf::Map<std::string, std::string>& map) {
  return Labels(map.begin(), map.end());
}

bool SelectorMatches(const v1::LabelSelector& selector, const Labels& labels) {
  for (const auto& [key, value] : selector.match_labels()) {
    const auto it = labels.find(key);
    if (it == labels.end() || it->second != value) return false;
  }
  return std::all_of(
      selector.match_expressions().begin(), selector.match_expressions().end(),
      [&](const v1::LabelSelectorRequirement& e) { return ExpressionMatches(e, labels); });
}

FieldErrors ValidateLabelSelector(const v1::LabelSelector& selector, const std::string& path) {
  FieldErrors errors = ValidateLabels(selector.match_labels(), ChildPath(path, "matchLabels"));
  for (int i = 0; i < selector.match_expressions_size(); ++i) {
    FieldErrors more = ValidateExpression(selector.match_expressions(i),
                                          IndexPath(ChildPath(path, "matchExpressions"), i));
    errors.insert(errors.end(), more.begin(), more.end());
  }
  return errors;
}

FieldErrors ValidateLabels(const google::protobuf::Map<std::string, std::string>& labels,
                           const std::string& path) {
  FieldErrors errors;
  // Sorted, so that the report does not depend on hash-map order.
  for (const auto& [key, value] : ToLabels(labels)) {
    AddInvalid(&errors, path, key, CheckQualifiedName(key));
    AddInvalid(&errors, KeyPath(path, key), value, CheckLabelValue(value));
  }
  return errors;
}

std::string FormatLabels(const Labels& labels, std::string_view empty) {
  if (labels.empty()) return std::string(empty);
  std::string out;
  for (const auto& [key, value] : labels) {
    if (!out.empty()) out += ',';
    out += key + "=" + value;
  }
  return out;
}

}  // namespace fleetset
