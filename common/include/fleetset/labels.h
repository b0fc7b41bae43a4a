// Label sets and label selectors: the structured apps/v1 LabelSelector and
// the string form kubectl takes with -l ("app=x,tier!=db,env in (a,b),!legacy").
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fleetset/field_error.h"
#include "fleetset/v1/meta.pb.h"

namespace fleetset {

using Labels = std::map<std::string, std::string>;

Labels ToLabels(const google::protobuf::Map<std::string, std::string>& map);

// Kubernetes' LabelSelectorAsSelector semantics: an empty selector (no
// matchLabels, no matchExpressions) matches everything; matchLabels and
// every expression are ANDed. In/NotIn/Exists/DoesNotExist as in Kubernetes
// (NotIn and DoesNotExist match when the key is absent).
bool SelectorMatches(const v1::LabelSelector& selector, const Labels& labels);

// Structural checks on a LabelSelector: keys are qualified names, values
// are label values, operators are known, In/NotIn have values,
// Exists/DoesNotExist have none. `path` is the selector's own path.
FieldErrors ValidateLabelSelector(const v1::LabelSelector& selector, const std::string& path);

// Checks a label map (metadata.labels, nodeSelector): qualified-name keys
// and label values.
FieldErrors ValidateLabels(const google::protobuf::Map<std::string, std::string>& labels,
                           const std::string& path);

// The string selector syntax of kubectl -l / --selector.
class StringSelector {
 public:
  // nullopt with *error set on a syntax error.
  static std::optional<StringSelector> Parse(std::string_view text, std::string* error = nullptr);
  bool Matches(const Labels& labels) const;
  bool Empty() const { return requirements_.empty(); }
  // Canonical text, e.g. "app=x,tier!=db".
  std::string ToString() const;

 private:
  struct Requirement {
    std::string key;
    // =, !=, in, notin, exists, !, >, < ("==" is kept as "=").
    std::string op;
    std::vector<std::string> values;
  };
  std::vector<Requirement> requirements_;
};

// "k1=v1,k2=v2" (sorted by key), or "<none>" for an empty map, as kubectl
// prints NODE SELECTOR.
std::string FormatLabels(const Labels& labels, std::string_view empty = "<none>");

}  // namespace fleetset
