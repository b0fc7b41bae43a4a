// kubectl's --field-selector: "spec.nodeName=node-1,metadata.namespace!=default".
// Only = (==) and != are defined, as in Kubernetes; each kind says which
// fields it can be selected on, and any other field is refused.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fleetset::coordinator {

// A kind's selectable fields of one object: field path -> value.
using Fields = std::map<std::string, std::string>;

class FieldSelector {
 public:
  // nullopt with *error on a syntax error.
  static std::optional<FieldSelector> Parse(std::string_view text, std::string* error);

  bool Empty() const { return requirements_.empty(); }
  bool Matches(const Fields& fields) const;
  // The first field the selector names that `fields` lacks ("" if none):
  // such a selector is refused rather than matching nothing.
  std::string UnsupportedField(const Fields& fields) const;
  // "spec.nodeName=node-1" -> "node-1", when the selector pins the field.
  std::optional<std::string> RequiredValue(const std::string& field) const;

 private:
  struct Requirement {
    std::string field;
    bool equals = true;
    std::string value;
  };
  std::vector<Requirement> requirements_;
};

}  // namespace fleetset::coordinator
