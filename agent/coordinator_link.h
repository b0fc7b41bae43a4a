// The agent's stream to a coordinator (AgentService.Connect): sends Hello,
// then status reports and heartbeats; receives the node's desired state as
// snapshots or deltas and hands each full state to the agent.
//
// Threads. The link runs gRPC's synchronous client on a thread of its own
// (the reader), plus a writer thread per stream. The callback reactor would
// save those threads, but it splits one linear conversation (connect, hello,
// read, back off, rotate) into callbacks whose lifetimes must be managed
// against shutdown and reconnects; for a single stream per agent, two
// mostly idle threads are a small price for code that reads top to bottom.
// Blocking gRPC calls therefore never run on the agent's io_context; every
// callback below is posted onto it, and once Stop() has returned on the
// io_context's thread, none is called any more.
#pragma once

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/security/credentials.h>

#include "agent/random_source.h"
#include "fleetset/v1/agent_service.grpc.pb.h"

namespace fleetset::agent {

struct CoordinatorLinkOptions {
  // host:port of each coordinator; one at a time, the next after a failure.
  std::vector<std::string> coordinators;
  // Between heartbeats (kubelet's nodeStatusUpdateFrequency).
  std::chrono::milliseconds heartbeat_interval{std::chrono::seconds(10)};
  // Reconnect delays: full jitter under a ceiling that starts at
  // initial_backoff and doubles up to max_backoff.
  std::chrono::milliseconds initial_backoff{500};
  std::chrono::milliseconds max_backoff{std::chrono::seconds(30)};
  // A stream that stayed up this long resets the ceiling, so the next
  // outage starts over with quick retries.
  std::chrono::milliseconds backoff_reset_after{std::chrono::seconds(60)};
  // The jitter's randomness; null: SystemRandom().
  RandomSource* random = nullptr;
  // The credentials for a stream to `address`, asked for before each one,
  // on the link's thread (so it may block: a join happens here). Throws
  // std::exception with the reason when there are none; the link backs off
  // as from a refusal.
  std::function<std::shared_ptr<grpc::ChannelCredentials>(const std::string& address)> credentials;
};

// How often the link pings its coordinator over HTTP/2 and how long it
// waits for the answer before it gives the stream up: what bounds noticing
// a coordinator that stopped without closing the connection (a paused
// process, a cut cable).
struct LinkKeepalive {
  std::chrono::milliseconds interval;
  std::chrono::milliseconds timeout;
};

// Relaxed with one coordinator, where there is nowhere else to go; with
// several, tight enough that the agent moves to another well inside the
// node grace period (40 s), so its node stays Ready.
LinkKeepalive KeepaliveFor(size_t coordinators);

// The agent at the seam. Each is called on the io_context's thread.
struct CoordinatorLinkCallbacks {
  // The node for Hello: node_name, labels, taints, node_info, addresses.
  // The link fills protocol_version, desired_version and status itself.
  std::function<v1::Hello()> make_hello;
  // What the agent runs right now.
  std::function<v1::StatusReport()> current_status;
  // The desired state the agent holds (e.g. its cached copy): Hello
  // announces its version, and a delta right after Hello applies to it.
  // Optional; without it the agent announces version 0 (nothing held).
  std::function<std::optional<v1::DesiredState>()> held_state;
  // A full desired state: a snapshot, or a delta merged onto the last one.
  // first_on_stream marks the first state of each new stream: the
  // coordinator's word from then on, even if its version is lower than one
  // held (its database was restored from a backup, or it is another one).
  std::function<void(const v1::DesiredState&, bool first_on_stream)> apply;
  // connected() changed. Optional.
  std::function<void()> connection_changed;
};

class CoordinatorLink {
 public:
  CoordinatorLink(boost::asio::io_context& io, CoordinatorLinkOptions options,
                  CoordinatorLinkCallbacks callbacks);
  // Stops the link (see Stop()).
  ~CoordinatorLink();
  CoordinatorLink(const CoordinatorLink&) = delete;
  CoordinatorLink& operator=(const CoordinatorLink&) = delete;

  void Start();
  // Cancels the stream and joins the link's threads. Never waits for the
  // io_context, so it may be called on its thread.
  void Stop();

  // The agent's status changed: the newest report goes out as soon as the
  // stream takes it (one write in flight at a time; reports that pile up
  // meanwhile are replaced by the newest). Call on the io_context's thread.
  void StatusChanged();

  // Ends the current stream and opens a new one to the same coordinator at
  // once, with fresh credentials (after the certificate was renewed). Any
  // thread.
  void Reconnect();

  // Whether a stream is up (its Hello went out). Any thread.
  bool connected() const;
  // The coordinator the stream is up to; empty while disconnected. Any thread.
  std::string coordinator() const;

 private:
  struct Shared;
  struct Outcome;
  struct Greeting;
  using Stream = grpc::ClientReaderWriter<v1::AgentMessage, v1::CoordinatorMessage>;

  // The link's thread: one stream after another, with back-off between.
  void Loop();
  Outcome RunStream(const std::string& address, bool want_snapshot);
  // Has the io_context build the Hello; nullopt when stopping.
  std::optional<Greeting> RequestGreeting(const std::string& address, bool want_snapshot);
  // Reads until the stream ends; returns why it dropped the stream itself.
  std::optional<std::string> ReadLoop(Stream& stream, grpc::ClientContext& context,
                                      v1::DesiredState base);
  // The stream's writer thread: status reports and heartbeats.
  void WriteLoop(Stream& stream, const std::string& address);
  void SetConnected(const std::string& address, bool connected);
  void LogStreamEnd(const std::string& address, const Outcome& outcome,
                    std::chrono::milliseconds delay);
  void Post(std::function<void(Shared&)> task);

  boost::asio::io_context& io_;
  const CoordinatorLinkOptions options_;
  // Shared with the tasks posted to the io_context, which may outlive the
  // link, and with each stream's writer thread.
  std::shared_ptr<Shared> shared_;
  std::thread thread_;
  // Used by the link's thread only: outages are logged when they start,
  // not at every retry.
  bool outage_logged_ = false;
  bool last_rejected_ = false;
};

}  // namespace fleetset::agent
