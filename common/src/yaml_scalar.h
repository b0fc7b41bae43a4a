// How Kubernetes reads a YAML scalar. kubectl converts YAML to JSON with a
// YAML 1.1 resolver (go-yaml v2), so a plain `version: 1` is a number and a
// plain `enabled: yes` is a boolean, while any quoted scalar is a string.
// The decoder needs the same answer to reject what Kubernetes rejects.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <yaml-cpp/yaml.h>

namespace fleetset::internal {

enum class ScalarKind { kNull, kBool, kInt, kFloat, kString };

// What a scalar node means as JSON. Quoted and block scalars, and scalars
// tagged !!str, are strings; plain scalars are resolved like go-yaml v2.
ScalarKind ClassifyScalar(const YAML::Node& node);

// The JSON type name used in messages: "string", "number", "boolean", "null".
const char* ScalarKindName(ScalarKind kind);

// Value of a plain YAML 1.1 boolean ("true", "yes", "on", ...).
bool ParseYamlBool(const std::string& text);

// Integer value of a plain number: decimal, 0x, 0o, leading-0 octal and 0b
// forms with '_' separators, or a float with an integral value (`1e3`), as
// the YAML -> JSON -> Go int path accepts. nullopt when not integral or
// outside int64.
std::optional<int64_t> ParseYamlInteger(const std::string& text);
std::optional<uint64_t> ParseYamlUnsigned(const std::string& text);
std::optional<double> ParseYamlFloat(const std::string& text);

}  // namespace fleetset::internal
