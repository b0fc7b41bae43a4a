// N simulated fleetset agents in one process, for load on a coordinator.
//
// Each is a node whose fake runtime starts a pod instantly: on every
// desired state the node decides eligibility as the real agent does
// (EvaluateEligibility on the coordinator's labels and taints), runs the
// assigned revision of each DaemonSet as a pod that is Running and Ready at
// once (a new name and UID per revision, the same pod while the revision
// stays), and answers with a StatusReport. Heartbeats follow the agent's
// default period. All streams use gRPC's callback API, so thousands of
// agents need no thread each; they share a pool of channels (separate TCP
// connections) to keep the bench process from dominating a small machine.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace grpc {
class Channel;
}

namespace fleetset::bench {

using SteadyClock = std::chrono::steady_clock;

struct SimulatedFleetOptions {
  std::string coordinator;  // host:port
  int nodes = 100;
  int agents_per_channel = 50;
  // The agent's default --node-status-update-frequency.
  std::chrono::milliseconds heartbeat_period{10000};
  // Set (by a signal handler) to make every wait return early.
  const std::atomic<bool>* interrupted = nullptr;
};

class SimulatedAgent;

// What the agents observed, shared by all of them.
class FleetRecorder {
 public:
  explicit FleetRecorder(const std::atomic<bool>* interrupted) : interrupted_(interrupted) {}

  void FirstSnapshot(SteadyClock::time_point when);
  // A node's first report (handed to the transport) of a running, ready pod
  // of `revision_hash`.
  void FirstRunning(const std::string& revision_hash, SteadyClock::time_point when);
  void StreamFailed(const std::string& why);

  // Waits until `count` nodes got their first snapshot; their times.
  std::vector<SteadyClock::time_point> WaitForSnapshots(size_t count,
                                                        SteadyClock::time_point deadline);
  // Waits until `count` nodes reported `revision_hash` running; their
  // first-report times (fewer when the deadline passed or a stream failed).
  std::vector<SteadyClock::time_point> WaitForRunning(const std::string& revision_hash,
                                                      size_t count,
                                                      SteadyClock::time_point deadline);
  size_t failures() const;
  std::string first_failure() const;

 private:
  template <typename Done>
  void WaitUntil(SteadyClock::time_point deadline, Done done);

  const std::atomic<bool>* interrupted_;
  mutable std::mutex mu_;
  std::condition_variable changed_;
  std::vector<SteadyClock::time_point> snapshots_;
  std::map<std::string, std::vector<SteadyClock::time_point>> running_;
  size_t failures_ = 0;
  std::string first_failure_;
};

class SimulatedFleet {
 public:
  explicit SimulatedFleet(SimulatedFleetOptions options);
  // Cancels every stream and waits for gRPC to let go of them.
  ~SimulatedFleet();
  SimulatedFleet(const SimulatedFleet&) = delete;
  SimulatedFleet& operator=(const SimulatedFleet&) = delete;

  // Opens every agent's stream (Hello first) and starts the heartbeats.
  void Connect();
  FleetRecorder& recorder() { return recorder_; }
  int channels() const { return static_cast<int>(channels_.size()); }

 private:
  void HeartbeatLoop();

  SimulatedFleetOptions options_;
  FleetRecorder recorder_;
  std::vector<std::shared_ptr<grpc::Channel>> channels_;
  std::vector<std::unique_ptr<SimulatedAgent>> agents_;
  std::thread heartbeats_;
  std::mutex mu_;
  std::condition_variable stop_;
  bool stopping_ = false;
};

}  // namespace fleetset::bench
