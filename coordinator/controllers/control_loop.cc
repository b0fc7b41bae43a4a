#include "coordinator/controllers/control_loop.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>

#include "daemon/thread_name.h"

namespace fleetset::coordinator {

ControlLoop::ControlLoop(std::string name, Pass pass, const LeaderGate& leader,
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

bool ControlLoop::WaitForPass() {
  std::unique_lock lock(mu_);
  while (true) {
    const auto now = std::chrono::steady_clock::now();
    if (stopped_) return false;
    if (pending_ || now >= due_) break;
    // Sleeps until the pass is due or the next tick, whichever is first.
    const auto until = std::min(due_, now + options_.tick);
    wake_.wait_until(lock, until, [this] { return pending_ || stopped_; });
    if (!pending_ && !stopped_ && std::chrono::steady_clock::now() < due_ && options_.after_pass) {
      lock.unlock();
      options_.after_pass();
      lock.lock();
    }
  }
  // Let a burst of changes land before looking at them.
  wake_.wait_for(lock, options_.batch_window, [this] { return stopped_; });
  if (stopped_) return false;
  pending_ = false;
  return true;
}

void ControlLoop::Run() {
  // "daemonset-controller" would lose its end to the kernel's 15 characters.
  std::string_view thread_name = name_;
  if (thread_name.ends_with("-controller")) thread_name.remove_suffix(sizeof "-controller" - 1);
  NameCurrentThread(thread_name);
  while (WaitForPass()) {
    const auto started = std::chrono::steady_clock::now();
    std::optional<std::chrono::milliseconds> again;
    if (leader_.IsLeader()) {
      try {
        again = pass_();
      } catch (const std::exception& error) {
        // The next pass looks again; nothing half-done stays, as every
        // write is one transaction.
        spdlog::warn("{}: {}", name_, error.what());
      }
      if (options_.pass_observer)
        options_.pass_observer(std::chrono::steady_clock::now() - started);
    } else if (options_.while_following) {
      options_.while_following();
    }
    {
      std::lock_guard lock(mu_);
      due_ = started + options_.resync_period;
      if (again) due_ = std::min(due_, std::chrono::steady_clock::now() + *again);
    }
    if (options_.after_pass) options_.after_pass();
  }
}

}  // namespace fleetset::coordinator
