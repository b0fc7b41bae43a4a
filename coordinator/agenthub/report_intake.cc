#include "coordinator/agenthub/report_intake.h"

#include <spdlog/spdlog.h>

#include <exception>
#include <utility>

#include "coordinator/storage/thread_priority.h"
#include "daemon/thread_name.h"

namespace fleetset::coordinator {

ReportIntake::ReportIntake(Take take, int niceness)
    : take_(std::move(take)), thread_([this, niceness] { Run(niceness); }) {}

ReportIntake::~ReportIntake() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_one();
  taken_.notify_all();
  thread_.join();
}

void ReportIntake::Push(const std::string& node_name, uint64_t stream, v1::StatusReport report) {
  {
    std::lock_guard lock(mu_);
    ++pushed_;
    auto [it, added] = queued_.try_emplace(node_name);
    if (added) {
      order_.push_back(node_name);
    } else {
      ++done_;  // The replaced one.
    }
    it->second = Queued{stream, std::move(report)};
  }
  wake_.notify_one();
}

size_t ReportIntake::Waiting() const {
  std::lock_guard lock(mu_);
  return queued_.size();
}

void ReportIntake::WaitUntilTaken() {
  std::unique_lock lock(mu_);
  const uint64_t target = pushed_;
  taken_.wait(lock, [&] { return done_ >= target || stopping_; });
}

void ReportIntake::Run(int niceness) {
  NameCurrentThread("report-intake");
  storage::YieldCallingThreadTo(niceness);
  std::unique_lock lock(mu_);
  while (true) {
    wake_.wait(lock, [this] { return stopping_ || !order_.empty(); });
    if (stopping_) return;
    std::string node_name = std::move(order_.front());
    order_.pop_front();
    auto it = queued_.find(node_name);
    Queued queued = std::move(it->second);
    queued_.erase(it);
    lock.unlock();
    try {
      take_(node_name, queued.stream, std::move(queued.report));
    } catch (const std::exception& error) {
      // The next report says it all again.
      spdlog::warn("report of node {} not taken in: {}", node_name, error.what());
    }
    lock.lock();
    ++done_;
    taken_.notify_all();
  }
}

}  // namespace fleetset::coordinator
