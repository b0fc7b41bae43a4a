// The change arguments of `label` and `taint` (`k=v`, `k-`,
// `k=v:NoSchedule`, `k:NoExecute-`), parsed and rejected exactly as kubectl
// does, before anything is sent.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "fleetset/v1/node.pb.h"

namespace fleetset::ctl {

struct SplitArgs {
  std::vector<std::string> resources;
  std::vector<std::string> changes;
};

// Separates resource arguments from change arguments; every resource must
// come first ("all resources must be specified before label changes: x").
// `what` is "label" or "taint". A taint change contains '=' or ':' or ends
// in '-'; a label change contains '=' or ends in '-'.
std::optional<SplitArgs> SplitResourcesAndChanges(const std::vector<std::string>& args,
                                                  const std::string& what, std::string* error);

struct LabelChanges {
  std::map<std::string, std::string> set;
  std::vector<std::string> remove;
};

// kubectl's parseLabels: `k=v` sets, `k-` removes; errors "invalid label
// spec: a=b=c", "invalid label value: \"k=v!\": ...", "unknown label spec:
// x", "can not both modify and remove a label in the same command", and
// "at least one label update is required".
std::optional<LabelChanges> ParseLabelChanges(const std::vector<std::string>& changes,
                                              std::string* error);

struct TaintChanges {
  std::vector<v1::Taint> add;
  // Key, and effect when one was given (`k:NoSchedule-`).
  std::vector<v1::Taint> remove;
};

// kubectl's parseTaints: `k=v:Effect` and `k:Effect` add; `k-`,
// `k:Effect-` and `k=v:Effect-` remove. Errors as kubectl's: "invalid taint
// spec: x", "invalid taint effect: Sometimes, unsupported taint effect",
// "duplicated taints with the same key and effect: ...", "at least one taint
// update is required".
std::optional<TaintChanges> ParseTaintChanges(const std::vector<std::string>& changes,
                                              std::string* error);

}  // namespace fleetset::ctl
