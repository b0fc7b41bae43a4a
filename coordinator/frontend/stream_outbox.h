// What the agent hub holds for a connected agent. A newer state replaces
// one not yet sent, so a slow agent receives the latest state, never a
// backlog; after the first snapshot each write is the delta from what the
// agent last got. `Stream` is the agent's server stream (gRPC's reactor;
// a fake in tests): StartWrite and Finish.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "coordinator/agenthub/agent_outbox.h"
#include "coordinator/frontend/grpc_status.h"
#include "coordinator/frontend/serial_stream_writer.h"
#include "fleetset/desired_state_delta.h"
#include "fleetset/v1/agent_service.pb.h"

namespace fleetset::coordinator {

template <class Stream>
class StreamOutbox final : public AgentOutbox,
                           public SerialStreamWriter<Stream, v1::CoordinatorMessage> {
  using Writer = SerialStreamWriter<Stream, v1::CoordinatorMessage>;

 public:
  // `queued` counts, across the service, the outboxes holding a state not
  // written yet.
  StreamOutbox(Stream* stream, std::shared_ptr<std::atomic<int64_t>> queued)
      : Writer(stream), queued_(std::move(queued)) {}
  ~StreamOutbox() override { SetQueuedLocked(false); }

  void Offer(std::shared_ptr<const v1::DesiredState> state) override {
    std::lock_guard lock(this->mu_);
    if (!this->OpenLocked() || OlderThan(*state, latest_)) return;
    latest_ = std::move(state);
    this->StartNextLocked();
    SetQueuedLocked(latest_ != nullptr && latest_ != sent_);
  }

  void Close(const ApiError& why) override { this->Finish(ToGrpcStatus(why)); }

 private:
  const v1::CoordinatorMessage* NextLocked() override {
    if (latest_ == nullptr || latest_ == sent_) return nullptr;
    outgoing_.Clear();
    if (sent_ == nullptr) {
      *outgoing_.mutable_snapshot() = *latest_;
    } else {
      *outgoing_.mutable_delta() = MakeDesiredStateDelta(*sent_, *latest_);
    }
    sent_ = latest_;
    SetQueuedLocked(false);
    return &outgoing_;
  }

  // The message is gRPC's no longer: its copy of the DaemonSets a delta
  // carries goes now rather than when the next state comes, so a fleet's
  // streams do not each keep the last message they sent.
  void OnWrittenLocked() override { outgoing_.Clear(); }

  void SetQueuedLocked(bool queued) {
    if (queued == queued_now_) return;
    queued_now_ = queued;
    *queued_ += queued ? 1 : -1;
  }

  std::shared_ptr<std::atomic<int64_t>> queued_;
  bool queued_now_ = false;

  std::shared_ptr<const v1::DesiredState> latest_;
  std::shared_ptr<const v1::DesiredState> sent_;
  v1::CoordinatorMessage outgoing_;
};

}  // namespace fleetset::coordinator
