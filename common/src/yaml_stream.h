// Splitting a YAML stream into documents with yaml-cpp, safely.
#pragma once

#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace fleetset::internal {

// YAML::LoadAll, except that it cannot hang: yaml-cpp 0.7's LoadAll loops
// forever (allocating a null document per turn) on a token it cannot place,
// such as a stray ',' at block level (upstream issue #1040, fixed after
// 0.8). Throws YAML::ParserException for that input, like any syntax error.
std::vector<YAML::Node> LoadYamlDocuments(const std::string& text);

}  // namespace fleetset::internal
