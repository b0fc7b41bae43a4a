// Resource quantities exactly as Kubernetes parses them
// (k8s.io/apimachinery/pkg/api/resource): "100m", "0.5", "200Mi", "1Gi",
// "129e6", "1k", "+1", "1E", "12e-3". Values are exact decimals, never floats.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace fleetset {

class Quantity {
 public:
  // Returns nullopt and sets *error (when given) to Kubernetes' message
  // ("quantities must match the regular expression
  // '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'") on bad input.
  static std::optional<Quantity> Parse(std::string_view text, std::string* error = nullptr);

  // Value rounded up to an integer (Kubernetes' Quantity.Value()).
  int64_t Value() const;
  // Value in thousandths rounded up (Kubernetes' Quantity.MilliValue()).
  int64_t MilliValue() const;
  bool IsNegative() const;
  bool IsZero() const;
  // Canonical string as Kubernetes prints it ("1500m" -> "1500m",
  // "1.5" -> "1500m", "1024Mi" -> "1Gi", "1000k" -> "1M").
  std::string ToString() const;

  std::strong_ordering operator<=>(const Quantity& other) const;
  bool operator==(const Quantity& other) const;

  // The notation the quantity was written in ("1Gi" binary, "1G" decimal,
  // "1e9" exponent); ToString answers in the same notation, as Kubernetes does.
  enum class Format { kDecimalSI, kBinarySI, kDecimalExponent };
  Format format() const { return format_; }

 private:
  Quantity() = default;
  // Rounds away from zero to an integer number of 10^-target_scale units,
  // saturating at the int64 range.
  int64_t ScaledValue(int target_scale) const;

  // |value| = digits_ * 10^-scale_ exactly. digits_ has no leading or
  // trailing zeros ("0" for zero), so equal values have equal members and
  // huge exponents ("1e900") cost no memory. scale_ <= 9: Kubernetes rounds
  // anything finer than a nano-unit up to one.
  std::string digits_ = "0";
  int64_t scale_ = 0;
  bool negative_ = false;
  Format format_ = Format::kDecimalSI;
};

}  // namespace fleetset
