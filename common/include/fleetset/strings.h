// Small string helpers the programs share.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace fleetset {

// "a, b, c" for Join({"a", "b", "c"}, ", ").
std::string Join(const std::vector<std::string>& parts, std::string_view separator);

}  // namespace fleetset
