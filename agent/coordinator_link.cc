#include "agent/coordinator_link.h"

#include <google/protobuf/util/time_util.h>
#include <grpcpp/grpcpp.h>
#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <utility>

#include "agent/backoff.h"
#include "daemon/thread_name.h"
#include "fleetset/agent_stream_transport.h"
#include "fleetset/desired_state_delta.h"
#include "fleetset/v1/agent_service.grpc.pb.h"
#include "fleetset/version.h"

namespace fleetset::agent {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
using google::protobuf::util::TimeUtil;

// What the agent says first, and the state a delta after it applies to.
struct CoordinatorLink::Greeting {
  v1::Hello hello;
  v1::DesiredState base;
};

// State the link's threads and the io_context share, under `mutex`.
struct CoordinatorLink::Shared {
  explicit Shared(CoordinatorLinkCallbacks link_callbacks) : callbacks(std::move(link_callbacks)) {}

  const CoordinatorLinkCallbacks callbacks;
  std::mutex mutex;
  std::condition_variable changed;
  bool stopping = false;
  // The stream being opened or open, so Stop() can cancel it.
  std::shared_ptr<grpc::ClientContext> context;
  std::string connected_to;
  // Between a Hello being made and its stream's end: status reports made
  // in that window must be sent (earlier ones are in the Hello).
  bool taking_status = false;
  std::optional<v1::StatusReport> pending_status;
  std::optional<Greeting> greeting;
  // Ends the current stream's writer.
  bool stream_done = false;
  // Reconnect() was called: the next stream goes to the same coordinator
  // without waiting.
  bool reconnect = false;
};

struct CoordinatorLink::Outcome {
  grpc::Status status;
  bool connected = false;
  Clock::duration lived{};
  // The coordinator sent a delta for a state the agent does not hold.
  std::optional<std::string> bad_delta;
  // There were no credentials for the coordinator (a join failed).
  std::optional<std::string> no_credentials;
  bool stopped = false;
};

namespace {

// The coordinator rejected the agent itself (its protocol version, its
// Hello, its identity); retrying soon would only be rejected again.
bool IsRejection(const grpc::Status& status) {
  return status.error_code() == grpc::StatusCode::FAILED_PRECONDITION ||
         status.error_code() == grpc::StatusCode::INVALID_ARGUMENT ||
         status.error_code() == grpc::StatusCode::UNAUTHENTICATED ||
         status.error_code() == grpc::StatusCode::PERMISSION_DENIED;
}

std::string Describe(const grpc::Status& status) {
  // grpc::StatusCode's names, by value.
  // clang-format off
  static const char* const kNames[] = {
      "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
      "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
      "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
      "UNAUTHENTICATED"};
  // clang-format on
  const auto code = static_cast<size_t>(status.error_code());
  std::string text = code < std::size(kNames) ? kNames[code] : std::to_string(code);
  if (!status.error_message().empty()) text += ": " + status.error_message();
  return text;
}

// Exponential back-off with full jitter: a random delay up to a ceiling
// that doubles per failure, so a fleet that lost its coordinator does not
// come back in one wave.
BackoffPolicy ReconnectPolicy(const CoordinatorLinkOptions& options) {
  BackoffPolicy policy;
  policy.initial = options.initial_backoff;
  policy.max = options.max_backoff;
  policy.jitter_below = 1;
  return policy;
}

std::shared_ptr<grpc::Channel> MakeChannel(
    const std::string& address, const std::shared_ptr<grpc::ChannelCredentials>& credentials,
    const LinkKeepalive& keepalive) {
  grpc::ChannelArguments args;
  // A private subchannel per attempt: gRPC's shared subchannels keep their
  // own reconnect back-off (up to two minutes), which would make a retry
  // fail at once instead of dialling the restarted coordinator.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  // HTTP/2 pings notice a coordinator that vanished without closing the
  // connection, even between heartbeats (the heartbeats themselves only
  // fill buffers). The coordinator accepts pings every 5 s.
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, static_cast<int>(keepalive.interval.count()));
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, static_cast<int>(keepalive.timeout.count()));
  args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  // A node's desired state has no fixed bound (every DaemonSet it runs);
  // it comes from the authenticated coordinator.
  args.SetMaxReceiveMessageSize(-1);
  SetAgentStreamTransport(args);
  return grpc::CreateCustomChannel(address, credentials, args);
}

}  // namespace

LinkKeepalive KeepaliveFor(size_t coordinators) {
  using std::chrono::seconds;
  // A busy coordinator (thousands of agents) may take seconds to answer a
  // ping, so even the tight timeout leaves it 10 s: gone within 20 s.
  if (coordinators > 1) return {seconds(10), seconds(10)};
  return {seconds(30), seconds(10)};
}

CoordinatorLink::CoordinatorLink(asio::io_context& io, CoordinatorLinkOptions options,
                                 CoordinatorLinkCallbacks callbacks)
    : io_(io),
      options_(std::move(options)),
      shared_(std::make_shared<Shared>(std::move(callbacks))) {}

CoordinatorLink::~CoordinatorLink() { Stop(); }

void CoordinatorLink::Start() {
  if (thread_.joinable() || options_.coordinators.empty()) return;
  thread_ = std::thread([this] { Loop(); });
}

void CoordinatorLink::Stop() {
  {
    std::lock_guard lock(shared_->mutex);
    shared_->stopping = true;
    if (shared_->context) shared_->context->TryCancel();
  }
  shared_->changed.notify_all();
  if (thread_.joinable()) thread_.join();
}

void CoordinatorLink::Reconnect() {
  std::lock_guard lock(shared_->mutex);
  shared_->reconnect = true;
  if (shared_->context) shared_->context->TryCancel();
}

bool CoordinatorLink::connected() const { return !coordinator().empty(); }

std::string CoordinatorLink::coordinator() const {
  std::lock_guard lock(shared_->mutex);
  return shared_->connected_to;
}

void CoordinatorLink::StatusChanged() {
  {
    std::lock_guard lock(shared_->mutex);
    if (!shared_->taking_status) return;
  }
  v1::StatusReport report = shared_->callbacks.current_status();
  *report.mutable_time() = TimeUtil::GetCurrentTime();
  {
    std::lock_guard lock(shared_->mutex);
    if (!shared_->taking_status) return;
    shared_->pending_status = std::move(report);
  }
  shared_->changed.notify_all();
}

void CoordinatorLink::Post(std::function<void(Shared&)> task) {
  asio::post(io_, [shared = shared_, task = std::move(task)] {
    {
      std::lock_guard lock(shared->mutex);
      if (shared->stopping) return;
    }
    task(*shared);
  });
}

void CoordinatorLink::Loop() {
  NameCurrentThread("coord-link");
  Backoff backoff(ReconnectPolicy(options_),
                  options_.random != nullptr ? options_.random : &SystemRandom());
  size_t next = 0;
  bool want_snapshot = false;
  while (true) {
    const std::string& address = options_.coordinators[next];
    const Outcome outcome = RunStream(address, want_snapshot);
    if (outcome.stopped) return;
    {
      std::lock_guard lock(shared_->mutex);
      // Asked for, not a failure: the stream Reconnect() cancelled may not
      // have got its Hello out yet (a renewal at the moment a stream opens),
      // which must not cost a back-off or a move to another coordinator.
      if (std::exchange(shared_->reconnect, false)) {
        spdlog::info("reconnecting to coordinator {} with the renewed certificate", address);
        continue;
      }
    }
    if (outcome.connected && outcome.lived >= options_.backoff_reset_after) backoff.Reset();
    // A delta the agent cannot apply is not the coordinator's failure: ask
    // the same one again, for a snapshot this time.
    want_snapshot = outcome.bad_delta.has_value();
    if (!want_snapshot) next = (next + 1) % options_.coordinators.size();
    // A refusal waits the longest (still jittered, in its upper half):
    // trying sooner would only be refused again.
    const auto delay = std::chrono::duration_cast<std::chrono::milliseconds>(
        IsRejection(outcome.status) ? backoff.Longest() : backoff.Next(Clock::now()));
    LogStreamEnd(address, outcome, delay);
    std::unique_lock lock(shared_->mutex);
    if (shared_->changed.wait_for(lock, delay, [this] { return shared_->stopping; })) return;
  }
}

void CoordinatorLink::LogStreamEnd(const std::string& address, const Outcome& outcome,
                                   std::chrono::milliseconds delay) {
  const bool rejected = IsRejection(outcome.status);
  if (outcome.no_credentials) {
    spdlog::error("cannot connect to coordinator {}: {}; pods keep running, retrying in {:.1f}s",
                  address, *outcome.no_credentials, std::chrono::duration<double>(delay).count());
    outage_logged_ = true;
  } else if (outcome.bad_delta) {
    spdlog::warn("coordinator {}: {}; reconnecting for a snapshot", address, *outcome.bad_delta);
  } else if (rejected) {
    // The operator must act (upgrade one side, fix the node's flags); say
    // it at every attempt, which is rare at the longest back-off.
    spdlog::error("coordinator {} refused this agent ({}); pods keep running, retrying in {:.1f}s",
                  address, Describe(outcome.status), std::chrono::duration<double>(delay).count());
    outage_logged_ = true;
  } else if (outcome.connected && !last_rejected_) {
    spdlog::warn("disconnected from coordinator {} ({}); pods keep running, reconnecting", address,
                 Describe(outcome.status));
    outage_logged_ = true;
  } else if (!outage_logged_) {
    spdlog::warn("cannot reach coordinator {} ({}); pods keep running, retrying", address,
                 Describe(outcome.status));
    outage_logged_ = true;
  } else {
    spdlog::debug("cannot reach coordinator {} ({})", address, Describe(outcome.status));
  }
  last_rejected_ = rejected;
}

CoordinatorLink::Outcome CoordinatorLink::RunStream(const std::string& address,
                                                    bool want_snapshot) {
  Outcome outcome;
  std::optional<Greeting> greeting = RequestGreeting(address, want_snapshot);
  if (!greeting) {
    outcome.stopped = true;
    return outcome;
  }
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  try {
    credentials = options_.credentials(address);
  } catch (const std::exception& failure) {
    outcome.no_credentials = failure.what();
    // Waits as long as a refusal: a join refused now is refused again soon.
    outcome.status = grpc::Status(grpc::StatusCode::UNAUTHENTICATED, failure.what());
    return outcome;
  }
  const std::unique_ptr<v1::AgentService::Stub> stub = v1::AgentService::NewStub(
      MakeChannel(address, credentials, KeepaliveFor(options_.coordinators.size())));
  const auto context = std::make_shared<grpc::ClientContext>();
  {
    std::lock_guard lock(shared_->mutex);
    if (shared_->stopping) {
      outcome.stopped = true;
      return outcome;
    }
    shared_->context = context;
    shared_->stream_done = false;
  }
  const std::unique_ptr<Stream> stream = stub->Connect(context.get());
  v1::AgentMessage hello;
  *hello.mutable_hello() = std::move(greeting->hello);
  std::thread writer;
  const Clock::time_point started = Clock::now();
  // The Hello going out means the transport is up: the agent counts as
  // connected from here (the coordinator may skip the snapshot when the
  // agent already holds its version, so waiting for one could take long).
  if (stream->Write(hello)) {
    outcome.connected = true;
    SetConnected(address, true);
    writer = std::thread([this, &stream, &address] { WriteLoop(*stream, address); });
    outcome.bad_delta = ReadLoop(*stream, *context, std::move(greeting->base));
  }
  {
    std::lock_guard lock(shared_->mutex);
    shared_->stream_done = true;
    shared_->taking_status = false;
    shared_->pending_status.reset();
  }
  shared_->changed.notify_all();
  if (writer.joinable()) writer.join();
  outcome.status = stream->Finish();
  outcome.lived = Clock::now() - started;
  {
    std::lock_guard lock(shared_->mutex);
    shared_->context.reset();
    outcome.stopped = shared_->stopping;
  }
  if (outcome.connected) SetConnected(address, false);
  return outcome;
}

std::optional<std::string> CoordinatorLink::ReadLoop(Stream& stream, grpc::ClientContext& context,
                                                     v1::DesiredState base) {
  v1::CoordinatorMessage message;
  bool first_on_stream = true;
  while (stream.Read(&message)) {
    if (message.has_snapshot()) {
      base = std::move(*message.mutable_snapshot());
    } else if (message.has_delta()) {
      std::optional<v1::DesiredState> merged = ApplyDesiredStateDelta(base, message.delta());
      if (!merged) {
        const std::string reason =
            "delta from version " + std::to_string(message.delta().base_version()) +
            " does not apply to the version held, " + std::to_string(base.version());
        context.TryCancel();
        while (stream.Read(&message)) {
        }
        return reason;
      }
      base = *std::move(merged);
    } else {
      continue;  // a message kind from a newer coordinator
    }
    auto state = std::make_shared<const v1::DesiredState>(base);
    Post([state, first_on_stream](Shared& shared) {
      shared.callbacks.apply(*state, first_on_stream);
    });
    first_on_stream = false;
  }
  return std::nullopt;
}

void CoordinatorLink::WriteLoop(Stream& stream, const std::string& address) {
  NameCurrentThread("coord-link-send");
  Shared& shared = *shared_;
  Clock::time_point next_heartbeat = Clock::now() + options_.heartbeat_interval;
  std::unique_lock lock(shared.mutex);
  while (true) {
    shared.changed.wait_until(lock, next_heartbeat, [&] {
      return shared.stream_done || shared.pending_status.has_value();
    });
    if (shared.stream_done) return;
    v1::AgentMessage message;
    if (shared.pending_status) {
      *message.mutable_status() = *std::move(shared.pending_status);
      shared.pending_status.reset();
      message.mutable_status()->set_coordinator(address);
    } else if (Clock::now() >= next_heartbeat) {
      *message.mutable_heartbeat()->mutable_time() = TimeUtil::GetCurrentTime();
      next_heartbeat = Clock::now() + options_.heartbeat_interval;
    } else {
      continue;
    }
    // One write in flight: reports made meanwhile replace each other in
    // pending_status, so the coordinator gets the newest, not a backlog.
    lock.unlock();
    const bool written = stream.Write(message);
    lock.lock();
    if (!written) return;  // the reader sees the stream end
  }
}

std::optional<CoordinatorLink::Greeting> CoordinatorLink::RequestGreeting(
    const std::string& address, bool want_snapshot) {
  {
    std::lock_guard lock(shared_->mutex);
    shared_->greeting.reset();
  }
  // Built on the io_context, where the agent's state lives. The status it
  // carries makes any report still waiting from an earlier stream obsolete.
  Post([address, want_snapshot](Shared& shared) {
    Greeting greeting;
    greeting.hello = shared.callbacks.make_hello();
    greeting.hello.set_protocol_version(kProtocolVersion);
    if (shared.callbacks.held_state && !want_snapshot) {
      if (auto held = shared.callbacks.held_state()) greeting.base = *std::move(held);
    }
    greeting.hello.set_desired_version(greeting.base.version());
    v1::StatusReport* status = greeting.hello.mutable_status();
    *status = shared.callbacks.current_status();
    *status->mutable_time() = TimeUtil::GetCurrentTime();
    status->set_coordinator(address);
    {
      std::lock_guard lock(shared.mutex);
      shared.greeting = std::move(greeting);
      shared.taking_status = true;
      shared.pending_status.reset();
    }
    shared.changed.notify_all();
  });
  std::unique_lock lock(shared_->mutex);
  shared_->changed.wait(lock, [this] { return shared_->stopping || shared_->greeting; });
  if (shared_->stopping) return std::nullopt;
  std::optional<Greeting> greeting = std::move(shared_->greeting);
  shared_->greeting.reset();
  return greeting;
}

void CoordinatorLink::SetConnected(const std::string& address, bool connected) {
  if (connected) {
    // After a refusal the next stream is mostly refused too; the error
    // said what matters.
    if (last_rejected_) {
      spdlog::debug("connected to coordinator {}", address);
    } else {
      spdlog::info("connected to coordinator {}", address);
    }
    outage_logged_ = false;
  }
  {
    std::lock_guard lock(shared_->mutex);
    shared_->connected_to = connected ? address : "";
  }
  Post([](Shared& shared) {
    if (shared.callbacks.connection_changed) shared.callbacks.connection_changed();
  });
}

}  // namespace fleetset::agent
