#include "connection.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <ostream>

#include "fleetset/duration.h"
#include "fleetset/tls_channel.h"

namespace fleetset::ctl {
namespace {

// The useful tail of gRPC's connection failure text: "failed to connect to
// all addresses; last error: UNKNOWN: ipv4:127.0.0.1:1: Failed to connect
// to remote host: Connection refused" becomes "connection refused".
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

// Kubernetes' StatusReason for a gRPC code, as kubectl shows it in
// "Error from server (Reason): ...".
std::string Reason(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::NOT_FOUND:
      return "NotFound";
    case grpc::StatusCode::ALREADY_EXISTS:
      return "AlreadyExists";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "BadRequest";
    case grpc::StatusCode::OUT_OF_RANGE:
      // A watch from a resourceVersion older than the history kept (410).
      return "Expired";
    case grpc::StatusCode::FAILED_PRECONDITION:
    case grpc::StatusCode::ABORTED:
      return "Conflict";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "Forbidden";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "Unauthorized";
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "TooManyRequests";
    case grpc::StatusCode::UNIMPLEMENTED:
      return "NotImplemented";
    case grpc::StatusCode::UNAVAILABLE:
      return "ServiceUnavailable";
    default:
      return "InternalError";
  }
}

}  // namespace

std::optional<std::chrono::milliseconds> ParseKubectlDuration(std::string_view text) {
  if (!text.empty() &&
      std::all_of(text.begin(), text.end(), [](char c) { return std::isdigit(c); })) {
    if (text.size() > 9) return std::nullopt;
    return std::chrono::seconds(std::stoll(std::string(text)));
  }
  return ParseDuration(text);
}

std::string FormatCallError(const grpc::Status& status, const std::string& server,
                            bool channel_connected, std::chrono::milliseconds timeout,
                            const CallOptions& options) {
  const grpc::StatusCode code = status.error_code();
  if (!channel_connected &&
      (code == grpc::StatusCode::UNAVAILABLE || code == grpc::StatusCode::DEADLINE_EXCEEDED)) {
    const std::string reason = code == grpc::StatusCode::UNAVAILABLE
                                   ? ShortReason(status.error_message())
                                   : "no connection within " + FormatDuration(timeout);
    return "error: cannot reach the coordinator at " + server + ": " + reason;
  }
  if (code == grpc::StatusCode::DEADLINE_EXCEEDED) {
    return "error: the coordinator at " + server + " did not answer within " +
           FormatDuration(timeout) + " (--request-timeout)";
  }
  std::string message = status.error_message();
  if (message.empty())
    message =
        "the coordinator gave no reason (gRPC code " + std::to_string(static_cast<int>(code)) + ")";
  if (!options.context.empty()) message = options.context + ": " + message;
  if (options.wrapped_in_context ||
      (code == grpc::StatusCode::FAILED_PRECONDITION && options.precondition_is_client_check)) {
    return "error: " + message;
  }
  // kubectl prints validation failures without a prefix:
  // `The DaemonSet "x" is invalid: spec.template...: Required value`.
  if (code == grpc::StatusCode::INVALID_ARGUMENT && message.starts_with("The ")) return message;
  return "Error from server (" + Reason(code) + "): " + message;
}

Connection::Connection(const ClientSettings& settings, std::chrono::milliseconds timeout, Io& io)
    : server_(settings.servers.front()), timeout_(timeout), io_(io) {
  grpc::ChannelArguments args;
  // Lists are answered whole: 10,000 nodes are about 5 MB, past gRPC's
  // default 4 MiB. The coordinator is authenticated, and limits what it
  // receives itself.
  args.SetMaxReceiveMessageSize(-1);
  channel_ = grpc::CreateCustomChannel(
      server_,
      CoordinatorCredentials(settings.config.ca_pem, settings.config.certificate_pem,
                             settings.config.key_pem),
      args);
  stub_ = v1::OperatorService::NewStub(channel_);
}

std::unique_ptr<Connection> Connection::Open(const GlobalOptions& global, Io& io) {
  const auto timeout = ParseKubectlDuration(global.request_timeout);
  if (!timeout) {
    io.err << "error: Invalid timeout value. Timeout must be a single integer in seconds, or an "
              "integer followed by a corresponding time unit (e.g. 1s | 2m | 3h)\n";
    io.exit_code = 1;
    return nullptr;
  }
  std::string error;
  const auto settings = ResolveClient(global.config, global.server, ProcessEnvironment(), &error);
  if (!settings) {
    io.err << "error: " << error << "\n";
    io.exit_code = 1;
    return nullptr;
  }
  if (auto problem = CheckClientCertificate(*settings, std::chrono::system_clock::now())) {
    io.err << "error: " << *problem << "\n";
    io.exit_code = 1;
    return nullptr;
  }
  return std::unique_ptr<Connection>(new Connection(*settings, *timeout, io));
}

void Connection::PrepareContext(grpc::ClientContext* context, bool with_deadline) const {
  if (with_deadline && timeout_.count() > 0) {
    context->set_deadline(std::chrono::system_clock::now() + timeout_);
  }
}

void Connection::Report(const grpc::Status& status, const CallOptions& options) {
  const bool connected = channel_->GetState(false) == GRPC_CHANNEL_READY;
  const grpc::StatusCode code = status.error_code();
  if (!connected &&
      (code == grpc::StatusCode::UNAVAILABLE || code == grpc::StatusCode::DEADLINE_EXCEEDED)) {
    if (unreachable_) return;
    unreachable_ = true;
  }
  io_.err << FormatCallError(status, server_, connected, timeout_, options) << "\n";
  io_.exit_code = 1;
}

}  // namespace fleetset::ctl
