// A DaemonSet's revisions, as Kubernetes keeps ControllerRevisions: one per
// distinct pod template, numbered in the order they became current.
#pragma once

#include <google/protobuf/timestamp.pb.h>

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "fleetset/v1/daemonset.pb.h"

namespace fleetset::coordinator {

// Makes `template_spec` the newest revision of `revisions` (oldest first).
// A revision with the same template hash is renumbered to the next number
// and moved last, as Kubernetes does when an old template comes back (an
// undo); otherwise a new revision is appended. Returns the hash.
std::string RecordTemplate(std::vector<v1::DaemonSetRevision>& revisions,
                           const v1::PodTemplateSpec& template_spec,
                           const std::string& change_cause, const google::protobuf::Timestamp& now);

// Whether there are more than `history_limit` old revisions (besides the
// newest): only then can PruneRevisions drop any.
bool OverHistoryLimit(const std::vector<v1::DaemonSetRevision>& revisions, int32_t history_limit);

// Drops the oldest revisions beyond `history_limit` old ones (the newest is
// never counted nor dropped), keeping those whose hash is in `in_use`.
// Returns the numbers of the dropped revisions.
std::vector<int64_t> PruneRevisions(std::vector<v1::DaemonSetRevision>& revisions,
                                    int32_t history_limit, const std::set<std::string>& in_use);

// The revision numbered `number`, or nullptr.
const v1::DaemonSetRevision* FindRevision(const std::vector<v1::DaemonSetRevision>& revisions,
                                          int64_t number);

const v1::DaemonSetRevision* FindRevisionByHash(const std::vector<v1::DaemonSetRevision>& revisions,
                                                const std::string& hash);

}  // namespace fleetset::coordinator
