// N simulated fleetset agents in one process, for load on a coordinator.
//
// Each is a node whose fake runtime starts a pod instantly: on every
// desired state the node decides eligibility as the real agent does
// (EvaluateEligibility on the coordinator's labels and taints), runs the
// assigned revision of each DaemonSet as a pod that is Running and Ready at
// once (one pod per DaemonSet; a new name and UID per revision, the same pod
// while the revision stays), and answers with a StatusReport that holds all
// of the node's pods. Heartbeats follow the agent's default period. All
// streams use gRPC's callback API, so thousands of agents need no thread
// each. Every agent has a channel of its own, i.e. its own TCP connection
// and TLS handshake, as a real agent has: the coordinator takes a stream's
// node from the client certificate of its connection and refuses a Hello
// that names another node, so agents cannot share a connection.
//
// A stream that breaks (an overloaded coordinator misses the connection
// handshake or a keepalive ping) is opened again after the real agent's
// back-off, with the node's pods unchanged, as a real agent would: the
// fleet goes on and the loss is counted. A coordinator that refuses an
// agent, or a desired state the simulation cannot apply, is a failure.
#pragma once

#include <atomic>
#include <chrono>
#include <compare>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/security/credentials.h>

#include "bench/node_certificates.h"
#include "fleetset/v1/agent_service.grpc.pb.h"

namespace fleetset::bench {

using SteadyClock = std::chrono::steady_clock;

// The name of the simulated node `index` ("node-00042"): what its
// certificate must name.
std::string SimulatedNodeName(int index);

struct SimulatedFleetOptions {
  // host:port of every coordinator. Node i starts on coordinator i modulo
  // their number and moves to the next one listed after a lost stream.
  std::vector<std::string> coordinators;
  // The node certificates (node i is SimulatedNodeName(i)) and the CA to
  // trust the coordinator by; there are as many nodes as certificates.
  FleetCredentials credentials;
  // The agent's default --node-status-update-frequency.
  std::chrono::milliseconds heartbeat_period{10000};
  // Set (by a signal handler) to make every wait return early.
  const std::atomic<bool>* interrupted = nullptr;
};

class SimulatedAgent;
class AgentStream;

// One DaemonSet's revision, as a pod reports it. Revision hashes come from
// the pod template alone, so two DaemonSets can share one; the owner keeps
// their pods apart.
struct PodRevision {
  std::string daemon_set;  // "namespace/name", the pod's owner
  std::string hash;
  auto operator<=>(const PodRevision&) const = default;
};

// What the agents observed, shared by all of them.
class FleetRecorder {
 public:
  explicit FleetRecorder(const std::atomic<bool>* interrupted) : interrupted_(interrupted) {}

  void FirstSnapshot(SteadyClock::time_point when);
  // A node's first report (handed to the transport) of a running, ready pod
  // of `revision`.
  void FirstRunning(const PodRevision& revision, SteadyClock::time_point when);
  // A node's fake runtime started a pod of `revision` (before the report
  // that says so is written).
  void Started(const PodRevision& revision, SteadyClock::time_point when);
  // A stream the agent opens again; `reason` is gRPC's status (code and
  // message), by which losses are counted.
  void StreamLost(const std::string& reason);
  // A failure the run cannot go on from; every wait returns.
  void StreamFailed(const std::string& why);

  // Waits until `count` nodes got their first snapshot; their times.
  std::vector<SteadyClock::time_point> WaitForSnapshots(size_t count,
                                                        SteadyClock::time_point deadline);
  // Waits until `count` nodes reported each of `revisions` running; the
  // first-report times of all those pods, one per node and revision (fewer
  // when the deadline passed or a stream failed).
  std::vector<SteadyClock::time_point> WaitForRunning(const std::vector<PodRevision>& revisions,
                                                      size_t count,
                                                      SteadyClock::time_point deadline);
  // A node's fake runtime stopped its pod of `revision` (its DaemonSet
  // left the node's state, or a newer revision replaced it).
  void Stopped(const PodRevision& revision, SteadyClock::time_point when);
  // Waits until `count` nodes stopped their pods of each of `revisions`;
  // the stop times (fewer when the deadline passed or a stream failed).
  std::vector<SteadyClock::time_point> WaitForStopped(const std::vector<PodRevision>& revisions,
                                                      size_t count,
                                                      SteadyClock::time_point deadline);
  // The start times of the pods of `revisions` so far.
  std::vector<SteadyClock::time_point> StartTimes(const std::vector<PodRevision>& revisions) const;
  // A message from a coordinator reached an agent (a snapshot or a
  // delta); an agent handed a status report to its stream.
  void MessageReceived() { ++messages_received_; }
  void ReportSent() { ++reports_sent_; }
  struct Traffic {
    uint64_t messages_received = 0;
    uint64_t reports_sent = 0;
  };
  Traffic traffic() const { return {messages_received_.load(), reports_sent_.load()}; }
  size_t failures() const;
  std::string first_failure() const;
  size_t lost_streams() const;
  // Lost streams by reason.
  std::map<std::string, size_t> losses() const;

 private:
  using TimesByRevision = std::map<PodRevision, std::vector<SteadyClock::time_point>>;

  template <typename Done>
  void WaitUntil(SteadyClock::time_point deadline, Done done);
  // Waits until `count` times are recorded for each of `revisions`; all
  // of theirs.
  std::vector<SteadyClock::time_point> WaitForEach(TimesByRevision& times_by_revision,
                                                   const std::vector<PodRevision>& revisions,
                                                   size_t count, SteadyClock::time_point deadline);
  // The times of `revisions` in `times_by_revision`, all together; mu_ held.
  static std::vector<SteadyClock::time_point> TimesOf(const TimesByRevision& times_by_revision,
                                                      const std::vector<PodRevision>& revisions);

  const std::atomic<bool>* interrupted_;
  mutable std::mutex mu_;
  std::condition_variable changed_;
  std::vector<SteadyClock::time_point> snapshots_;
  TimesByRevision running_;
  TimesByRevision started_;
  TimesByRevision stopped_;
  size_t failures_ = 0;
  std::string first_failure_;
  size_t lost_ = 0;
  std::map<std::string, size_t> losses_;
  std::atomic<uint64_t> messages_received_ = 0;
  std::atomic<uint64_t> reports_sent_ = 0;
};

class SimulatedFleet {
 public:
  explicit SimulatedFleet(SimulatedFleetOptions options);
  // Cancels every stream and waits for gRPC to let go of them.
  ~SimulatedFleet();
  SimulatedFleet(const SimulatedFleet&) = delete;
  SimulatedFleet& operator=(const SimulatedFleet&) = delete;

  // Opens every agent's stream (Hello first), which makes every agent's
  // connection and TLS handshake, and starts the heartbeats.
  void Connect();
  FleetRecorder& recorder() { return recorder_; }
  int nodes() const { return static_cast<int>(agents_.size()); }

 private:
  friend class AgentStream;

  // From a stream's OnDone: schedules the agent's next stream unless the
  // fleet is stopping or the end was a failure.
  void StreamEnded(SimulatedAgent& agent, const AgentStream& stream, const grpc::Status& status);
  // The last thing a stream's OnDone does: gRPC is done with `stream`,
  // which the fleet frees later on one of its own threads.
  void Release(std::shared_ptr<AgentStream> stream);
  // Heartbeats and reconnections, on one thread.
  void TickLoop();
  void OpenStream(SimulatedAgent& agent);

  SimulatedFleetOptions options_;
  FleetRecorder recorder_;
  // A new channel to `address` presenting agent `agent`'s certificate.
  std::unique_ptr<v1::AgentService::Stub> StubFor(int agent, const std::string& address);
  // Every agent's first channel, before anything is timed.
  void BuildChannels();

  // One per agent, by index.
  std::vector<std::shared_ptr<grpc::ChannelCredentials>> credentials_;
  std::vector<std::unique_ptr<SimulatedAgent>> agents_;
  std::thread ticks_;
  // Guards stopping_, every agent's stream slot (current stream, reconnect
  // time, back-off), in_grpc_ and finished_.
  std::mutex mu_;
  std::condition_variable stop_;
  bool stopping_ = false;
  // Streams started and not yet released by their OnDone.
  size_t in_grpc_ = 0;
  std::condition_variable released_;
  // Released streams, freed by the tick thread or the destructor.
  std::vector<std::shared_ptr<AgentStream>> finished_;
};

}  // namespace fleetset::bench
