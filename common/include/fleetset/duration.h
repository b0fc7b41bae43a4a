// Durations as Kubernetes' tools write them (Go's syntax, integers only):
// one or more <number><unit> with unit ms, s, m or h, e.g. "500ms", "5s",
// "1m30s". Used by the agent's and coordinator's settings and by
// fleetsetctl's --timeout flags.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace fleetset {

// nullopt when malformed or above 24h; "0s" is 0 (callers that need a
// positive duration check it themselves).
std::optional<std::chrono::milliseconds> ParseDuration(std::string_view text);

// The shortest text ParseDuration reads back, e.g. "1m30s", "500ms", "0s".
std::string FormatDuration(std::chrono::milliseconds duration);

}  // namespace fleetset
