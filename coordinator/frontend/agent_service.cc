#include "coordinator/frontend/agent_service.h"

#include <spdlog/spdlog.h>

#include <mutex>
#include <optional>
#include <variant>

#include "coordinator/frontend/grpc_status.h"
#include "coordinator/frontend/stream_outbox.h"

namespace fleetset::coordinator {

namespace {

using Reactor = grpc::ServerBidiReactor<v1::AgentMessage, v1::CoordinatorMessage>;

class AgentStream final : public Reactor {
 public:
  // `caller` is who the certificate says is calling, or why it was not
  // accepted (the stream ends with it at hello).
  AgentStream(AgentHub& hub, const Access& access, std::variant<Caller, grpc::Status> caller,
              std::string peer, std::shared_ptr<std::atomic<int64_t>> queued)
      : hub_(hub),
        access_(access),
        caller_(std::move(caller)),
        peer_(std::move(peer)),
        outbox_(std::make_shared<StreamOutbox<Reactor>>(this, std::move(queued))) {
    StartRead(&incoming_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      // The agent closed its side or the connection broke.
      outbox_->Finish(grpc::Status::OK);
      return;
    }
    if (grpc::Status status = Handle(); !status.ok()) {
      spdlog::warn("agent stream from {} ({}): {}", peer_,
                   node_name_.empty() ? "no hello" : node_name_, status.error_message());
      outbox_->Finish(status);
      return;
    }
    StartRead(&incoming_);
  }

  void OnWriteDone(bool ok) override { outbox_->WriteDone(ok); }

  void OnDone() override {
    if (!node_name_.empty()) {
      hub_.Disconnect(node_name_, outbox_.get());
      spdlog::info("agent of node {} disconnected", node_name_);
    }
    outbox_->Detach();
    delete this;
  }

 private:
  grpc::Status Handle() {
    if (node_name_.empty()) {
      if (!incoming_.has_hello()) {
        return {grpc::StatusCode::INVALID_ARGUMENT, "the first message must be hello"};
      }
      if (const auto* refused = std::get_if<grpc::Status>(&caller_)) return *refused;
      const Caller& caller = std::get<Caller>(caller_);
      const Action action{"connect", "nodes", {}, incoming_.hello().node_name()};
      grpc::Status status = Serve([&] { hub_.Connect(caller, incoming_.hello(), outbox_); });
      if (!status.ok()) access_.Audit(caller, action, status);
      if (status.ok()) {
        node_name_ = incoming_.hello().node_name();
        spdlog::info("agent of node {} connected from {}", node_name_, peer_);
      }
      return status;
    }
    switch (incoming_.message_case()) {
      case v1::AgentMessage::kStatus:
        // Moved out: the next read parses into a cleared message anyway.
        hub_.Report(node_name_, std::move(*incoming_.mutable_status()));
        return grpc::Status::OK;
      case v1::AgentMessage::kHeartbeat:
        hub_.Heartbeat(node_name_);
        return grpc::Status::OK;
      case v1::AgentMessage::kHello:
        return {grpc::StatusCode::INVALID_ARGUMENT, "hello was already sent on this stream"};
      default:
        return {grpc::StatusCode::INVALID_ARGUMENT, "empty agent message"};
    }
  }

  AgentHub& hub_;
  const Access& access_;
  std::variant<Caller, grpc::Status> caller_;
  std::string peer_;
  std::string node_name_;
  std::shared_ptr<StreamOutbox<Reactor>> outbox_;
  v1::AgentMessage incoming_;
};

}  // namespace

grpc::ServerBidiReactor<v1::AgentMessage, v1::CoordinatorMessage>* AgentServiceImpl::Connect(
    grpc::CallbackServerContext* context) {
  std::variant<Caller, grpc::Status> caller;
  try {
    caller = access_.Identify(*context);
  } catch (const ApiError& error) {
    caller = ToGrpcStatus(error);
    spdlog::warn("agent stream from {} refused: {}", context->peer(), error.what());
    access_.Audit(Access::Unidentified(*context), {"connect", "nodes", {}, {}},
                  std::get<grpc::Status>(caller));
  }
  return new AgentStream(hub_, access_, std::move(caller), context->peer(), queued_);
}

grpc::ServerUnaryReactor* AgentServiceImpl::Join(grpc::CallbackServerContext* context,
                                                 const v1::JoinRequest* request,
                                                 v1::CertificateResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  const Action action{"join", "nodes", {}, request->node_name()};
  // Whatever certificate came along (a node re-joining may still have one),
  // the token is what authenticates a join.
  const Caller caller = Access::Unidentified(*context);
  const grpc::Status status = Serve([&] {
    IssuedNodeCertificate issued = enrollment_.Join(caller, request->token(), request->node_name(),
                                                    request->certificate_request());
    response->set_certificate(std::move(issued.certificate_pem));
    response->set_ca_certificate(std::move(issued.ca_pem));
  });
  if (status.ok()) {
    spdlog::info("node {} joined from {}", request->node_name(), context->peer());
  } else {
    spdlog::warn("join of node {} from {} refused: {}", request->node_name(), context->peer(),
                 status.error_message());
  }
  access_.Audit(caller, action, status);
  reactor->Finish(status);
  return reactor;
}

grpc::ServerUnaryReactor* AgentServiceImpl::RenewCertificate(
    grpc::CallbackServerContext* context, const v1::RenewCertificateRequest* request,
    v1::CertificateResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  std::optional<Caller> caller;
  Action action{"renew", "certificates", {}, {}};
  const grpc::Status status = Serve([&] {
    caller = access_.Identify(*context);
    action.name = caller->name;
    IssuedNodeCertificate issued = enrollment_.Renew(*caller, request->certificate_request());
    response->set_certificate(std::move(issued.certificate_pem));
    response->set_ca_certificate(std::move(issued.ca_pem));
  });
  access_.Audit(caller.value_or(Access::Unidentified(*context)), action, status);
  reactor->Finish(status);
  return reactor;
}

}  // namespace fleetset::coordinator
