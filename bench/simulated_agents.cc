#include "bench/simulated_agents.h"

#include <google/protobuf/util/time_util.h>
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <optional>
#include <random>
#include <set>
#include <utility>

#include "fleetset/agent_stream_transport.h"
#include "fleetset/desired_eligibility.h"
#include "fleetset/desired_state_delta.h"
#include "fleetset/pod_owner.h"
#include "fleetset/pod_readiness.h"
#include "fleetset/tls_channel.h"
#include "fleetset/uid.h"
#include "fleetset/v1/agent_service.grpc.pb.h"
#include "fleetset/version.h"

namespace fleetset::bench {

using google::protobuf::util::TimeUtil;

// ---------------------------------------------------------------------------
// FleetRecorder
// ---------------------------------------------------------------------------

void FleetRecorder::FirstSnapshot(SteadyClock::time_point when) {
  {
    std::lock_guard lock(mu_);
    snapshots_.push_back(when);
  }
  changed_.notify_all();
}

void FleetRecorder::FirstRunning(const PodRevision& revision, SteadyClock::time_point when) {
  {
    std::lock_guard lock(mu_);
    running_[revision].push_back(when);
  }
  changed_.notify_all();
}

void FleetRecorder::Started(const PodRevision& revision, SteadyClock::time_point when) {
  std::lock_guard lock(mu_);
  started_[revision].push_back(when);
}

void FleetRecorder::Stopped(const PodRevision& revision, SteadyClock::time_point when) {
  {
    std::lock_guard lock(mu_);
    stopped_[revision].push_back(when);
  }
  changed_.notify_all();
}

std::vector<SteadyClock::time_point> FleetRecorder::WaitForStopped(
    const std::vector<PodRevision>& revisions, size_t count, SteadyClock::time_point deadline) {
  return WaitForEach(stopped_, revisions, count, deadline);
}

std::vector<SteadyClock::time_point> FleetRecorder::StartTimes(
    const std::vector<PodRevision>& revisions) const {
  std::lock_guard lock(mu_);
  return TimesOf(started_, revisions);
}

void FleetRecorder::StreamLost(const std::string& reason) {
  std::lock_guard lock(mu_);
  ++lost_;
  ++losses_[reason];
}

void FleetRecorder::StreamFailed(const std::string& why) {
  {
    std::lock_guard lock(mu_);
    if (failures_++ == 0) first_failure_ = why;
  }
  changed_.notify_all();
}

template <typename Done>
void FleetRecorder::WaitUntil(SteadyClock::time_point deadline, Done done) {
  std::unique_lock lock(mu_);
  // A failed stream never reports, so waiting on would only run into the
  // deadline; the caller reports the failure. A signal handler cannot
  // notify, hence the short slices.
  auto finished = [&] {
    return failures_ > 0 || done() || (interrupted_ != nullptr && interrupted_->load());
  };
  while (!finished() && SteadyClock::now() < deadline) {
    changed_.wait_until(
        lock, std::min(deadline, SteadyClock::now() + std::chrono::milliseconds(100)), finished);
  }
}

std::vector<SteadyClock::time_point> FleetRecorder::WaitForSnapshots(
    size_t count, SteadyClock::time_point deadline) {
  WaitUntil(deadline, [&] { return snapshots_.size() >= count; });
  std::lock_guard lock(mu_);
  return snapshots_;
}

std::vector<SteadyClock::time_point> FleetRecorder::WaitForRunning(
    const std::vector<PodRevision>& revisions, size_t count, SteadyClock::time_point deadline) {
  return WaitForEach(running_, revisions, count, deadline);
}

std::vector<SteadyClock::time_point> FleetRecorder::WaitForEach(
    TimesByRevision& times_by_revision, const std::vector<PodRevision>& revisions, size_t count,
    SteadyClock::time_point deadline) {
  WaitUntil(deadline, [&] {
    return std::all_of(revisions.begin(), revisions.end(), [&](const PodRevision& revision) {
      return times_by_revision[revision].size() >= count;
    });
  });
  std::lock_guard lock(mu_);
  return TimesOf(times_by_revision, revisions);
}

std::vector<SteadyClock::time_point> FleetRecorder::TimesOf(
    const TimesByRevision& times_by_revision, const std::vector<PodRevision>& revisions) {
  std::vector<SteadyClock::time_point> times;
  for (const PodRevision& revision : revisions) {
    auto found = times_by_revision.find(revision);
    if (found != times_by_revision.end()) {
      times.insert(times.end(), found->second.begin(), found->second.end());
    }
  }
  return times;
}

size_t FleetRecorder::failures() const {
  std::lock_guard lock(mu_);
  return failures_;
}

std::string FleetRecorder::first_failure() const {
  std::lock_guard lock(mu_);
  return first_failure_;
}

size_t FleetRecorder::lost_streams() const {
  std::lock_guard lock(mu_);
  return lost_;
}

std::map<std::string, size_t> FleetRecorder::losses() const {
  std::lock_guard lock(mu_);
  return losses_;
}

// ---------------------------------------------------------------------------
// SimulatedAgent: the node, which outlives its streams
// ---------------------------------------------------------------------------

namespace {

std::string RandomSuffix() {
  static constexpr char kAlphabet[] = "bcdfghjklmnpqrstvwxz2456789";
  thread_local std::mt19937 random{std::random_device{}()};
  std::uniform_int_distribution<size_t> pick(0, sizeof kAlphabet - 2);
  std::string suffix(5, ' ');
  for (char& c : suffix) c = kAlphabet[pick(random)];
  return suffix;
}

// The real agent's reconnect back-off: a random delay under a ceiling that
// starts at 0.5 s and doubles up to 30 s, reset by a stream that stayed up
// for a minute.
constexpr auto kInitialBackoff = std::chrono::milliseconds(500);
constexpr auto kMaxBackoff = std::chrono::seconds(30);
constexpr auto kBackoffResetAfter = std::chrono::seconds(60);

SteadyClock::duration Jitter(std::chrono::milliseconds ceiling) {
  thread_local std::mt19937_64 random{std::random_device{}()};
  std::uniform_int_distribution<int64_t> pick(0, ceiling.count());
  return std::chrono::milliseconds(pick(random));
}

}  // namespace

std::string SimulatedNodeName(int index) {
  char name[32];
  std::snprintf(name, sizeof name, "node-%05d", index);
  return name;
}

class SimulatedAgent {
 public:
  SimulatedAgent(int index, const std::vector<std::string>& coordinators, FleetRecorder& recorder)
      : index_(index),
        coordinators_(coordinators),
        coordinator_(static_cast<size_t>(index) % coordinators.size()),
        recorder_(recorder),
        name_(SimulatedNodeName(index)) {
    char ip[32];
    std::snprintf(ip, sizeof ip, "10.%d.%d.%d", (index >> 16) & 0xff, (index >> 8) & 0xff,
                  index & 0xff);
    ip_ = ip;
  }

  int index() const { return index_; }
  const std::string& name() const { return name_; }

  v1::Hello Hello() const {
    v1::Hello hello;
    hello.set_protocol_version(kProtocolVersion);
    hello.set_node_name(name_);
    hello.mutable_labels()->insert(
        {{kLabelHostname, name_}, {kLabelOs, "linux"}, {kLabelArch, "amd64"}});
    v1::NodeSystemInfo& info = *hello.mutable_node_info();
    info.set_kernel_version("6.1.0-simulated");
    info.set_os_image("Simulated Linux");
    info.set_container_runtime_version("simulated://1.0");
    info.set_agent_version(kVersion);
    info.set_operating_system("linux");
    info.set_architecture("amd64");
    info.set_machine_id(name_);
    info.set_boot_id(boot_id_);
    v1::NodeAddress& internal = *hello.add_addresses();
    internal.set_type("InternalIP");
    internal.set_address(ip_);
    v1::NodeAddress& hostname = *hello.add_addresses();
    hostname.set_type("Hostname");
    hostname.set_address(name_);
    *hello.mutable_status() = Report();
    return hello;
  }

  // Takes the snapshot or delta in `message`; the error when it cannot.
  std::string Receive(v1::CoordinatorMessage& message) {
    if (message.has_snapshot()) {
      state_ = std::move(*message.mutable_snapshot());
      if (!got_snapshot_) recorder_.FirstSnapshot(SteadyClock::now());
      got_snapshot_ = true;
      return "";
    }
    if (!message.has_delta()) return "empty coordinator message";
    if (!state_) return "delta before any snapshot";
    std::optional<v1::DesiredState> applied = ApplyDesiredStateDelta(*state_, message.delta());
    if (!applied) {
      return "delta on version " + std::to_string(message.delta().base_version()) +
             " but the agent holds " + std::to_string(state_->version());
    }
    state_ = std::move(*applied);
    return "";
  }

  // The real agent's decisions, with a runtime that does everything at once.
  void Reconcile() {
    NodeFacts facts = NodeFactsOf(name_, state_->node());
    // As the real agent: the labels it discovers itself are always its own.
    facts.labels[kLabelHostname] = name_;
    facts.labels[kLabelOs] = "linux";
    facts.labels[kLabelArch] = "amd64";

    eligibility_.clear();
    std::map<std::string, v1::Pod> next;
    std::set<std::string> kept;
    for (const v1::DesiredDaemonSet& desired : state_->daemon_sets()) {
      const std::string key = PodOwner::DaemonSet(desired.metadata()).Key();
      const EligibilityDecision decision = EvaluateDesiredDaemonSet(desired, facts);
      eligibility_.push_back(ToEligibility(key, decision));

      auto current = pods_.find(key);
      const bool keep = current != pods_.end() && decision.should_continue_running &&
                        current->second.revision_hash() == desired.revision_hash() &&
                        !Deleted(desired, current->second);
      if (keep) {
        kept.insert(key);
        next[key] = std::move(current->second);
      } else if (decision.should_run) {
        next[key] = StartPod(desired);
        recorder_.Started({key, desired.revision_hash()}, SteadyClock::now());
      }
    }
    const auto now = SteadyClock::now();
    for (const auto& [key, pod] : pods_) {
      if (!kept.contains(key)) recorder_.Stopped({key, pod.revision_hash()}, now);
    }
    pods_ = std::move(next);
  }

  v1::StatusReport Report() const {
    v1::StatusReport report;
    report.set_node_name(name_);
    if (state_) report.set_desired_version(state_->version());
    for (const auto& [key, pod] : pods_) *report.add_pods() = pod;
    for (const v1::Eligibility& eligibility : eligibility_) *report.add_eligibility() = eligibility;
    *report.mutable_time() = TimeUtil::GetCurrentTime();
    report.set_runtime("simulated 1.0");
    report.set_coordinator(coordinators_[coordinator_]);
    return report;
  }

  // The revisions of `report`'s pods that this node reports for the first
  // time; they count as reported from now on. Called by the stream that
  // writes the report, under that stream's lock.
  std::vector<PodRevision> NewlyReported(const v1::StatusReport& report) {
    std::vector<PodRevision> revisions;
    for (const v1::Pod& pod : report.pods()) {
      PodRevision revision{pod.owner(), pod.revision_hash()};
      if (reported_.insert(revision).second) revisions.push_back(std::move(revision));
    }
    return revisions;
  }

  // A write that failed took these revisions with it: the next stream's
  // report is their first again. Called as NewlyReported is.
  void ForgetReported(const std::vector<PodRevision>& revisions) {
    for (const PodRevision& revision : revisions) reported_.erase(revision);
  }

  // The stream slot, guarded by SimulatedFleet::mu_: the current stream
  // (kept after it ended until the next one replaces it), when to open the
  // next one, and the back-off.
  std::shared_ptr<AgentStream> stream;
  std::optional<SteadyClock::time_point> reconnect_at;
  SteadyClock::time_point heartbeat_at;
  int losses_in_a_row = 0;
  // The stub the node's streams use, for coordinator `stub_for`; replaced
  // when it moves to another (by OpenStream, the only one that uses it).
  std::unique_ptr<v1::AgentService::Stub> stub;
  size_t stub_for = 0;

  const std::string& coordinator() const { return coordinators_[coordinator_]; }
  size_t coordinator_index() const { return coordinator_; }
  // After a lost stream, as the real agent: the next coordinator listed.
  void MoveOn() { coordinator_ = (coordinator_ + 1) % coordinators_.size(); }

 private:
  static bool Deleted(const v1::DesiredDaemonSet& desired, const v1::Pod& pod) {
    for (const std::string& uid : desired.deleted_pod_uids()) {
      if (uid == pod.metadata().uid()) return true;
    }
    return false;
  }

  // The pod as the real agent reports a started one.
  v1::Pod StartPod(const v1::DesiredDaemonSet& desired) const {
    const google::protobuf::Timestamp now = TimeUtil::GetCurrentTime();
    v1::Pod pod;
    pod.set_api_version("v1");
    pod.set_kind("Pod");
    v1::ObjectMeta& meta = *pod.mutable_metadata();
    meta.set_name(desired.metadata().name() + "-" + RandomSuffix());
    meta.set_namespace_(desired.metadata().namespace_());
    meta.set_uid(GenerateUid());
    *meta.mutable_labels() = desired.template_().metadata().labels();
    (*meta.mutable_labels())["controller-revision-hash"] = desired.revision_hash();
    *meta.mutable_creation_timestamp() = now;
    pod.set_node_name(name_);
    pod.set_owner(DaemonSetReference(desired.metadata()));
    pod.set_revision_hash(desired.revision_hash());
    pod.set_sandbox_id(GenerateUid());
    v1::PodStatus& status = *pod.mutable_status();
    status.set_phase("Running");
    status.set_host_ip(ip_);
    status.set_pod_ip(ip_);
    *status.mutable_start_time() = now;
    SetPodConditions(/*initialized=*/true, /*ready=*/true, &status);
    for (v1::PodCondition& condition : *status.mutable_conditions()) {
      *condition.mutable_last_transition_time() = now;
    }
    for (const v1::Container& spec : desired.template_().spec().containers()) {
      v1::ContainerStatus& container = *status.add_container_statuses();
      container.set_name(spec.name());
      container.set_image(spec.image());
      container.set_image_id(spec.image());
      container.set_container_id("simulated://" + GenerateUid());
      container.set_ready(true);
      container.set_started(true);
      *container.mutable_state()->mutable_running()->mutable_started_at() = now;
    }
    return pod;
  }

  const int index_;
  // Every coordinator, shared by the fleet, and the one this node uses:
  // its share of them at first, the next one after each lost stream.
  const std::vector<std::string>& coordinators_;
  std::atomic<size_t> coordinator_;
  FleetRecorder& recorder_;
  const std::string name_;
  std::string ip_;
  // The same boot across reconnections: the host did not restart.
  const std::string boot_id_ = GenerateUid();

  // Touched by the read reactions of the node's stream (one at a time, and
  // one stream at a time) and, before a stream starts, by Hello().
  std::optional<v1::DesiredState> state_;
  bool got_snapshot_ = false;
  std::map<std::string, v1::Pod> pods_;  // by DaemonSet namespace/name
  std::vector<v1::Eligibility> eligibility_;
  // The revisions this node has reported running.
  std::set<PodRevision> reported_;
};

// ---------------------------------------------------------------------------
// AgentStream: one stream of one agent
// ---------------------------------------------------------------------------

class AgentStream final : public grpc::ClientBidiReactor<v1::AgentMessage, v1::CoordinatorMessage>,
                          public std::enable_shared_from_this<AgentStream> {
 public:
  AgentStream(SimulatedFleet& fleet, SimulatedAgent& agent) : fleet_(fleet), agent_(agent) {}

  void Start(v1::AgentService::Stub& stub) {
    // gRPC holds the reactor until OnDone, whatever the fleet drops; OnDone
    // hands the hold back to the fleet (SimulatedFleet::Release).
    self_ = shared_from_this();
    started_ = SteadyClock::now();
    stub.async()->Connect(&context_, this);
    // The hold keeps OnDone back while the heartbeat thread may still
    // write; it goes once the stream is closed and no write is in flight.
    AddHold();
    *outgoing_.mutable_hello() = agent_.Hello();
    StartWrite(&outgoing_);
    StartRead(&incoming_);
    StartCall();
  }

  void SendHeartbeat() {
    {
      std::lock_guard lock(mu_);
      heartbeat_due_ = true;
    }
    WriteNext();
  }

  void Cancel() { context_.TryCancel(); }

  // Ended by a failure that is already recorded: no reconnection.
  bool failed() const { return failed_; }
  // Got a message from the coordinator.
  bool received() const { return received_; }
  SteadyClock::time_point started() const { return started_; }

  void OnReadDone(bool ok) override {
    if (!ok) {
      Close();
      return;
    }
    received_ = true;
    fleet_.recorder_.MessageReceived();
    if (std::string error = agent_.Receive(incoming_); !error.empty()) {
      failed_ = true;
      fleet_.recorder_.StreamFailed(agent_.name() + ": " + error);
      Close();
      context_.TryCancel();
      return;
    }
    agent_.Reconcile();
    v1::AgentMessage report;
    *report.mutable_status() = agent_.Report();
    {
      std::lock_guard lock(mu_);
      // Only the newest status matters, as with the real agent's link.
      pending_status_ = std::move(report);
    }
    WriteNext();
    StartRead(&incoming_);
  }

  void OnWriteDone(bool ok) override {
    const auto now = SteadyClock::now();
    std::vector<PodRevision> first_running;
    bool release = false;
    {
      std::lock_guard lock(mu_);
      writing_ = false;
      first_running.swap(outgoing_new_revisions_);
      if (!ok) {
        closed_ = true;
        agent_.ForgetReported(first_running);
      }
      release = closed_ && !hold_released_;
      if (release) hold_released_ = true;
    }
    if (ok) {
      for (const PodRevision& revision : first_running) {
        fleet_.recorder_.FirstRunning(revision, now);
      }
    }
    if (release) {
      RemoveHold();
    } else {
      WriteNext();
    }
  }

  void OnDone(const grpc::Status& status) override {
    fleet_.StreamEnded(agent_, *this, status);
    // Last, and this reactor is not touched after it: the fleet frees it
    // on a thread of its own. Freed here, on gRPC's callback thread, it
    // could drop the last reference to the last agent channel (its
    // ClientContext holds one), and gRPC 1.51 then shuts down the callback
    // threads' completion queue from one of those threads, which aborts
    // the process ("assertion failed: prior > 0").
    fleet_.Release(std::move(self_));
  }

 private:
  // Starts the next write (status first, else a heartbeat) unless one is in
  // flight. StartWrite is called without the lock: gRPC may run
  // OnWriteDone inline, which takes it.
  void WriteNext() {
    {
      std::lock_guard lock(mu_);
      if (writing_ || closed_) return;
      if (pending_status_) {
        outgoing_ = std::move(*pending_status_);
        pending_status_.reset();
        heartbeat_due_ = false;  // a report is contact enough
        outgoing_new_revisions_ = agent_.NewlyReported(outgoing_.status());
        fleet_.recorder_.ReportSent();
      } else if (heartbeat_due_) {
        outgoing_.Clear();
        *outgoing_.mutable_heartbeat()->mutable_time() = TimeUtil::GetCurrentTime();
        heartbeat_due_ = false;
      } else {
        return;
      }
      writing_ = true;
    }
    StartWrite(&outgoing_);
  }

  // No more writes; the hold goes now or when the write in flight is done.
  void Close() {
    bool release = false;
    {
      std::lock_guard lock(mu_);
      closed_ = true;
      release = !writing_ && !hold_released_;
      if (release) hold_released_ = true;
    }
    if (release) RemoveHold();
  }

  SimulatedFleet& fleet_;
  SimulatedAgent& agent_;
  grpc::ClientContext context_;
  std::shared_ptr<AgentStream> self_;
  SteadyClock::time_point started_;
  // Set by the read reactions; read in OnDone.
  std::atomic<bool> failed_{false};
  std::atomic<bool> received_{false};

  // Touched by the read reactions only (one at a time) and, before the
  // call starts, by Start().
  v1::CoordinatorMessage incoming_;

  std::mutex mu_;
  v1::AgentMessage outgoing_;
  std::optional<v1::AgentMessage> pending_status_;
  // The revisions that the write in flight reports for the first time.
  std::vector<PodRevision> outgoing_new_revisions_;
  bool heartbeat_due_ = false;
  // The hello is the first write, in flight from the start: a heartbeat
  // due before Start() waits for it.
  bool writing_ = true;
  bool closed_ = false;
  bool hold_released_ = false;
};

// ---------------------------------------------------------------------------
// SimulatedFleet
// ---------------------------------------------------------------------------

SimulatedFleet::SimulatedFleet(SimulatedFleetOptions options)
    : options_(std::move(options)), recorder_(options_.interrupted) {
  const FleetCredentials& credentials = options_.credentials;
  for (const NodeCredentials& node : credentials.nodes) {
    credentials_.push_back(
        CoordinatorCredentials(credentials.ca_pem, node.certificate_pem, node.key_pem));
  }
  // The credentials hold their own copies; 10,000 keys need not stay here
  // twice.
  options_.credentials.nodes.clear();
  options_.credentials.nodes.shrink_to_fit();
  for (size_t i = 0; i < credentials_.size(); ++i) {
    agents_.push_back(
        std::make_unique<SimulatedAgent>(static_cast<int>(i), options_.coordinators, recorder_));
  }
  BuildChannels();
}

std::unique_ptr<v1::AgentService::Stub> SimulatedFleet::StubFor(int agent,
                                                                const std::string& address) {
  grpc::ChannelArguments args;
  // Channels with equal arguments could share a subchannel, i.e. one
  // connection; a private pool keeps every agent on its own, as a real
  // agent is.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  // The real agent dials a fresh channel for every attempt, so only its
  // own back-off delays a reconnection. A channel whose connection
  // failed would instead fail the agent's next stream at once for up to
  // two minutes (gRPC's reconnect back-off); redialling within a second
  // leaves the delay to the agent's back-off here too.
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  SetAgentStreamTransport(args);
  return v1::AgentService::NewStub(
      grpc::CreateCustomChannel(address, credentials_[static_cast<size_t>(agent)], args));
}

void SimulatedFleet::BuildChannels() {
  for (auto& agent : agents_) {
    agent->stub = StubFor(agent->index(), agent->coordinator());
    agent->stub_for = agent->coordinator_index();
  }
}

SimulatedFleet::~SimulatedFleet() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  stop_.notify_all();
  // First, so that no stream opens after the ones cancelled below.
  if (ticks_.joinable()) ticks_.join();
  std::vector<std::shared_ptr<AgentStream>> streams;
  {
    std::lock_guard lock(mu_);
    for (auto& agent : agents_) {
      if (agent->stream) streams.push_back(agent->stream);
    }
  }
  for (auto& stream : streams) stream->Cancel();
  std::unique_lock lock(mu_);
  // Every stream back from gRPC, so that the streams and then the channels
  // are freed here, on this thread (see AgentStream::OnDone).
  if (!released_.wait_for(lock, std::chrono::seconds(30), [this] { return in_grpc_ == 0; })) {
    // gRPC still owns a reactor whose OnDone has not run: leaking it (and
    // the agents it refers to) is better than freeing memory a callback
    // will touch.
    for (auto& stream : streams) (void)new std::shared_ptr<AgentStream>(stream);
    for (auto& agent : agents_) (void)agent.release();
  }
  finished_.clear();
}

void SimulatedFleet::Connect() {
  const auto start = SteadyClock::now();
  const auto period = options_.heartbeat_period;
  const int count = nodes();
  for (int i = 0; i < count; ++i) {
    // Spread evenly over the period, as a real fleet's agents would be.
    agents_[static_cast<size_t>(i)]->heartbeat_at = start + period + period * i / count;
  }
  // Heartbeats start with the first stream, not after the last one: a
  // real agent heartbeats from its own connect, and at N = 10,000 the
  // streams take longer to start than a node's lease lasts.
  ticks_ = std::thread([this] { TickLoop(); });
  for (auto& agent : agents_) OpenStream(*agent);
}

void SimulatedFleet::OpenStream(SimulatedAgent& agent) {
  auto stream = std::make_shared<AgentStream>(*this, agent);
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    agent.stream = stream;
    ++in_grpc_;
  }
  if (agent.stub_for != agent.coordinator_index()) {
    agent.stub = StubFor(agent.index(), agent.coordinator());
    agent.stub_for = agent.coordinator_index();
  }
  stream->Start(*agent.stub);
}

void SimulatedFleet::Release(std::shared_ptr<AgentStream> stream) {
  {
    std::lock_guard lock(mu_);
    finished_.push_back(std::move(stream));
    --in_grpc_;
  }
  released_.notify_all();
}

void SimulatedFleet::StreamEnded(SimulatedAgent& agent, const AgentStream& stream,
                                 const grpc::Status& status) {
  std::lock_guard lock(mu_);
  if (stopping_ || stream.failed()) return;
  const std::string reason = std::string(stream.received() ? "" : "before any state: ") +
                             std::to_string(status.error_code()) + " " + status.error_message();
  // As the real agent, which takes these for a refusal it cannot retry away
  // (its protocol, its Hello, its certificate or the node it names).
  if (status.error_code() == grpc::StatusCode::FAILED_PRECONDITION ||
      status.error_code() == grpc::StatusCode::INVALID_ARGUMENT ||
      status.error_code() == grpc::StatusCode::UNAUTHENTICATED ||
      status.error_code() == grpc::StatusCode::PERMISSION_DENIED) {
    recorder_.StreamFailed(agent.name() + ": stream ended: " + reason);
    return;
  }
  recorder_.StreamLost(reason);
  agent.MoveOn();
  const auto now = SteadyClock::now();
  if (now - stream.started() >= kBackoffResetAfter) agent.losses_in_a_row = 0;
  const std::chrono::milliseconds ceiling = std::min<std::chrono::milliseconds>(
      kMaxBackoff, kInitialBackoff * (1 << agent.losses_in_a_row));
  // Bounded so that the shift above cannot overflow; the ceiling has long
  // reached its maximum by then.
  agent.losses_in_a_row = std::min(agent.losses_in_a_row + 1, 10);
  agent.reconnect_at = now + Jitter(ceiling);
}

void SimulatedFleet::TickLoop() {
  const auto period = options_.heartbeat_period;
  std::unique_lock lock(mu_);
  while (!stop_.wait_for(lock, std::chrono::milliseconds(100), [this] { return stopping_; })) {
    const auto now = SteadyClock::now();
    std::vector<std::shared_ptr<AgentStream>> heartbeats;
    std::vector<SimulatedAgent*> reconnects;
    // Freed outside the lock, on this thread (see AgentStream::OnDone).
    std::vector<std::shared_ptr<AgentStream>> finished;
    finished.swap(finished_);
    for (auto& agent : agents_) {
      if (now >= agent->heartbeat_at) {
        agent->heartbeat_at += period;
        if (agent->stream) heartbeats.push_back(agent->stream);
      }
      if (agent->reconnect_at && now >= *agent->reconnect_at) {
        agent->reconnect_at.reset();
        reconnects.push_back(agent.get());
      }
    }
    // Streams are written and opened without the lock: their reactions
    // (OnDone above all) take it.
    lock.unlock();
    finished.clear();
    for (auto& stream : heartbeats) stream->SendHeartbeat();
    for (SimulatedAgent* agent : reconnects) OpenStream(*agent);
    lock.lock();
  }
}

}  // namespace fleetset::bench
