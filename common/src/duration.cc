#include "fleetset/duration.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <utility>
#include <vector>

namespace fleetset {

std::optional<std::chrono::milliseconds> ParseDuration(std::string_view text,
                                                       std::chrono::milliseconds longest) {
  using std::chrono::milliseconds;
  static const std::vector<std::pair<std::string_view, milliseconds>> kUnits = {
      // "ms" before "m", so that 500ms is not read as 500 minutes and an "s".
      {"ms", milliseconds(1)},
      {"h", std::chrono::hours(1)},
      {"m", std::chrono::minutes(1)},
      {"s", std::chrono::seconds(1)},
  };
  milliseconds total{0};
  size_t at = 0;
  if (text.empty()) return std::nullopt;
  while (at < text.size()) {
    int64_t number = 0;
    const auto [end, error] = std::from_chars(text.data() + at, text.data() + text.size(), number);
    // Nine digits keep number * unit far from overflow before the range check.
    const size_t digits = static_cast<size_t>(end - (text.data() + at));
    if (error != std::errc() || digits > 9 || text[at] == '-') return std::nullopt;
    at += digits;
    const auto unit = std::find_if(kUnits.begin(), kUnits.end(), [&](const auto& candidate) {
      return text.substr(at).starts_with(candidate.first);
    });
    if (unit == kUnits.end()) return std::nullopt;
    at += unit->first.size();
    total += number * unit->second;
    if (total > longest) return std::nullopt;
  }
  return total;
}

std::string FormatDuration(std::chrono::milliseconds duration) {
  if (duration.count() == 0) return "0s";
  const std::vector<std::pair<const char*, std::chrono::milliseconds>> kUnits = {
      {"h", std::chrono::hours(1)},
      {"m", std::chrono::minutes(1)},
      {"s", std::chrono::seconds(1)},
      {"ms", std::chrono::milliseconds(1)},
  };
  std::string out;
  for (const auto& [suffix, unit] : kUnits) {
    if (duration >= unit) {
      out += std::to_string(duration / unit) + suffix;
      duration %= unit;
    }
  }
  return out;
}

}  // namespace fleetset
