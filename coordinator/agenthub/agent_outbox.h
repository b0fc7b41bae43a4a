// An agent's open stream, as the agent hub sees it. Neither call may
// block: the front end queues and sends on its own.
#pragma once

#include <memory>

#include "coordinator/registry/api_error.h"
#include "fleetset/v1/agent_service.pb.h"

namespace fleetset::coordinator {

// Whether `state` is older than `held` (the hub numbers the states it
// offers in increasing order).
inline bool OlderThan(const v1::DesiredState& state,
                      const std::shared_ptr<const v1::DesiredState>& held) {
  return held != nullptr && state.version() < held->version();
}

class AgentOutbox {
 public:
  virtual ~AgentOutbox() = default;
  // The node's latest desired state; replaces any not yet sent. The hub
  // offers outside its lock, so two offers to one node may arrive out of
  // order: one older than the state already held (OlderThan) is dropped.
  virtual void Offer(std::shared_ptr<const v1::DesiredState> state) = 0;
  // Ends the stream with `why` (the node was deleted, or a newer stream
  // for the same node took over).
  virtual void Close(const ApiError& why) = 0;
};

}  // namespace fleetset::coordinator
