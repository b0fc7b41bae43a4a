#include "coordinator/controllers/control_loop.h"

#include <spdlog/spdlog.h>

#include <exception>

namespace fleetset::coordinator {

ControlLoop::ControlLoop(std::string name, std::function<void()> pass, const LeaderGate& leader,
                         ControlLoopOptions options)
    : name_(std::move(name)),
      pass_(std::move(pass)),
      leader_(leader),
      options_(std::move(options)) {}

ControlLoop::~ControlLoop() { Stop(); }

void ControlLoop::Start() {
  thread_ = std::thread([this] { Run(); });
}

void ControlLoop::Wake() {
  {
    std::lock_guard lock(mu_);
    pending_ = true;
  }
  wake_.notify_one();
}

void ControlLoop::Stop() {
  {
    std::lock_guard lock(mu_);
    stopped_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ControlLoop::Run() {
  while (true) {
    {
      std::unique_lock lock(mu_);
      wake_.wait_for(lock, options_.resync_period, [this] { return pending_ || stopped_; });
      if (stopped_) return;
      // Let a burst of changes land before looking at them.
      wake_.wait_for(lock, options_.batch_window, [this] { return stopped_; });
      if (stopped_) return;
      pending_ = false;
    }
    if (leader_.IsLeader()) {
      const auto started = std::chrono::steady_clock::now();
      try {
        pass_();
      } catch (const std::exception& error) {
        // The next pass looks again; nothing half-done stays, as every
        // write is one transaction.
        spdlog::warn("{}: {}", name_, error.what());
      }
      if (options_.pass_observer)
        options_.pass_observer(std::chrono::steady_clock::now() - started);
    }
    if (options_.after_pass) options_.after_pass();
  }
}

}  // namespace fleetset::coordinator
