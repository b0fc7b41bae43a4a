// Update strategy rules (Kubernetes' ValidateDaemonSetUpdateStrategy and
// ValidateRollingUpdateDaemonSet).
#include <algorithm>
#include <optional>

#include "validation_internal.h"
#include "validation_messages.h"

namespace fleetset::internal {
namespace {

constexpr char kPercentMessage[] =
    "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%' or "
    "'93%', regex used for validation is '[0-9]+%')";

std::string Show(const v1::IntOrString& value) {
  return value.has_str_val() ? Quote(value.str_val()) : std::to_string(value.int_val());
}

// The percentage of "[0-9]+%", saturated so that absurdly long digit strings
// cannot overflow; nullopt when the text is not a percentage.
std::optional<int64_t> ParsePercent(const std::string& text) {
  if (text.size() < 2 || text.back() != '%') return std::nullopt;
  int64_t value = 0;
  for (size_t i = 0; i + 1 < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    value = std::min<int64_t>(value * 10 + (text[i] - '0'), 1'000'000);
  }
  return value;
}

// Validates maxUnavailable or maxSurge; returns its value (count or
// percentage, an unset value being 0) when valid, for the zero checks.
std::optional<int64_t> ValidateIntOrPercent(const v1::IntOrString& value, const std::string& path,
                                            FieldErrors* errors) {
  if (value.has_str_val()) {
    const std::optional<int64_t> percent = ParsePercent(value.str_val());
    if (!percent) {
      errors->push_back(InvalidError(path, Show(value), kPercentMessage));
      return std::nullopt;
    }
    if (*percent > 100) {
      errors->push_back(InvalidError(path, Show(value), "must not be greater than 100%"));
      return std::nullopt;
    }
    return percent;
  }
  if (value.int_val() < 0) {
    errors->push_back(InvalidError(path, value.int_val(), kMustBeNonNegative));
    return std::nullopt;
  }
  return value.int_val();
}

void ValidateRollingUpdate(const v1::RollingUpdateDaemonSet& rolling_update,
                           const std::string& path, FieldErrors* errors) {
  const std::string unavailable_path = ChildPath(path, "maxUnavailable");
  const std::string surge_path = ChildPath(path, "maxSurge");
  const auto unavailable =
      ValidateIntOrPercent(rolling_update.max_unavailable(), unavailable_path, errors);
  const auto surge = ValidateIntOrPercent(rolling_update.max_surge(), surge_path, errors);
  // The combination only means something once both values do.
  if (!unavailable || !surge) return;
  if (*unavailable == 0 && *surge == 0) {
    // Nothing could ever be replaced: the rollout would never progress.
    errors->push_back(InvalidError(unavailable_path, Show(rolling_update.max_unavailable()),
                                   "may not be 0 when maxSurge is 0"));
  } else if (*unavailable != 0 && *surge != 0) {
    // Kubernetes' rule: a DaemonSet either surges or takes pods down.
    errors->push_back(InvalidError(surge_path, Show(rolling_update.max_surge()),
                                   "may not be set when maxUnavailable is non-zero"));
  }
}

}  // namespace

void ValidateUpdateStrategy(const v1::DaemonSetUpdateStrategy& strategy, const std::string& path,
                            FieldErrors* errors) {
  const std::string type_path = ChildPath(path, "type");
  const std::string rolling_path = ChildPath(path, "rollingUpdate");
  if (strategy.type() == "RollingUpdate") {
    if (!strategy.has_rolling_update()) {
      errors->push_back(RequiredError(rolling_path));
    } else {
      ValidateRollingUpdate(strategy.rolling_update(), rolling_path, errors);
    }
  } else if (strategy.type() == "OnDelete") {
    if (strategy.has_rolling_update()) {
      errors->push_back(
          ForbiddenError(rolling_path, "may not be specified when strategy `type` is 'OnDelete'"));
    }
  } else if (strategy.type().empty()) {
    errors->push_back(RequiredError(type_path));
  } else {
    errors->push_back(UnsupportedError(type_path, strategy.type(), {"RollingUpdate", "OnDelete"}));
  }
}

}  // namespace fleetset::internal
