// Container resources (Kubernetes' ValidateResourceRequirements for the
// resources the agent can enforce through cgroups).
#include <map>
#include <optional>

#include "fleetset/quantity.h"
#include "validation_internal.h"
#include "validation_messages.h"

namespace fleetset::internal {
namespace {

constexpr char kHugePagesPrefix[] = "hugepages-";

bool IsHugePages(const std::string& name) { return name.starts_with(kHugePagesPrefix); }

// cpu, memory, ephemeral-storage and hugepages-<page size>. Extended
// resources (vendor.com/gpu) are refused: no device plugin would provide them.
bool IsSupportedResourceName(const std::string& name) {
  if (name == "cpu" || name == "memory" || name == "ephemeral-storage") return true;
  if (!IsHugePages(name)) return false;
  const auto page_size =
      Quantity::Parse(std::string_view(name).substr(sizeof(kHugePagesPrefix) - 1));
  return page_size && !page_size->IsNegative() && !page_size->IsZero();
}

// Checks one entry of limits or requests; returns the quantity when valid.
std::optional<Quantity> ValidateEntry(const std::string& name, const std::string& value,
                                      const std::string& path, FieldErrors* errors) {
  if (!IsSupportedResourceName(name)) {
    errors->push_back(
        InvalidError(path, Quote(name), "must be a standard resource for containers"));
  }
  return ValidateQuantity(value, QuantityMinimum::kZero, path, errors);
}

}  // namespace

std::optional<Quantity> ValidateQuantity(const std::string& value, QuantityMinimum minimum,
                                         const std::string& path, FieldErrors* errors) {
  std::string problem;
  std::optional<Quantity> quantity = Quantity::Parse(value, &problem);
  if (!quantity) {
    errors->push_back(InvalidError(path, Quote(value), problem));
  } else if (quantity->IsNegative()) {
    errors->push_back(InvalidError(
        path, Quote(value),
        minimum == QuantityMinimum::kZero ? kMustBeNonNegative : "must be greater than 0"));
    quantity.reset();
  } else if (minimum == QuantityMinimum::kAboveZero && quantity->IsZero()) {
    errors->push_back(InvalidError(path, Quote(value), "must be greater than 0"));
    quantity.reset();
  }
  return quantity;
}

void ValidateResources(const v1::ResourceRequirements& resources, const std::string& path,
                       FieldErrors* errors) {
  const std::string limits_path = ChildPath(path, "limits");
  const std::string requests_path = ChildPath(path, "requests");
  bool has_cpu_or_memory = false;
  bool has_huge_pages = false;
  auto note = [&](const std::string& name) {
    has_cpu_or_memory = has_cpu_or_memory || name == "cpu" || name == "memory";
    has_huge_pages = has_huge_pages || IsHugePages(name);
  };

  // Ordered maps, so that messages come out in the same order every time.
  const std::map<std::string, std::string> limits(resources.limits().begin(),
                                                  resources.limits().end());
  const std::map<std::string, std::string> requests(resources.requests().begin(),
                                                    resources.requests().end());
  std::map<std::string, Quantity> valid_limits;
  for (const auto& [name, value] : limits) {
    note(name);
    if (auto quantity = ValidateEntry(name, value, KeyPath(limits_path, name), errors)) {
      valid_limits.emplace(name, *quantity);
    }
  }
  for (const auto& [name, value] : requests) {
    note(name);
    const std::string entry_path = KeyPath(requests_path, name);
    const auto request = ValidateEntry(name, value, entry_path, errors);
    const auto limit = valid_limits.find(name);
    if (IsHugePages(name)) {
      // Huge pages cannot be overcommitted: the request is the limit.
      if (!limits.contains(name)) {
        errors->push_back(
            RequiredError(limits_path, "Limit must be set for non overcommitable resources"));
      } else if (request && limit != valid_limits.end() && *request != limit->second) {
        errors->push_back(InvalidError(
            entry_path, Quote(value), "must be equal to " + name + " limit of " + limits.at(name)));
      }
    } else if (request && limit != valid_limits.end() && *request > limit->second) {
      errors->push_back(
          InvalidError(entry_path, Quote(value),
                       "must be less than or equal to " + name + " limit of " + limits.at(name)));
    }
  }
  if (has_huge_pages && !has_cpu_or_memory) {
    errors->push_back(ForbiddenError(path, "HugePages require cpu or memory"));
  }
}

}  // namespace fleetset::internal
