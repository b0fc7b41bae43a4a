// Runs one controller's passes on a thread of its own: at once (after a
// short batching window) when something it watches changed, when the
// controller asked to look again at a given time (a pod becoming available
// after minReadySeconds), and at least every resync period; only while
// this coordinator leads. Level-triggered: a wake-up says "look again",
// never what changed.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "coordinator/controllers/leader_gate.h"

namespace fleetset::coordinator {

struct ControlLoopOptions {
  // A pass at least this often even when nothing changed: the safety net
  // of a level-triggered controller, not its clock.
  std::chrono::milliseconds resync_period{1000};
  // Changes arriving within this window share one pass.
  std::chrono::milliseconds batch_window{20};
  // Told how long each pass took (metrics), on the loop's thread.
  std::function<void(std::chrono::steady_clock::duration)> pass_observer;
  // Runs after every pass and, between passes, at least every `tick` (the
  // systemd watchdog: an idle loop is alive too).
  std::function<void()> after_pass;
  std::chrono::milliseconds tick{1000};
  // Runs instead of the pass, on the loop's thread, whenever the loop
  // wakes (a change, the resync) while its coordinator does not lead:
  // upkeep of what the pass owns.
  std::function<void()> while_following;
};

class ControlLoop {
 public:
  // `pass` returns how soon it wants to run again whatever happens (time
  // passing changes what it would decide), or nullopt.
  using Pass = std::function<std::optional<std::chrono::milliseconds>()>;

  ControlLoop(std::string name, Pass pass, const LeaderGate& leader, ControlLoopOptions options);
  ~ControlLoop();
  ControlLoop(const ControlLoop&) = delete;
  ControlLoop& operator=(const ControlLoop&) = delete;

  void Start();
  // Asks for a pass soon; any thread, never blocks.
  void Wake();
  // Ends the thread after the pass in progress.
  void Stop();

 private:
  using SteadyTime = std::chrono::steady_clock::time_point;

  void Run();
  // Waits for the next pass; false once stopped.
  bool WaitForPass();

  const std::string name_;
  const Pass pass_;
  const LeaderGate& leader_;
  const ControlLoopOptions options_;

  std::mutex mu_;
  std::condition_variable wake_;
  bool pending_ = true;
  bool stopped_ = false;
  // When the next pass is due without a change: the resync, or sooner
  // when the last pass asked.
  SteadyTime due_ = SteadyTime::max();
  std::thread thread_;
};

}  // namespace fleetset::coordinator
