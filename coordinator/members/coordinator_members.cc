#include "coordinator/members/coordinator_members.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "coordinator/timestamps.h"
#include "fleetset/version.h"

namespace fleetset::coordinator {

namespace {

constexpr int kMissedHeartbeats = 3;

std::string KeyOf(const std::string& name) { return kCoordinatorMembersPrefix + name; }

}  // namespace

CoordinatorMembers::CoordinatorMembers(storage::Storage& store, const Clock& clock,
                                       CoordinatorMemberOptions options,
                                       std::function<std::string()> leader)
    : store_(store),
      clock_(clock),
      options_(std::move(options)),
      leader_(std::move(leader)),
      started_(clock.WallNow()),
      health_(std::make_shared<StoreHealth>()),
      address_(options_.address) {}

void CoordinatorMembers::SetAddress(std::string address) {
  std::lock_guard lock(mu_);
  address_ = std::move(address);
}

v1::Coordinator CoordinatorMembers::Self() const {
  v1::Coordinator self;
  self.set_api_version("fleetset.io/v1");
  self.set_kind("Coordinator");
  self.mutable_metadata()->set_name(options_.name);
  *self.mutable_metadata()->mutable_creation_timestamp() = ToTimestamp(started_);
  v1::CoordinatorStatus* status = self.mutable_status();
  {
    std::lock_guard lock(mu_);
    status->set_address(address_);
  }
  status->set_version(kVersion);
  status->set_leader(leader_() == options_.name);
  status->set_store(options_.store);
  *status->mutable_heartbeat() = ToTimestamp(clock_.WallNow());
  status->set_store_error(StoreError());
  return self;
}

void CoordinatorMembers::Heartbeat() {
  {
    std::lock_guard lock(mu_);
    if (address_.empty() || clock_.Now() < next_heartbeat_) return;
    next_heartbeat_ = clock_.Now() + options_.heartbeat_interval;
  }
  storage::Transaction write;
  write.operations.push_back(
      storage::Operation::Put(KeyOf(options_.name), Self().SerializeAsString()));
  // Not waited for: a store that does not answer must not hold up the
  // caller's loop. The health it reports is the outcome of the last write.
  store_.CommitAsync(std::move(write),
                     [health = health_](const storage::TransactionResult& result) {
                       std::string error = result.committed() ? "" : result.error;
                       std::lock_guard lock(health->mu);
                       if (error != health->error) {
                         if (error.empty()) {
                           spdlog::info("the store answers again");
                         } else {
                           spdlog::warn("store unavailable: {}", error);
                         }
                       }
                       health->error = std::move(error);
                     });
  if (leader_() == options_.name && StoreError().empty()) ForgetStale(List());
}

void CoordinatorMembers::ForgetStale(const std::vector<v1::Coordinator>& members) {
  const auto now = clock_.WallNow();
  storage::Transaction forget;
  for (const v1::Coordinator& member : members) {
    const std::string& name = member.metadata().name();
    if (now - FromTimestamp(member.status().heartbeat()) > options_.forget_after) {
      spdlog::info("forgetting coordinator {}: not heard from since {}", name,
                   google::protobuf::util::TimeUtil::ToString(member.status().heartbeat()));
      forget.operations.push_back(storage::Operation::Delete(KeyOf(name)));
    }
  }
  if (!forget.operations.empty()) store_.Commit(std::move(forget));
}

std::vector<v1::Coordinator> CoordinatorMembers::List() {
  std::vector<v1::Coordinator> members;
  try {
    for (const storage::KeyValue& kv : store_.List(kCoordinatorMembersPrefix).items) {
      v1::Coordinator member;
      if (member.ParseFromString(kv.value) && member.metadata().name() != options_.name) {
        members.push_back(std::move(member));
      }
    }
    std::lock_guard lock(mu_);
    last_listed_ = members;
  } catch (const storage::StorageError&) {
    std::lock_guard lock(mu_);
    members = last_listed_;
  }
  members.push_back(Self());
  const std::string leader = leader_();
  const auto now = clock_.WallNow();
  for (v1::Coordinator& member : members) {
    const std::string& name = member.metadata().name();
    v1::CoordinatorStatus* status = member.mutable_status();
    status->set_leader(!leader.empty() && name == leader);
    const bool fresh = name == options_.name || now - FromTimestamp(status->heartbeat()) <
                                                    kMissedHeartbeats * options_.heartbeat_interval;
    status->set_state(fresh ? "alive" : "unreachable");
  }
  std::sort(members.begin(), members.end(),
            [](const auto& a, const auto& b) { return a.metadata().name() < b.metadata().name(); });
  return members;
}

std::string CoordinatorMembers::StoreError() const {
  std::lock_guard lock(health_->mu);
  return health_->error;
}

}  // namespace fleetset::coordinator
