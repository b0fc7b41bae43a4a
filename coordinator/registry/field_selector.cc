#include "coordinator/registry/field_selector.h"

namespace fleetset::coordinator {

namespace {

std::string_view Trim(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return text;
}

}  // namespace

std::optional<FieldSelector> FieldSelector::Parse(std::string_view text, std::string* error) {
  FieldSelector selector;
  if (Trim(text).empty()) return selector;
  while (!text.empty()) {
    const size_t comma = text.find(',');
    const std::string_view term = Trim(text.substr(0, comma));
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    Requirement requirement;
    size_t op = term.find("!=");
    size_t value_at = op + 2;
    if (op != std::string_view::npos) {
      requirement.equals = false;
    } else if ((op = term.find("==")) != std::string_view::npos) {
      value_at = op + 2;
    } else if ((op = term.find('=')) != std::string_view::npos) {
      value_at = op + 1;
    } else {
      *error = "invalid selector: '" + std::string(term) + "'; can't understand '" +
               std::string(term) + "'";
      return std::nullopt;
    }
    requirement.field = std::string(Trim(term.substr(0, op)));
    requirement.value = std::string(Trim(term.substr(value_at)));
    if (requirement.field.empty()) {
      *error = "invalid selector: '" + std::string(term) + "': a field name is required";
      return std::nullopt;
    }
    selector.requirements_.push_back(std::move(requirement));
  }
  return selector;
}

bool FieldSelector::Matches(const Fields& fields) const {
  for (const Requirement& requirement : requirements_) {
    auto it = fields.find(requirement.field);
    const bool equal = it != fields.end() && it->second == requirement.value;
    if (equal != requirement.equals) return false;
  }
  return true;
}

std::string FieldSelector::UnsupportedField(const Fields& fields) const {
  for (const Requirement& requirement : requirements_) {
    if (fields.count(requirement.field) == 0) return requirement.field;
  }
  return {};
}

std::optional<std::string> FieldSelector::RequiredValue(const std::string& field) const {
  for (const Requirement& requirement : requirements_) {
    if (requirement.field == field && requirement.equals) return requirement.value;
  }
  return std::nullopt;
}

}  // namespace fleetset::coordinator
