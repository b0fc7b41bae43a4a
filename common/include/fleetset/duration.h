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

// The longest lifetime of a token or a certificate ("8760h" is a year).
inline constexpr std::chrono::hours kLongestTtl{24 * 365 * 10};

// nullopt when malformed or above `longest` (24h unless said: a timeout or
// a period); "0s" is 0 (callers that need a positive duration check it
// themselves).
std::optional<std::chrono::milliseconds> ParseDuration(
    std::string_view text, std::chrono::milliseconds longest = std::chrono::hours(24));

// The shortest text ParseDuration reads back, e.g. "1m30s", "500ms", "0s".
std::string FormatDuration(std::chrono::milliseconds duration);

}  // namespace fleetset
