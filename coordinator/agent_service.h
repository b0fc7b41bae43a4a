// The agents' side of the coordinator: one callback-API stream per agent,
// so thousands of agents cost no thread each.
#pragma once

#include "coordinator/fleet.h"
#include "fleetset/v1/agent_service.grpc.pb.h"

namespace fleetset::coordinator {

class AgentServiceImpl final : public v1::AgentService::CallbackService {
 public:
  explicit AgentServiceImpl(Fleet& fleet) : fleet_(fleet) {}

  grpc::ServerBidiReactor<v1::AgentMessage, v1::CoordinatorMessage>* Connect(
      grpc::CallbackServerContext* context) override;

 private:
  Fleet& fleet_;
};

}  // namespace fleetset::coordinator
