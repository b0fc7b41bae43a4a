// The agents' side of the coordinator: one callback-API stream per agent,
// so thousands of agents cost no thread each.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "coordinator/agenthub/agent_hub.h"
#include "fleetset/v1/agent_service.grpc.pb.h"

namespace fleetset::coordinator {

class AgentServiceImpl final : public v1::AgentService::CallbackService {
 public:
  explicit AgentServiceImpl(AgentHub& hub) : hub_(hub) {}

  grpc::ServerBidiReactor<v1::AgentMessage, v1::CoordinatorMessage>* Connect(
      grpc::CallbackServerContext* context) override;

  // Desired states waiting behind a write in flight, over all streams (at
  // most one per stream: a newer state replaces a waiting one). Any thread.
  int64_t QueuedStates() const { return queued_->load(); }

 private:
  AgentHub& hub_;
  // Shared with the streams' outboxes, which the hub may hold a little
  // longer than the service lives.
  std::shared_ptr<std::atomic<int64_t>> queued_ = std::make_shared<std::atomic<int64_t>>(0);
};

}  // namespace fleetset::coordinator
