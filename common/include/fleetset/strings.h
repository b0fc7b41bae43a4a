// Small string helpers the programs share.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace fleetset {

// "a, b, c" for Join({"a", "b", "c"}, ", ").
std::string Join(const std::vector<std::string>& parts, std::string_view separator);

// The items of a list such as "a, b,,c" ({"a", "b", "c"}): split at
// `separator`, blanks around each item dropped, empty items left out.
std::vector<std::string> SplitList(std::string_view text, char separator = ',');

// Appends the escape Go's quoting and JSON share for c (\" \\ \n \r \t) and
// returns true; returns false, appending nothing, for any other character.
bool AppendCommonEscape(std::string& out, char c);

}  // namespace fleetset
