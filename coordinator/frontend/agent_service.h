// The agents' side of the coordinator: one callback-API stream per agent,
// so thousands of agents cost no thread each, and the calls that give an
// agent its certificate. Only a node's certificate may open a stream, and
// only for that node (AgentHub::Connect checks the name).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "coordinator/agenthub/agent_hub.h"
#include "coordinator/api/enrollment_api.h"
#include "coordinator/frontend/access.h"
#include "fleetset/v1/agent_service.grpc.pb.h"

namespace fleetset::coordinator {

class AgentServiceImpl final : public v1::AgentService::CallbackService {
 public:
  AgentServiceImpl(AgentHub& hub, EnrollmentApi& enrollment, const Access& access)
      : hub_(hub), enrollment_(enrollment), access_(access) {}

  grpc::ServerBidiReactor<v1::AgentMessage, v1::CoordinatorMessage>* Connect(
      grpc::CallbackServerContext* context) override;
  grpc::ServerUnaryReactor* Join(grpc::CallbackServerContext* context,
                                 const v1::JoinRequest* request,
                                 v1::CertificateResponse* response) override;
  grpc::ServerUnaryReactor* RenewCertificate(grpc::CallbackServerContext* context,
                                             const v1::RenewCertificateRequest* request,
                                             v1::CertificateResponse* response) override;

  // Desired states waiting behind a write in flight, over all streams (at
  // most one per stream: a newer state replaces a waiting one). Any thread.
  int64_t QueuedStates() const { return queued_->load(); }
  // Nodes whose report waits to be taken in by the hub (at most one per
  // node: a newer report replaces a waiting one). Any thread.
  size_t QueuedReports() const { return hub_.QueuedReports(); }

 private:
  AgentHub& hub_;
  EnrollmentApi& enrollment_;
  const Access& access_;
  // Shared with the streams' outboxes, which the hub may hold a little
  // longer than the service lives.
  std::shared_ptr<std::atomic<int64_t>> queued_ = std::make_shared<std::atomic<int64_t>>(0);
};

}  // namespace fleetset::coordinator
