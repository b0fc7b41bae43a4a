#include "coordinator/controllers/revision_history.h"

#include <algorithm>

#include "fleetset/revision.h"

namespace fleetset::coordinator {

std::string RecordTemplate(std::vector<v1::DaemonSetRevision>& revisions,
                           const v1::PodTemplateSpec& template_spec,
                           const std::string& change_cause,
                           const google::protobuf::Timestamp& now) {
  const std::string hash = PodTemplateHash(template_spec);
  const int64_t next = revisions.empty() ? 1 : revisions.back().revision() + 1;
  auto existing = std::find_if(revisions.begin(), revisions.end(),
                               [&](const auto& revision) { return revision.hash() == hash; });
  if (existing != revisions.end()) {
    if (existing + 1 == revisions.end()) return hash;  // already the newest
    v1::DaemonSetRevision moved = std::move(*existing);
    revisions.erase(existing);
    moved.set_revision(next);
    if (!change_cause.empty()) moved.set_change_cause(change_cause);
    revisions.push_back(std::move(moved));
    return hash;
  }
  v1::DaemonSetRevision& added = revisions.emplace_back();
  added.set_revision(next);
  added.set_hash(hash);
  *added.mutable_template_() = template_spec;
  *added.mutable_creation_timestamp() = now;
  added.set_change_cause(change_cause);
  return hash;
}

bool OverHistoryLimit(const std::vector<v1::DaemonSetRevision>& revisions, int32_t history_limit) {
  return revisions.size() > static_cast<size_t>(std::max(history_limit, 0)) + 1;
}

std::vector<int64_t> PruneRevisions(std::vector<v1::DaemonSetRevision>& revisions,
                                    int32_t history_limit, const std::set<std::string>& in_use) {
  std::vector<int64_t> dropped;
  if (!OverHistoryLimit(revisions, history_limit)) return dropped;
  size_t old_count = revisions.size() - 1;
  const size_t limit = static_cast<size_t>(std::max(history_limit, 0));
  for (auto it = revisions.begin(); it + 1 != revisions.end() && old_count > limit;) {
    if (in_use.count(it->hash()) != 0) {
      ++it;
      continue;
    }
    dropped.push_back(it->revision());
    it = revisions.erase(it);
    --old_count;
  }
  return dropped;
}

const v1::DaemonSetRevision* FindRevision(const std::vector<v1::DaemonSetRevision>& revisions,
                                          int64_t number) {
  for (const auto& revision : revisions) {
    if (revision.revision() == number) return &revision;
  }
  return nullptr;
}

const v1::DaemonSetRevision* FindRevisionByHash(const std::vector<v1::DaemonSetRevision>& revisions,
                                                const std::string& hash) {
  for (const auto& revision : revisions) {
    if (revision.hash() == hash) return &revision;
  }
  return nullptr;
}

}  // namespace fleetset::coordinator
