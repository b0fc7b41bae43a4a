// The effects a taint can have, as Kubernetes defines them: NoSchedule keeps
// new pods off a node, PreferNoSchedule only discourages them (a DaemonSet
// ignores it), NoExecute also evicts pods already running.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "fleetset/field_error.h"

namespace fleetset {

enum class TaintEffect { kNoSchedule, kPreferNoSchedule, kNoExecute };

inline constexpr char kTaintEffectNoSchedule[] = "NoSchedule";
inline constexpr char kTaintEffectPreferNoSchedule[] = "PreferNoSchedule";
inline constexpr char kTaintEffectNoExecute[] = "NoExecute";

// Every effect's name, in the order Kubernetes lists them in its errors
// ("supported values: ...").
inline constexpr std::array<std::string_view, 3> kTaintEffectNames = {
    kTaintEffectNoExecute, kTaintEffectNoSchedule, kTaintEffectPreferNoSchedule};

std::string_view TaintEffectName(TaintEffect effect);
// nullopt for anything but the three names (case matters, as in Kubernetes).
std::optional<TaintEffect> ParseTaintEffect(std::string_view name);
inline bool IsTaintEffect(std::string_view name) { return ParseTaintEffect(name).has_value(); }
// The error for `effect` at `path` when it is not one of the three
// (an empty one included); nullopt otherwise. Every place that takes a taint
// or a toleration effect words the refusal this way.
std::optional<FieldError> CheckTaintEffect(std::string path, std::string_view effect);

}  // namespace fleetset
