#include "endpoint.h"

#include <cctype>

#include "fleetset/duration.h"

namespace fleetset::ctl {
namespace {

std::string NoAnswer(std::chrono::milliseconds window) {
  return "no answer within " + FormatDuration(window);
}

}  // namespace

std::string ShortReason(const std::string& message) {
  std::string reason = message;
  if (const size_t colon = reason.rfind(": "); colon != std::string::npos) {
    reason = reason.substr(colon + 2);
  }
  while (!reason.empty() && std::isspace(static_cast<unsigned char>(reason.back()))) {
    reason.pop_back();
  }
  if (reason.empty()) return "unavailable";
  reason[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(reason[0])));
  return reason;
}

Endpoint::Endpoint(std::string address,
                   const std::shared_ptr<grpc::ChannelCredentials>& credentials,
                   const grpc::ChannelArguments& args)
    : address_(std::move(address)),
      channel_(grpc::CreateCustomChannel(address_, credentials, args)),
      stub_(v1::OperatorService::NewStub(channel_)) {}

bool Endpoint::connected() const { return channel_->GetState(false) == GRPC_CHANNEL_READY; }

std::optional<std::string> Endpoint::Reach(std::chrono::milliseconds window) {
  const auto deadline = std::chrono::system_clock::now() + window;
  grpc_connectivity_state state = channel_->GetState(/*try_to_connect=*/true);
  while (state != GRPC_CHANNEL_READY) {
    if (state == GRPC_CHANNEL_TRANSIENT_FAILURE || state == GRPC_CHANNEL_SHUTDOWN) {
      return FailureReason(window);
    }
    if (!channel_->WaitForStateChange(state, deadline)) return NoAnswer(window);
    state = channel_->GetState(/*try_to_connect=*/true);
  }
  return std::nullopt;
}

bool IsTransportFailure(const grpc::Status& status) {
  return status.error_code() == grpc::StatusCode::UNAVAILABLE ||
         status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED;
}

std::optional<std::string> Endpoint::FailureReason(std::chrono::milliseconds window) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + window);
  v1::VersionResponse response;
  const grpc::Status status = stub_->Version(&context, v1::VersionRequest(), &response);
  // The channel came back in the meantime and the coordinator answered.
  if (!IsTransportFailure(status)) return std::nullopt;
  if (status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) return NoAnswer(window);
  return ShortReason(status.error_message());
}

}  // namespace fleetset::ctl
