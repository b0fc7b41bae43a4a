#include "fleetset/desired_state_delta.h"

#include <google/protobuf/util/message_differencer.h>

#include <map>
#include <set>
#include <string>

#include "fleetset/pod_owner.h"

namespace fleetset {
namespace {

// DaemonSets are identified by namespace/name, the form `deletes` carries.
std::string Key(const v1::DesiredDaemonSet& daemon_set) {
  return DaemonSetReference(daemon_set.metadata());
}

}  // namespace

v1::DesiredStateDelta MakeDesiredStateDelta(const v1::DesiredState& from,
                                            const v1::DesiredState& to) {
  v1::DesiredStateDelta delta;
  delta.set_version(to.version());
  delta.set_base_version(from.version());
  if (to.has_node()) *delta.mutable_node() = to.node();

  std::map<std::string, const v1::DesiredDaemonSet*> before;
  for (const v1::DesiredDaemonSet& daemon_set : from.daemon_sets()) {
    before[Key(daemon_set)] = &daemon_set;
  }
  std::set<std::string> kept;
  for (const v1::DesiredDaemonSet& daemon_set : to.daemon_sets()) {
    const std::string key = Key(daemon_set);
    kept.insert(key);
    const auto it = before.find(key);
    if (it == before.end() ||
        !google::protobuf::util::MessageDifferencer::Equals(*it->second, daemon_set)) {
      *delta.add_upserts() = daemon_set;
    }
  }
  for (const auto& [key, daemon_set] : before) {
    if (kept.count(key) == 0) delta.add_deletes(key);
  }
  return delta;
}

std::optional<v1::DesiredState> ApplyDesiredStateDelta(const v1::DesiredState& base,
                                                       const v1::DesiredStateDelta& delta) {
  if (delta.base_version() != base.version()) return std::nullopt;
  v1::DesiredState state;
  state.set_version(delta.version());
  // The node record travels whole: a delta without one means the node has
  // no record at the coordinator, so the agent's own facts apply again.
  if (delta.has_node()) *state.mutable_node() = delta.node();

  const std::set<std::string> deleted(delta.deletes().begin(), delta.deletes().end());
  std::map<std::string, const v1::DesiredDaemonSet*> upserts;
  for (const v1::DesiredDaemonSet& daemon_set : delta.upserts()) {
    upserts[Key(daemon_set)] = &daemon_set;
  }
  // Existing entries keep their place (replaced when upserted), so the
  // rebuilt state lists DaemonSets in the order the coordinator sent them.
  for (const v1::DesiredDaemonSet& daemon_set : base.daemon_sets()) {
    const std::string key = Key(daemon_set);
    if (deleted.count(key) != 0) continue;
    const auto upsert = upserts.find(key);
    if (upsert == upserts.end()) {
      *state.add_daemon_sets() = daemon_set;
    } else {
      *state.add_daemon_sets() = *upsert->second;
      upserts.erase(upsert);
    }
  }
  for (const v1::DesiredDaemonSet& daemon_set : delta.upserts()) {
    const std::string key = Key(daemon_set);
    const auto upsert = upserts.find(key);
    // A key upserted twice appears once, with its last value.
    if (upsert == upserts.end() || deleted.count(key) != 0) continue;
    *state.add_daemon_sets() = *upsert->second;
    upserts.erase(upsert);
  }
  return state;
}

}  // namespace fleetset
