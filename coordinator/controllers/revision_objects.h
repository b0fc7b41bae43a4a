// A DaemonSet's revisions as stored (ControllerRevision objects owned by
// it) and as the rollout logic and rollout history see them
// (DaemonSetRevision: number, hash, template, change cause).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "fleetset/v1/controller_revision.pb.h"
#include "fleetset/v1/daemonset.pb.h"

namespace fleetset::coordinator {

inline constexpr char kRevisionHashLabel[] = "controller-revision-hash";
inline constexpr char kChangeCauseAnnotation[] = "kubernetes.io/change-cause";

// Whether `revision` belongs to `daemon_set` (by its owner reference's uid).
bool OwnedBy(const v1::ControllerRevision& revision, const v1::DaemonSet& daemon_set);

v1::DaemonSetRevision ToDaemonSetRevision(const v1::ControllerRevision& revision);

// The stored form of one of `daemon_set`'s revisions: "<name>-<hash>".
v1::ControllerRevision ToControllerRevision(const v1::DaemonSet& daemon_set,
                                            const v1::DaemonSetRevision& revision);

// Every revision of `daemon_set` among `revisions`, oldest first.
template <typename Revisions>
std::vector<v1::DaemonSetRevision> RevisionsOwnedBy(const v1::DaemonSet& daemon_set,
                                                    const Revisions& revisions);

// The kubernetes.io/change-cause annotation, or "".
std::string ChangeCause(const v1::ObjectMeta& meta);

}  // namespace fleetset::coordinator
