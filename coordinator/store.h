// The coordinator's durable state behind a narrow interface: everything is
// loaded once at start, and every change is written as one transaction
// before it takes effect in memory, so a crash never leaves half of a
// change behind.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "fleetset/v1/daemonset.pb.h"
#include "fleetset/v1/operator_service.pb.h"
#include "fleetset/v1/store.pb.h"

namespace fleetset::coordinator {

// A failure to read or write the database (disk full, corrupt file, locked
// by another coordinator). The change it came from did not happen.
class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// namespace/name of a DaemonSet.
// A request's namespace: empty means "default", as in kubectl.
inline std::string NamespaceOrDefault(const std::string& namespace_) {
  return namespace_.empty() ? "default" : namespace_;
}

struct DaemonSetKey {
  std::string namespace_;
  std::string name;
  std::string ToString() const { return namespace_ + "/" + name; }
  static DaemonSetKey From(const v1::ObjectKey& key) {
    return {NamespaceOrDefault(key.namespace_()), key.name()};
  }
  static DaemonSetKey Of(const v1::DaemonSet& daemon_set) {
    return {daemon_set.metadata().namespace_(), daemon_set.metadata().name()};
  }
  auto operator<=>(const DaemonSetKey&) const = default;
};

struct StoreContents {
  // Metadata and spec as last applied (status is computed, never stored).
  std::vector<v1::DaemonSet> daemon_sets;
  std::vector<v1::StoredRevision> revisions;
  std::vector<v1::StoredNode> nodes;
  // Oldest first.
  std::vector<v1::Event> events;
  // The last desired-state version handed out (0 for a new database).
  uint64_t desired_version = 0;
};

// One transaction. Puts replace whole records; deleting a DaemonSet also
// deletes its revisions.
struct StoreChange {
  std::vector<v1::DaemonSet> put_daemon_sets;
  std::vector<DaemonSetKey> delete_daemon_sets;
  std::vector<v1::StoredRevision> put_revisions;
  // (DaemonSet, revision number)
  std::vector<std::pair<DaemonSetKey, int64_t>> delete_revisions;
  std::vector<v1::StoredNode> put_nodes;
  std::vector<std::string> delete_nodes;
  std::vector<v1::Event> append_events;
  std::optional<uint64_t> desired_version;

  bool empty() const {
    return put_daemon_sets.empty() && delete_daemon_sets.empty() && put_revisions.empty() &&
           delete_revisions.empty() && put_nodes.empty() && delete_nodes.empty() &&
           append_events.empty() && !desired_version;
  }
};

class Store {
 public:
  virtual ~Store() = default;
  virtual StoreContents Load() = 0;
  // All or nothing; throws StoreError and changes nothing on failure.
  virtual void Commit(const StoreChange& change) = 0;
};

// The real store: one SQLite file in WAL mode under `data_dir`
// (created when missing), schema created or checked at open. Keeps at most
// `max_events` events, dropping the oldest. Throws StoreError when the
// directory or file cannot be used, or when another process holds it.
std::unique_ptr<Store> OpenSqliteStore(const std::string& data_dir, size_t max_events = 5000);

}  // namespace fleetset::coordinator
