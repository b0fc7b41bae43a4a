#include "fleetset/taint_effect.h"

#include "validation_messages.h"

namespace fleetset {

std::string_view TaintEffectName(TaintEffect effect) {
  switch (effect) {
    case TaintEffect::kNoSchedule:
      return kTaintEffectNoSchedule;
    case TaintEffect::kPreferNoSchedule:
      return kTaintEffectPreferNoSchedule;
    case TaintEffect::kNoExecute:
      return kTaintEffectNoExecute;
  }
  return {};
}

std::optional<TaintEffect> ParseTaintEffect(std::string_view name) {
  for (TaintEffect effect :
       {TaintEffect::kNoSchedule, TaintEffect::kPreferNoSchedule, TaintEffect::kNoExecute}) {
    if (name == TaintEffectName(effect)) return effect;
  }
  return std::nullopt;
}

std::optional<FieldError> CheckTaintEffect(std::string path, std::string_view effect) {
  if (IsTaintEffect(effect)) return std::nullopt;
  return internal::UnsupportedError(std::move(path), effect, kTaintEffectNames);
}

}  // namespace fleetset
