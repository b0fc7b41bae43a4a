#include "agent/periodic_background_task.h"

namespace fleetset::agent {

PeriodicBackgroundTask::PeriodicBackgroundTask(Seams seams, std::chrono::milliseconds period,
                                               Prepare prepare)
    : seams_(std::move(seams)),
      period_(period),
      prepare_(std::move(prepare)),
      timer_(seams_.timers->MakeTimer()) {}

PeriodicBackgroundTask::~PeriodicBackgroundTask() { timer_->Cancel(); }

void PeriodicBackgroundTask::Start() {
  timer_->Arm(period_, [this] { RunNow(); });
}

void PeriodicBackgroundTask::RunNow() {
  if (running_) return;
  running_ = true;
  timer_->Cancel();
  BackgroundWork work = prepare_();
  seams_.executor->Post([this, work = std::move(work), post = seams_.post_to_loop,
                         alive = std::weak_ptr<bool>(alive_)] {
    LoopTask then = work();
    // `this` is used on the loop only, and only while the task lives.
    post([this, alive, then = std::move(then)] {
      if (!alive.expired()) Finished(then);
    });
  });
}

void PeriodicBackgroundTask::Finished(const LoopTask& then) {
  running_ = false;
  if (then) then();
  Start();
}

}  // namespace fleetset::agent
