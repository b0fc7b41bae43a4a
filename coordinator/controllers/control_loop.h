// Runs one controller's passes on a thread of its own: at once (after a
// short batching window) when something it watches changed, and at least
// every resync period; only while this coordinator leads. Level-triggered:
// a wake-up says "look again", never what changed.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "coordinator/controllers/leader_gate.h"

namespace fleetset::coordinator {

struct ControlLoopOptions {
  std::chrono::milliseconds resync_period{1000};
  // Changes arriving within this window share one pass.
  std::chrono::milliseconds batch_window{20};
  // Told how long each pass took (metrics), on the loop's thread.
  std::function<void(std::chrono::steady_clock::duration)> pass_observer;
  // Runs after every pass (the systemd watchdog).
  std::function<void()> after_pass;
};

class ControlLoop {
 public:
  ControlLoop(std::string name, std::function<void()> pass, const LeaderGate& leader,
              ControlLoopOptions options);
  ~ControlLoop();
  ControlLoop(const ControlLoop&) = delete;
  ControlLoop& operator=(const ControlLoop&) = delete;

  void Start();
  // Asks for a pass soon; any thread, never blocks.
  void Wake();
  // Ends the thread after the pass in progress.
  void Stop();

 private:
  void Run();

  const std::string name_;
  const std::function<void()> pass_;
  const LeaderGate& leader_;
  const ControlLoopOptions options_;

  std::mutex mu_;
  std::condition_variable wake_;
  bool pending_ = true;
  bool stopped_ = false;
  std::thread thread_;
};

}  // namespace fleetset::coordinator
