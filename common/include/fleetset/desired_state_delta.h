// Deltas between two desired states of one node. The coordinator sends a
// delta instead of a whole snapshot when the agent holds the state the delta
// starts from; the agent rebuilds the full state from it.
#pragma once

#include <optional>

#include "fleetset/v1/agent_service.pb.h"

namespace fleetset {

// The delta that turns `from` into `to`: DaemonSets, ConfigMaps and
// Secrets (each by namespace/name) that are new or differ in any field are
// upserts, those gone are deletes, and the node record is always carried
// whole. version/base_version are
// to.version/from.version.
v1::DesiredStateDelta MakeDesiredStateDelta(const v1::DesiredState& from,
                                            const v1::DesiredState& to);

// `base` with `delta` applied, in the order of `base` with new entries
// appended; nullopt when delta.base_version != base.version (the agent then
// reconnects to get a snapshot).
std::optional<v1::DesiredState> ApplyDesiredStateDelta(const v1::DesiredState& base,
                                                       const v1::DesiredStateDelta& delta);

}  // namespace fleetset
