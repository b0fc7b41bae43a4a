#include "coordinator/leader/leader_election.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>

#include "daemon/thread_name.h"

namespace fleetset::coordinator {

namespace {

std::chrono::milliseconds RenewIntervalOf(const LeaderElectionOptions& options) {
  if (options.renew_interval.count() > 0) return options.renew_interval;
  return std::chrono::duration_cast<std::chrono::milliseconds>(options.lease_ttl) / 3;
}

std::chrono::milliseconds RetryIntervalOf(const LeaderElectionOptions& options) {
  if (options.retry_interval.count() > 0) return options.retry_interval;
  return std::min(std::chrono::milliseconds(1000), RenewIntervalOf(options));
}

}  // namespace

LeaderElection::LeaderElection(LeaderLeaseStore& store, const Clock& clock,
                               LeaderElectionOptions options)
    : store_(store),
      clock_(clock),
      options_(std::move(options)),
      renew_interval_(RenewIntervalOf(options_)),
      retry_interval_(RetryIntervalOf(options_)) {}

LeaderElection::~LeaderElection() { Stop(); }

bool LeaderElection::IsLeader() const {
  std::lock_guard lock(mu_);
  // Checked against the clock, not only the flag: a leader whose thread was
  // held up past its lease must not act before the thread notices.
  return leading_ && clock_.Now() < valid_until_;
}

std::optional<storage::Compare> LeaderElection::Fence() const {
  if (!IsLeader()) return std::nullopt;
  std::lock_guard lock(mu_);
  return storage::Compare::ModRevision(options_.key, leader_.revision);
}

LeaderRecord LeaderElection::Leader() const {
  std::lock_guard lock(mu_);
  return leader_;
}

uint64_t LeaderElection::Transitions() const {
  std::lock_guard lock(mu_);
  return transitions_;
}

std::chrono::steady_clock::time_point LeaderElection::Step() {
  const Time now = clock_.Now();
  {
    std::lock_guard lock(run_mu_);
    if (std::exchange(key_gone_, false)) next_step_ = now;
  }
  bool leading;
  {
    std::lock_guard lock(mu_);
    leading = leading_;
  }
  if (leading) {
    StepAsLeader(now);
  } else if (now >= next_step_) {
    Campaign(now);
  }
  return next_step_;
}

void LeaderElection::StepAsLeader(Time now) {
  LeaderRecord leader = Leader();
  if (now >= lease_valid_until_) {
    // The store may already have let the key go: stop before anyone else
    // can start. The lease is forgotten, not revoked; it is gone or going.
    lease_ = 0;
    SetLeading(false, leader, "the lease could not be renewed before it expired");
    next_step_ = now;
    return;
  }
  if (now < next_step_) return;
  if (!KeepLease(now)) {
    next_step_ = std::min(now + retry_interval_, lease_valid_until_);
    return;
  }
  if (lease_ != leader.lease) {
    // The old lease had expired: the key went with it.
    SetLeading(false, leader, "the lease expired in the store");
    next_step_ = now;
    return;
  }
  {
    std::lock_guard lock(mu_);
    valid_until_ = lease_valid_until_;
  }
  next_step_ = now + renew_interval_;
}

void LeaderElection::Campaign(Time now) {
  next_step_ = now + retry_interval_;
  LeaderRecord holder;
  if (!KeepLease(now)) {
    // Cut off from the store, a follower no longer knows who leads.
    SeenHolder(holder);
    return;
  }
  try {
    holder = store_.Acquire(options_.key, options_.identity, lease_);
  } catch (const storage::StorageError& error) {
    if (last_error_ != error.what()) spdlog::warn("leader election: {}", error.what());
    last_error_ = error.what();
    SeenHolder(LeaderRecord{});
    return;
  }
  last_error_.clear();
  if (holder.lease == lease_ && holder.identity == options_.identity) {
    {
      std::lock_guard lock(mu_);
      valid_until_ = lease_valid_until_;
    }
    SetLeading(true, holder, "took the leader key");
    next_step_ = now + renew_interval_;
    return;
  }
  SeenHolder(holder);
}

void LeaderElection::SeenHolder(const LeaderRecord& holder) {
  std::lock_guard lock(mu_);
  leader_ = holder;
}

bool LeaderElection::KeepLease(Time now) {
  try {
    if (lease_ != 0) {
      const std::chrono::seconds left = store_.RenewLease(lease_);
      if (left.count() > 0) {
        lease_valid_until_ = now + left;
        last_error_.clear();
        return true;
      }
    }
    lease_ = store_.GrantLease(options_.lease_ttl);
    lease_valid_until_ = now + options_.lease_ttl;
    last_error_.clear();
    return true;
  } catch (const storage::StorageError& error) {
    if (last_error_ != error.what()) spdlog::warn("leader election: {}", error.what());
    last_error_ = error.what();
    return false;
  }
}

void LeaderElection::SetLeading(bool leading, const LeaderRecord& leader, const std::string& why) {
  {
    std::lock_guard lock(mu_);
    if (leading_ == leading) return;
    leading_ = leading;
    leader_ = leading ? leader : LeaderRecord{};
    ++transitions_;
  }
  if (leading) {
    spdlog::info("leading the coordinators as {} ({}; fencing revision {})", options_.identity, why,
                 leader.revision);
  } else {
    spdlog::warn("no longer leading: {}", why);
  }
  if (options_.on_change) options_.on_change(leading, leading ? leader : LeaderRecord{});
}

void LeaderElection::Start() {
  if (thread_.joinable()) return;
  {
    std::lock_guard lock(run_mu_);
    stopped_ = false;
  }
  thread_ = std::thread([this] { Run(); });
}

void LeaderElection::KeyGone() {
  {
    std::lock_guard lock(run_mu_);
    key_gone_ = true;
  }
  stop_.notify_all();
}

void LeaderElection::Run() {
  NameCurrentThread("leader-elect");
  std::unique_lock lock(run_mu_);
  while (!stopped_) {
    lock.unlock();
    const Time due = Step();
    lock.lock();
    // The election's clock may be a test's; the wait is real time.
    const auto wait = std::clamp<std::chrono::steady_clock::duration>(
        due - clock_.Now(), std::chrono::milliseconds(10), retry_interval_);
    stop_.wait_for(lock, wait, [this] { return stopped_ || key_gone_; });
  }
}

void LeaderElection::Stop() {
  {
    std::lock_guard lock(run_mu_);
    stopped_ = true;
  }
  stop_.notify_all();
  if (thread_.joinable()) thread_.join();
  const bool was_leading = IsLeader();
  if (lease_ != 0) {
    try {
      store_.RevokeLease(lease_);
    } catch (const storage::StorageError& error) {
      spdlog::warn("leader election: could not give the lease up: {}", error.what());
    }
    lease_ = 0;
  }
  if (was_leading) SetLeading(false, {}, "this coordinator is stopping");
}

}  // namespace fleetset::coordinator
