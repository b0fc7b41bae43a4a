// Where the agent's slow work runs (blocking CRI calls, image pulls, probes,
// volume set-up): somewhere other than the event loop, so that the loop
// stays free to own the agent's state. Results come back to the loop as
// posted tasks; work on an executor never changes the loop's state itself.
// Behind an interface so tests run the work by hand (ManualExecutor).
#pragma once

#include <functional>

namespace fleetset::agent {

class Executor {
 public:
  virtual ~Executor() = default;
  // Runs `work` later, on some thread of the executor. Any thread.
  virtual void Post(std::function<void()> work) = 0;
};

}  // namespace fleetset::agent
