// Resource quantities with Kubernetes' grammar, rounding and canonical
// form (k8s.io/apimachinery/pkg/api/resource). Values are kept as exact
// decimal digit strings; only binary suffixes need big-integer arithmetic.
#include "fleetset/quantity.h"

#include <array>
#include <charconv>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include <boost/multiprecision/cpp_int.hpp>

namespace fleetset {
namespace {

using boost::multiprecision::cpp_int;

constexpr char kFormatError[] =
    "quantities must match the regular expression "
    "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
constexpr char kSuffixError[] = "unable to parse quantity's suffix";
constexpr std::string_view kSuffixLetters = "eEinumkKMGTP";
// Kubernetes rounds every non-zero value up to at least one nano-unit.
constexpr int64_t kNanoScale = 9;
// Kubernetes caps binary quantities at the largest int64.
constexpr char kMaxInt64Digits[] = "9223372036854775807";
// An int64 magnitude has at most this many decimal digits.
constexpr int64_t kMaxInt64DigitCount = 19;

struct SuffixEntry {
  std::string_view text;
  int exponent;
};
// Powers of ten; also the table ToString prints from.
constexpr std::array<SuffixEntry, 10> kDecimalSuffixes = {{{"n", -9},
                                                           {"u", -6},
                                                           {"m", -3},
                                                           {"", 0},
                                                           {"k", 3},
                                                           {"M", 6},
                                                           {"G", 9},
                                                           {"T", 12},
                                                           {"P", 15},
                                                           {"E", 18}}};
// Index i is 1024^i.
constexpr std::array<std::string_view, 7> kBinarySuffixes = {"",   "Ki", "Mi", "Gi",
                                                             "Ti", "Pi", "Ei"};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

struct Suffix {
  int base;  // 10 or 2
  int64_t exponent;
  Quantity::Format format;
};

// "e<int>" exponents, as Kubernetes' strconv.ParseInt accepts them. Limited
// to the int32 range (Kubernetes silently truncates larger ones).
std::optional<int64_t> ParseExponent(std::string_view text) {
  bool negative = false;
  if (!text.empty() && (text.front() == '+' || text.front() == '-')) {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
  if (text.empty()) return std::nullopt;
  int64_t value = 0;
  for (char c : text) {
    if (!IsDigit(c)) return std::nullopt;
    value = value * 10 + (c - '0');
    if (value > std::numeric_limits<int32_t>::max()) return std::nullopt;
  }
  return negative ? -value : value;
}

std::optional<Suffix> InterpretSuffix(std::string_view text) {
  for (const SuffixEntry& entry : kDecimalSuffixes) {
    if (entry.text == text) return Suffix{10, entry.exponent, Quantity::Format::kDecimalSI};
  }
  for (size_t i = 1; i < kBinarySuffixes.size(); ++i) {
    if (kBinarySuffixes[i] == text) {
      return Suffix{2, static_cast<int64_t>(10 * i), Quantity::Format::kBinarySI};
    }
  }
  if (text.size() > 1 && (text.front() == 'e' || text.front() == 'E')) {
    if (auto exponent = ParseExponent(text.substr(1))) {
      return Suffix{10, *exponent, Quantity::Format::kDecimalExponent};
    }
  }
  return std::nullopt;
}

// Brings (digits, scale) to the unique form the class keeps: no leading
// zeros, no trailing zeros (folded into the scale), zero as ("0", 0).
void Normalise(std::string* digits, int64_t* scale) {
  const size_t first = digits->find_first_not_of('0');
  if (first == std::string::npos) {
    *digits = "0";
    *scale = 0;
    return;
  }
  const size_t last = digits->find_last_not_of('0');
  *scale -= static_cast<int64_t>(digits->size() - 1 - last);
  *digits = digits->substr(first, last - first + 1);
}

// The power of ten of the leading digit: the value lies in [10^p, 10^(p+1)).
int64_t LeadingPower(const std::string& digits, int64_t scale) {
  return static_cast<int64_t>(digits.size()) - 1 - scale;
}

// Compares two normalised magnitudes without materialising their zeros.
int CompareMagnitude(const std::string& a, int64_t a_scale, const std::string& b, int64_t b_scale) {
  const bool a_zero = a == "0";
  const bool b_zero = b == "0";
  if (a_zero || b_zero) return static_cast<int>(!a_zero) - static_cast<int>(!b_zero);
  const int64_t a_power = LeadingPower(a, a_scale);
  const int64_t b_power = LeadingPower(b, b_scale);
  if (a_power != b_power) return a_power < b_power ? -1 : 1;
  // Same leading power: the digits line up, shorter strings padded with zeros.
  for (size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
    const char da = i < a.size() ? a[i] : '0';
    const char db = i < b.size() ? b[i] : '0';
    if (da != db) return da < db ? -1 : 1;
  }
  return 0;
}

std::string Increment(std::string digits) {
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    if (*it != '9') {
      ++*it;
      return digits;
    }
    *it = '0';
  }
  return "1" + digits;
}

// Kubernetes rounds away from zero to whole nano-units, so that a request
// for "some" resource never becomes zero.
void RoundUpToNano(std::string* digits, int64_t* scale) {
  if (*scale <= kNanoScale) return;
  if (LeadingPower(*digits, *scale) < -kNanoScale) {
    *digits = "1";
  } else {
    const size_t keep = digits->size() - static_cast<size_t>(*scale - kNanoScale);
    const bool dropped_nonzero = digits->find_first_not_of('0', keep) != std::string::npos;
    digits->resize(keep);
    if (dropped_nonzero) *digits = Increment(*digits);
  }
  *scale = kNanoScale;
  Normalise(digits, scale);
}

std::string_view DecimalSuffixFor(int64_t exponent) {
  for (const SuffixEntry& entry : kDecimalSuffixes) {
    if (entry.exponent == exponent) return entry.text;
  }
  return "";  // unreachable: callers keep exponent in [-9, 18] and a multiple of 3
}

}  // namespace

std::optional<Quantity> Quantity::Parse(std::string_view text, std::string* error) {
  const auto fail = [error](const char* message) -> std::optional<Quantity> {
    if (error != nullptr) *error = message;
    return std::nullopt;
  };
  size_t pos = 0;
  const auto skip_digits = [&] {
    while (pos < text.size() && IsDigit(text[pos])) ++pos;
  };
  bool negative = false;
  if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    negative = text[pos] == '-';
    ++pos;
  }
  const size_t integer_begin = pos;
  skip_digits();
  const std::string_view integer = text.substr(integer_begin, pos - integer_begin);
  std::string_view fraction;
  if (pos < text.size() && text[pos] == '.') {
    const size_t fraction_begin = ++pos;
    skip_digits();
    fraction = text.substr(fraction_begin, pos - fraction_begin);
  }
  // Stricter than Kubernetes' hand-written scanner (which reads "Mi" or "e3"
  // as zero): the number needs a digit, as its documented regexp says.
  if (integer.empty() && fraction.empty()) return fail(kFormatError);
  const size_t suffix_begin = pos;
  while (pos < text.size() && kSuffixLetters.find(text[pos]) != std::string_view::npos) ++pos;
  if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) ++pos;
  skip_digits();
  if (pos != text.size()) return fail(kFormatError);
  const std::optional<Suffix> suffix = InterpretSuffix(text.substr(suffix_begin));
  if (!suffix) return fail(kSuffixError);

  Quantity quantity;
  quantity.format_ = suffix->format;
  std::string digits = std::string(integer) + std::string(fraction);
  int64_t scale = static_cast<int64_t>(fraction.size());
  if (suffix->base == 10) {
    scale -= suffix->exponent;
  } else {
    // cpp_int reads a leading 0 as an octal prefix ("08Mi" would throw):
    // hand it the digits without leading zeros.
    const size_t first = digits.find_first_not_of('0');
    cpp_int value(first == std::string::npos ? "0" : digits.c_str() + first);
    value <<= static_cast<unsigned>(suffix->exponent);
    digits = value.str();
  }
  Normalise(&digits, &scale);
  RoundUpToNano(&digits, &scale);
  if (quantity.format_ == Format::kBinarySI &&
      CompareMagnitude(digits, scale, kMaxInt64Digits, 0) > 0) {
    digits = kMaxInt64Digits;
    scale = 0;
  }
  quantity.digits_ = std::move(digits);
  quantity.scale_ = scale;
  quantity.negative_ = negative && quantity.digits_ != "0";
  return quantity;
}

int64_t Quantity::ScaledValue(int target_scale) const {
  if (IsZero()) return 0;
  const int64_t max = std::numeric_limits<int64_t>::max();
  const int64_t saturated = negative_ ? std::numeric_limits<int64_t>::min() : max;
  // The wanted number is digits_ * 10^shift.
  const int64_t shift = target_scale - scale_;
  const int64_t length = static_cast<int64_t>(digits_.size());
  if (length + shift > kMaxInt64DigitCount) return saturated;
  std::string integer;
  bool round_up = false;
  if (shift >= 0) {
    integer = digits_ + std::string(static_cast<size_t>(shift), '0');
  } else if (-shift >= length) {
    round_up = true;  // a non-zero fraction below one unit
  } else {
    integer = digits_.substr(0, static_cast<size_t>(length + shift));
    round_up = digits_.find_first_not_of('0', integer.size()) != std::string::npos;
  }
  // At most 19 digits, plus one: fits uint64.
  uint64_t magnitude = 0;
  std::from_chars(integer.data(), integer.data() + integer.size(), magnitude);
  if (round_up) ++magnitude;
  if (magnitude > static_cast<uint64_t>(max)) return saturated;
  const auto value = static_cast<int64_t>(magnitude);
  return negative_ ? -value : value;
}

int64_t Quantity::Value() const { return ScaledValue(0); }

int64_t Quantity::MilliValue() const { return ScaledValue(3); }

bool Quantity::IsNegative() const { return negative_; }

bool Quantity::IsZero() const { return digits_ == "0"; }

std::string Quantity::ToString() const {
  if (IsZero()) return "0";
  const std::string sign = negative_ ? "-" : "";
  // Binary notation only when it is exact and at least 1Ki; Kubernetes
  // prints "512" rather than "0.5Ki" and "1536m" rather than a rounded Ki.
  if (format_ == Format::kBinarySI && scale_ <= 0 &&
      CompareMagnitude(digits_, scale_, "1024", 0) >= 0) {
    // Binary values are capped at int64, so this stays small.
    cpp_int value((digits_ + std::string(static_cast<size_t>(-scale_), '0')).c_str());
    size_t power = 0;
    while (power + 1 < kBinarySuffixes.size() && value % 1024 == 0) {
      value /= 1024;
      ++power;
    }
    return sign + value.str() + std::string(kBinarySuffixes[power]);
  }
  // Decimal: the largest exponent that is a multiple of three and keeps
  // the mantissa an integer.
  std::string mantissa = digits_;
  int64_t exponent = -scale_;
  const int64_t excess = ((exponent % 3) + 3) % 3;
  mantissa.append(static_cast<size_t>(excess), '0');
  exponent -= excess;
  if (format_ == Format::kDecimalExponent) {
    return sign + mantissa + (exponent == 0 ? "" : "e" + std::to_string(exponent));
  }
  // Beyond E there is no suffix; Kubernetes would print a wrong number here,
  // we stay exact by growing the mantissa ("1000E").
  if (exponent > 18) {
    mantissa.append(static_cast<size_t>(exponent - 18), '0');
    exponent = 18;
  }
  return sign + mantissa + std::string(DecimalSuffixFor(exponent));
}

std::strong_ordering Quantity::operator<=>(const Quantity& other) const {
  if (negative_ != other.negative_) {
    return negative_ ? std::strong_ordering::less : std::strong_ordering::greater;
  }
  int magnitude = CompareMagnitude(digits_, scale_, other.digits_, other.scale_);
  if (negative_) magnitude = -magnitude;
  return magnitude <=> 0;
}

bool Quantity::operator==(const Quantity& other) const {
  return (*this <=> other) == std::strong_ordering::equal;
}

}  // namespace fleetset
