// Which of several coordinators runs the controllers: the one holding the
// leader key, bound to a lease it keeps renewing (etcd's election, as
// kube-controller-manager's leader election works on a Lease object).
//
// A leader counts itself the leader only until the lease could have
// expired in the store: `valid_until` is measured from when the last
// renewal was sent, so it always ends before the store's own expiry, and a
// leader that was paused (SIGSTOP) or cut off stops leading by its own
// clock before another can take over. Writes made by the leader's
// controllers also carry the fence (Fence()), so a write that was already
// on its way when leadership moved is refused by the store.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "coordinator/controllers/leader_gate.h"
#include "coordinator/leader/leader_lease_store.h"
#include "fleetset/clock.h"

namespace fleetset::coordinator {

struct LeaderElectionOptions {
  // Relative to the store's prefix.
  std::string key = "/coordinator/leader";
  // This coordinator's name, written as the key's value.
  std::string identity;
  // How long the lease lives without renewal: how long a dead leader keeps
  // the others waiting.
  std::chrono::seconds lease_ttl{10};
  // How often the lease is renewed; zero: a third of the TTL, so that two
  // renewals may fail before it expires.
  std::chrono::milliseconds renew_interval{0};
  // How often a follower tries to take the key (and retries after a
  // failed renewal); zero: one second, or the renewal interval if shorter.
  std::chrono::milliseconds retry_interval{0};
  // Told each time this coordinator starts or stops leading, from the
  // election's thread (or Step's caller).
  std::function<void(bool leading, const LeaderRecord& leader)> on_change;
};

class LeaderElection final : public LeaderGate {
 public:
  LeaderElection(LeaderLeaseStore& store, const Clock& clock, LeaderElectionOptions options);
  // Resigns (see Stop).
  ~LeaderElection() override;
  LeaderElection(const LeaderElection&) = delete;
  LeaderElection& operator=(const LeaderElection&) = delete;

  bool IsLeader() const override;
  // While leading: the leader key with the revision that wrote it, the
  // compare every controller write carries. nullopt when not leading.
  std::optional<storage::Compare> Fence() const;
  // The holder last seen (this coordinator while it leads); not held when
  // nobody holds the key or the store cannot be reached.
  LeaderRecord Leader() const;
  // How often this coordinator started or stopped leading.
  uint64_t Transitions() const;

  // Renews, or campaigns, as due; returns when the next step is due. The
  // thread started by Start() calls it; tests call it on a fake clock.
  std::chrono::steady_clock::time_point Step();

  // The leader key was seen to go (a watch of the store): the next step is
  // due now, so that a follower takes over as soon as the store lets it
  // rather than at its next retry.
  void KeyGone();

  void Start();
  // Stops the thread and, when leading, revokes the lease so that another
  // coordinator takes over at once instead of after the TTL.
  void Stop();

 private:
  using Time = std::chrono::steady_clock::time_point;

  void StepAsLeader(Time now);
  void Campaign(Time now);
  // Renews (or grants) this coordinator's lease; false when the store
  // could not be reached. Updates lease_valid_until_.
  bool KeepLease(Time now);
  void SetLeading(bool leading, const LeaderRecord& leader, const std::string& why);
  // A follower's view of the holder (not held: nobody, or not known).
  void SeenHolder(const LeaderRecord& holder);
  void Run();

  LeaderLeaseStore& store_;
  const Clock& clock_;
  const LeaderElectionOptions options_;
  const std::chrono::milliseconds renew_interval_;
  const std::chrono::milliseconds retry_interval_;

  // Owned by the stepping thread.
  int64_t lease_ = 0;
  Time lease_valid_until_{};
  Time next_step_{};
  std::string last_error_;

  // Read by other threads.
  mutable std::mutex mu_;
  bool leading_ = false;
  Time valid_until_{};
  LeaderRecord leader_;
  uint64_t transitions_ = 0;

  std::mutex run_mu_;
  std::condition_variable stop_;
  bool stopped_ = false;
  // Set by KeyGone, taken by the next Step.
  bool key_gone_ = false;
  std::thread thread_;
};

}  // namespace fleetset::coordinator
