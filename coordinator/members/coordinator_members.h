// The coordinators sharing one store, each recording itself under
// /coordinators/<name> at every heartbeat: its address, version, whether
// it leads and whether its store answers. `fleetsetctl get coordinators`
// reads them from any coordinator. A coordinator that stops writing (dead,
// or cut off from the store) stays listed as unreachable, as `nomad server
// members` keeps a failed server, until the leader forgets it after a day.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "coordinator/storage/storage.h"
#include "fleetset/clock.h"
#include "fleetset/v1/coordinator.pb.h"

namespace fleetset::coordinator {

inline constexpr char kCoordinatorMembersPrefix[] = "/coordinators/";

struct CoordinatorMemberOptions {
  std::string name;
  std::string address;
  // "sqlite" or "etcd".
  std::string store;
  std::chrono::milliseconds heartbeat_interval{5000};
  // Records older than this are deleted by the leader.
  std::chrono::hours forget_after{24};
};

class CoordinatorMembers {
 public:
  // `leader` answers the name of the coordinator holding the leader key
  // (empty when none does, or it is not known).
  CoordinatorMembers(storage::Storage& store, const Clock& clock, CoordinatorMemberOptions options,
                     std::function<std::string()> leader);

  // The address to record, once the listening port is known; no record is
  // written before there is one.
  void SetAddress(std::string address);

  // Writes this coordinator's record; how the write went is its store
  // health. Called every heartbeat_interval (by the agent hub's loop).
  // On the leader, also deletes records forgotten for forget_after.
  void Heartbeat();

  // Every record, by name, with status and leader set; this coordinator's
  // own from what it knows now. When the store cannot be read, the last
  // records read are answered.
  std::vector<v1::Coordinator> List();

  // Empty while the store answers this coordinator's writes.
  std::string StoreError() const;

 private:
  v1::Coordinator Self() const;
  void ForgetStale(const std::vector<v1::Coordinator>& members);

  storage::Storage& store_;
  const Clock& clock_;
  const CoordinatorMemberOptions options_;
  const std::function<std::string()> leader_;
  const std::chrono::system_clock::time_point started_;

  // Shared with the store's callbacks, which may outlive this object.
  struct StoreHealth {
    std::mutex mu;
    std::string error;
  };
  const std::shared_ptr<StoreHealth> health_;

  mutable std::mutex mu_;
  std::string address_;
  std::chrono::steady_clock::time_point next_heartbeat_{};
  std::vector<v1::Coordinator> last_listed_;
};

}  // namespace fleetset::coordinator
