// How each record of the version-1 database (one table per kind) becomes
// an object under the registry's key layout. Pure conversions, apart from
// the SQL that reads the rows and writes the keys (v1_migration.cc).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "fleetset/v1/controller_revision.pb.h"
#include "fleetset/v1/node_assignment.pb.h"
#include "fleetset/v1/operator_service.pb.h"
#include "fleetset/v1/store.pb.h"

namespace fleetset::coordinator::storage::v1_records {

template <typename Message>
using Keyed = std::pair<std::string, Message>;

// A revision of DaemonSet `stored.daemon_set()` as the apps/v1
// ControllerRevision "<daemonset>-<hash>" owned by it (`owner_uid`: the
// DaemonSet's metadata.uid).
Keyed<v1::ControllerRevision> ControllerRevision(const v1::StoredRevision& stored,
                                                 const std::string& owner_uid);

// The node's assignments as their own object; nullopt when it has none.
std::optional<Keyed<v1::NodeAssignments>> NodeAssignments(const v1::StoredNode& stored);

// An event named "<involved object's name>.<row id in 16 hex digits>" in
// the involved DaemonSet's namespace ("default" for a node's).
Keyed<v1::Event> Event(v1::Event event, int64_t row_id);

}  // namespace fleetset::coordinator::storage::v1_records
