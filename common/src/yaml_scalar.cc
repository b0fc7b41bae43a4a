#include "yaml_scalar.h"

#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <string_view>

namespace fleetset::internal {
namespace {

constexpr std::array<std::string_view, 8> kTrueWords = {"y",   "Y",    "yes",  "Yes",
                                                        "YES", "true", "True", "TRUE"};
constexpr std::array<std::string_view, 8> kFalseWords = {"n",  "N",     "no",    "No",
                                                         "NO", "false", "False", "FALSE"};
constexpr std::array<std::string_view, 6> kOnOffWords = {"on", "On", "ON", "off", "Off", "OFF"};
constexpr std::array<std::string_view, 9> kSpecialFloats = {
    ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF"};
constexpr std::array<std::string_view, 3> kNaNs = {".nan", ".NaN", ".NAN"};

template <size_t N>
bool OneOf(std::string_view text, const std::array<std::string_view, N>& words) {
  for (std::string_view word : words) {
    if (text == word) return true;
  }
  return false;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// A plain integer as go-yaml v2 reads one: '_' separators dropped, then Go's
// base-0 syntax (0x, 0o, 0b, leading-0 octal, decimal). Sets *negative and
// returns the magnitude; nullopt when not an integer or above 2^64-1.
std::optional<uint64_t> IntegerMagnitude(std::string_view text, bool* negative) {
  std::string digits;
  digits.reserve(text.size());
  for (char c : text) {
    if (c != '_') digits.push_back(c);
  }
  std::string_view rest = digits;
  *negative = false;
  if (!rest.empty() && (rest.front() == '+' || rest.front() == '-')) {
    *negative = rest.front() == '-';
    rest.remove_prefix(1);
  }
  int base = 10;
  if (rest.size() > 2 && rest[0] == '0') {
    const char marker = rest[1];
    if (marker == 'x' || marker == 'X') base = 16;
    if (marker == 'o' || marker == 'O') base = 8;
    if (marker == 'b' || marker == 'B') base = 2;
    if (base != 10) rest.remove_prefix(2);
  }
  if (base == 10 && rest.size() > 1 && rest[0] == '0') base = 8;
  if (rest.empty()) return std::nullopt;
  uint64_t value = 0;
  const auto [end, error] = std::from_chars(rest.data(), rest.data() + rest.size(), value, base);
  if (error != std::errc() || end != rest.data() + rest.size()) return std::nullopt;
  return value;
}

// go-yaml v2's float pattern: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
bool LooksLikeFloat(std::string_view text) {
  size_t i = 0;
  const size_t n = text.size();
  if (i < n && (text[i] == '+' || text[i] == '-')) ++i;
  size_t int_digits = 0;
  while (i < n && IsDigit(text[i])) ++i, ++int_digits;
  if (i < n && text[i] == '.') {
    ++i;
    size_t frac_digits = 0;
    while (i < n && IsDigit(text[i])) ++i, ++frac_digits;
    if (int_digits == 0 && frac_digits == 0) return false;
  } else if (int_digits == 0) {
    return false;
  }
  if (i < n && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < n && (text[i] == '+' || text[i] == '-')) ++i;
    size_t exp_digits = 0;
    while (i < n && IsDigit(text[i])) ++i, ++exp_digits;
    if (exp_digits == 0) return false;
  }
  return i == n;
}

std::optional<double> FloatValue(std::string_view text) {
  if (OneOf(text, kSpecialFloats)) {
    return text.front() == '-' ? -std::numeric_limits<double>::infinity()
                               : std::numeric_limits<double>::infinity();
  }
  if (OneOf(text, kNaNs)) return std::numeric_limits<double>::quiet_NaN();
  if (!LooksLikeFloat(text)) return std::nullopt;
  // from_chars rejects a leading '+', which the YAML pattern allows.
  if (text.front() == '+') text.remove_prefix(1);
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error == std::errc::result_out_of_range) {
    return text.front() == '-' ? -std::numeric_limits<double>::infinity()
                               : std::numeric_limits<double>::infinity();
  }
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// An integral double within [lo, hi], as the YAML -> JSON -> Go path keeps
// `1e3` usable where an integer is expected.
template <typename Int>
std::optional<Int> IntegralFloat(std::string_view text) {
  const std::optional<double> value = FloatValue(text);
  if (!value || !std::isfinite(*value) || std::trunc(*value) != *value) return std::nullopt;
  // Both bounds are powers of two (or zero), so they are exact doubles.
  const double lo = static_cast<double>(std::numeric_limits<Int>::min());
  const double hi = std::ldexp(1.0, std::numeric_limits<Int>::digits);
  if (*value < lo || *value >= hi) return std::nullopt;
  return static_cast<Int>(*value);
}

}  // namespace

ScalarKind ClassifyScalar(const YAML::Node& node) {
  if (node.IsNull()) return ScalarKind::kNull;
  const std::string& tag = node.Tag();
  if (tag == "!" || tag == "tag:yaml.org,2002:str") return ScalarKind::kString;
  const std::string& text = node.Scalar();
  if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL") {
    return ScalarKind::kNull;
  }
  if (OneOf(text, kTrueWords) || OneOf(text, kFalseWords) || OneOf(text, kOnOffWords)) {
    return ScalarKind::kBool;
  }
  bool negative = false;
  if (IntegerMagnitude(text, &negative)) return ScalarKind::kInt;
  if (FloatValue(text)) return ScalarKind::kFloat;
  return ScalarKind::kString;
}

const char* ScalarKindName(ScalarKind kind) {
  switch (kind) {
    case ScalarKind::kNull:
      return "null";
    case ScalarKind::kBool:
      return "boolean";
    case ScalarKind::kInt:
    case ScalarKind::kFloat:
      return "number";
    case ScalarKind::kString:
      return "string";
  }
  return "string";
}

bool ParseYamlBool(const std::string& text) {
  return OneOf(text, kTrueWords) || text == "on" || text == "On" || text == "ON";
}

std::optional<int64_t> ParseYamlInteger(const std::string& text) {
  bool negative = false;
  if (const std::optional<uint64_t> magnitude = IntegerMagnitude(text, &negative)) {
    constexpr uint64_t kMaxPositive = std::numeric_limits<int64_t>::max();
    if (!negative) {
      if (*magnitude > kMaxPositive) return std::nullopt;
      return static_cast<int64_t>(*magnitude);
    }
    if (*magnitude > kMaxPositive + 1) return std::nullopt;
    // Negating in unsigned arithmetic avoids overflow for INT64_MIN.
    return static_cast<int64_t>(0 - *magnitude);
  }
  return IntegralFloat<int64_t>(text);
}

std::optional<uint64_t> ParseYamlUnsigned(const std::string& text) {
  bool negative = false;
  if (const std::optional<uint64_t> magnitude = IntegerMagnitude(text, &negative)) {
    if (negative && *magnitude != 0) return std::nullopt;
    return *magnitude;
  }
  return IntegralFloat<uint64_t>(text);
}

std::optional<double> ParseYamlFloat(const std::string& text) {
  bool negative = false;
  if (const std::optional<uint64_t> magnitude = IntegerMagnitude(text, &negative)) {
    const double value = static_cast<double>(*magnitude);
    return negative ? -value : value;
  }
  return FloatValue(text);
}

}  // namespace fleetset::internal
