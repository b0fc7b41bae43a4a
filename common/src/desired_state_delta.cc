#include "fleetset/desired_state_delta.h"

#include <google/protobuf/util/message_differencer.h>

#include <map>
#include <set>
#include <string>

#include "fleetset/pod_owner.h"

namespace fleetset {
namespace {

template <typename T>
using Repeated = google::protobuf::RepeatedPtrField<T>;

// DaemonSets, ConfigMaps and Secrets are identified by namespace/name, the
// form the deletes carry.
template <typename T>
std::string Key(const T& entry) {
  return DaemonSetReference(entry.metadata());
}

// Whether an entry changed. A DaemonSet's template is named by its
// revision hash, so one whose hash changed (a node a rollout moves) is
// told apart without walking the template field by field.
template <typename T>
bool Same(const T& a, const T& b) {
  return google::protobuf::util::MessageDifferencer::Equals(a, b);
}

template <>
bool Same(const v1::DesiredDaemonSet& a, const v1::DesiredDaemonSet& b) {
  return a.revision_hash() == b.revision_hash() &&
         google::protobuf::util::MessageDifferencer::Equals(a, b);
}

// Entries of `to` that are new or differ from `from` in any field go to
// `upserts`; keys of `from` that `to` lacks go to `deletes`.
template <typename T>
void Diff(const Repeated<T>& from, const Repeated<T>& to, Repeated<T>* upserts,
          Repeated<std::string>* deletes) {
  std::map<std::string, const T*> before;
  for (const T& entry : from) before[Key(entry)] = &entry;
  std::set<std::string> kept;
  for (const T& entry : to) {
    const std::string key = Key(entry);
    kept.insert(key);
    const auto it = before.find(key);
    if (it == before.end() || !Same(*it->second, entry)) {
      *upserts->Add() = entry;
    }
  }
  for (const auto& [key, entry] : before) {
    if (kept.count(key) == 0) *deletes->Add() = key;
  }
}

// `base` with `upserts` and `deletes` applied into `out`. Existing entries
// keep their place (replaced when upserted), so the rebuilt state lists
// them in the order the coordinator sent them; new ones are appended, and a
// key upserted twice appears once, with its last value.
template <typename T>
void Merge(const Repeated<T>& base, const Repeated<T>& upserts,
           const Repeated<std::string>& deletes, Repeated<T>* out) {
  const std::set<std::string> deleted(deletes.begin(), deletes.end());
  std::map<std::string, const T*> pending;
  for (const T& entry : upserts) pending[Key(entry)] = &entry;
  for (const T& entry : base) {
    const std::string key = Key(entry);
    if (deleted.count(key) != 0) continue;
    const auto upsert = pending.find(key);
    if (upsert == pending.end()) {
      *out->Add() = entry;
    } else {
      *out->Add() = *upsert->second;
      pending.erase(upsert);
    }
  }
  for (const T& entry : upserts) {
    const std::string key = Key(entry);
    const auto upsert = pending.find(key);
    if (upsert == pending.end() || deleted.count(key) != 0) continue;
    *out->Add() = *upsert->second;
    pending.erase(upsert);
  }
}

}  // namespace

v1::DesiredStateDelta MakeDesiredStateDelta(const v1::DesiredState& from,
                                            const v1::DesiredState& to) {
  v1::DesiredStateDelta delta;
  delta.set_version(to.version());
  delta.set_base_version(from.version());
  if (to.has_node()) *delta.mutable_node() = to.node();
  Diff(from.daemon_sets(), to.daemon_sets(), delta.mutable_upserts(), delta.mutable_deletes());
  Diff(from.config_maps(), to.config_maps(), delta.mutable_config_map_upserts(),
       delta.mutable_config_map_deletes());
  Diff(from.secrets(), to.secrets(), delta.mutable_secret_upserts(),
       delta.mutable_secret_deletes());
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
  Merge(base.daemon_sets(), delta.upserts(), delta.deletes(), state.mutable_daemon_sets());
  Merge(base.config_maps(), delta.config_map_upserts(), delta.config_map_deletes(),
        state.mutable_config_maps());
  Merge(base.secrets(), delta.secret_upserts(), delta.secret_deletes(), state.mutable_secrets());
  return state;
}

}  // namespace fleetset
