#include "fleetset/strings.h"

#include <algorithm>

namespace fleetset {

std::string Join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string joined;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) joined += separator;
    joined += parts[i];
  }
  return joined;
}

std::vector<std::string> SplitList(std::string_view text, char separator) {
  constexpr std::string_view kBlanks = " \t\n";
  std::vector<std::string> items;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t end = std::min(text.find(separator, start), text.size());
    std::string_view item = text.substr(start, end - start);
    start = end + 1;
    const size_t first = item.find_first_not_of(kBlanks);
    if (first == std::string_view::npos) continue;
    items.emplace_back(item.substr(first, item.find_last_not_of(kBlanks) - first + 1));
  }
  return items;
}

bool AppendCommonEscape(std::string& out, char c) {
  switch (c) {
    case '"':
      out += "\\\"";
      break;
    case '\\':
      out += "\\\\";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\r':
      out += "\\r";
      break;
    case '\t':
      out += "\\t";
      break;
    default:
      return false;
  }
  return true;
}

}  // namespace fleetset
