// Taints and tolerations: Kubernetes' Toleration.ToleratesTaint, kubectl's
// taint syntax, and the tolerations the DaemonSet controller adds to every
// daemon pod (pkg/controller/daemon/util).
#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fleetset/names.h"
#include "fleetset/scheduling.h"
#include "fleetset/taint_effect.h"

namespace fleetset {
namespace {

constexpr char kOpEqual[] = "Equal";
constexpr char kOpExists[] = "Exists";

struct DefaultToleration {
  const char* key;
  const char* effect;
};
// NoExecute ones keep the daemon running through node trouble (the node
// controller would otherwise evict it); NoSchedule ones let it land on
// nodes under pressure or cordoned.
constexpr std::array<DefaultToleration, 6> kDaemonSetTolerations = {{
    {"node.kubernetes.io/not-ready", kTaintEffectNoExecute},
    {"node.kubernetes.io/unreachable", kTaintEffectNoExecute},
    {"node.kubernetes.io/disk-pressure", kTaintEffectNoSchedule},
    {"node.kubernetes.io/memory-pressure", kTaintEffectNoSchedule},
    {"node.kubernetes.io/pid-pressure", kTaintEffectNoSchedule},
    {"node.kubernetes.io/unschedulable", kTaintEffectNoSchedule},
}};
// A host-network pod does not need the pod network, so it may start first.
constexpr DefaultToleration kHostNetworkToleration = {"node.kubernetes.io/network-unavailable",
                                                      kTaintEffectNoSchedule};

std::string JoinProblems(const std::vector<std::string>& problems) {
  std::string out;
  for (const std::string& problem : problems) out += (out.empty() ? "" : "; ") + problem;
  return out;
}

// Kubernetes' MatchToleration: the identity used to replace rather than
// duplicate a toleration.
bool SameToleration(const v1::Toleration& a, const v1::Toleration& b) {
  return a.key() == b.key() && a.operator_() == b.operator_() && a.value() == b.value() &&
         a.effect() == b.effect();
}

// The first equivalent toleration takes the default's place; later
// equivalents would only be duplicates of it.
void AddOrReplaceToleration(v1::PodSpec* spec, const v1::Toleration& toleration) {
  auto* tolerations = spec->mutable_tolerations();
  bool replaced = false;
  for (int i = 0; i < tolerations->size();) {
    if (!SameToleration(tolerations->Get(i), toleration)) {
      ++i;
    } else if (!replaced) {
      *tolerations->Mutable(i++) = toleration;
      replaced = true;
    } else {
      tolerations->DeleteSubrange(i, 1);
    }
  }
  if (!replaced) *spec->add_tolerations() = toleration;
}

void AddDefault(v1::PodSpec* spec, const DefaultToleration& entry) {
  v1::Toleration toleration;
  toleration.set_key(entry.key);
  toleration.set_operator_(kOpExists);
  toleration.set_effect(entry.effect);
  AddOrReplaceToleration(spec, toleration);
}

}  // namespace

bool ToleratesTaint(const v1::Toleration& toleration, const v1::Taint& taint) {
  if (!toleration.effect().empty() && toleration.effect() != taint.effect()) return false;
  if (!toleration.key().empty() && toleration.key() != taint.key()) return false;
  const std::string& op = toleration.operator_();
  if (op == kOpExists) return true;
  if (op.empty() || op == kOpEqual) return toleration.value() == taint.value();
  return false;
}

const v1::Toleration* FindToleration(const v1::Taint& taint,
                                     const std::vector<v1::Toleration>& tolerations) {
  const auto it = std::find_if(tolerations.begin(), tolerations.end(),
                               [&](const v1::Toleration& t) { return ToleratesTaint(t, taint); });
  return it == tolerations.end() ? nullptr : &*it;
}

bool TaintToleratedBy(const v1::Taint& taint, const std::vector<v1::Toleration>& tolerations) {
  return FindToleration(taint, tolerations) != nullptr;
}

std::string FormatTaint(const v1::Taint& taint) {
  if (taint.value().empty()) return taint.key() + ":" + taint.effect();
  return taint.key() + "=" + taint.value() + ":" + taint.effect();
}

std::optional<v1::Taint> ParseTaint(std::string_view text, std::string* error) {
  const std::string prefix = "invalid taint \"" + std::string(text) + "\": ";
  const auto fail = [&](const std::string& why) -> std::optional<v1::Taint> {
    if (error != nullptr) *error = prefix + why;
    return std::nullopt;
  };
  const size_t colon = text.find(':');
  if (colon == std::string_view::npos) return fail("missing effect (expected key[=value]:effect)");
  if (text.find(':', colon + 1) != std::string_view::npos) {
    return fail("more than one ':' (expected key[=value]:effect)");
  }
  const std::string_view key_value = text.substr(0, colon);
  const std::string_view effect = text.substr(colon + 1);
  const size_t equals = key_value.find('=');
  if (equals != std::string_view::npos &&
      key_value.find('=', equals + 1) != std::string_view::npos) {
    return fail("more than one '=' (expected key[=value]:effect)");
  }
  const std::string key(key_value.substr(0, equals));
  const std::string value(equals == std::string_view::npos ? "" : key_value.substr(equals + 1));
  if (auto problems = CheckQualifiedName(key); !problems.empty()) {
    return fail("key \"" + key + "\": " + JoinProblems(problems));
  }
  if (auto problems = CheckLabelValue(value); !problems.empty()) {
    return fail("value \"" + value + "\": " + JoinProblems(problems));
  }
  if (!IsTaintEffect(effect)) {
    return fail("effect \"" + std::string(effect) +
                "\" is not one of NoSchedule, PreferNoSchedule, NoExecute");
  }
  v1::Taint taint;
  taint.set_key(key);
  taint.set_value(value);
  taint.set_effect(std::string(effect));
  return taint;
}

void AddDaemonSetDefaultTolerations(v1::PodSpec* spec) {
  for (const DefaultToleration& entry : kDaemonSetTolerations) AddDefault(spec, entry);
  if (spec->host_network()) AddDefault(spec, kHostNetworkToleration);
}

}  // namespace fleetset
