#include "connection.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <ostream>

#include "fleetset/call_warnings.h"
#include "fleetset/duration.h"
#include "fleetset/strings.h"
#include "fleetset/tls_channel.h"

namespace fleetset::ctl {
namespace {

// How long a coordinator of several is given to connect before the next
// is tried (less when the request timeout is shorter).
constexpr std::chrono::milliseconds kConnectWindow = std::chrono::seconds(3);

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

// A few words for a call sent on a connected channel that got no answer.
std::string WhyNoAnswer(const grpc::Status& status, std::chrono::milliseconds timeout) {
  if (status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
    return "did not answer within " + FormatDuration(timeout);
  }
  return ShortReason(status.error_message());
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
    : timeout_(timeout), io_(io) {
  grpc::ChannelArguments args;
  // Lists are answered whole: 10,000 nodes are about 5 MB, past gRPC's
  // default 4 MiB. The coordinator is authenticated, and limits what it
  // receives itself.
  args.SetMaxReceiveMessageSize(-1);
  const auto credentials = CoordinatorCredentials(
      settings.config.ca_pem, settings.config.certificate_pem, settings.config.key_pem);
  for (const std::string& server : settings.servers) {
    endpoints_.push_back(std::make_unique<Endpoint>(server, credentials, args));
  }
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

std::vector<std::string> Connection::servers() const {
  std::vector<std::string> addresses;
  for (const auto& endpoint : endpoints_) addresses.push_back(endpoint->address());
  return addresses;
}

bool Connection::Reach(size_t index, std::vector<std::string>* failures) {
  last_ = index;
  Endpoint& endpoint = *endpoints_[index];
  // Long enough for a coordinator across a WAN to finish its handshake,
  // short enough that a stopped one does not hold up the command.
  const auto window = timeout_.count() > 0 ? std::min(timeout_, kConnectWindow) : kConnectWindow;
  const auto why = endpoint.Reach(window);
  if (why) failures->push_back(endpoint.address() + ": " + *why);
  return !why;
}

grpc::Status Connection::Attempt(Effect effect, const StubCall& call) {
  failures_.clear();
  // One coordinator is called straight away: there is nowhere to move on to.
  const bool alone = endpoints_.size() == 1;
  std::vector<std::string> failures;
  for (size_t i = 0; i < endpoints_.size(); ++i) {
    const size_t index = (preferred_ + i) % endpoints_.size();
    if (!alone && !Reach(index, &failures)) continue;
    grpc::ClientContext context;
    PrepareContext(&context, /*with_deadline=*/true);
    grpc::Status status = call(endpoints_[index]->stub(), &context);
    ShowWarnings(context);
    if (alone || !IsTransportFailure(status)) {
      preferred_ = index;
      return status;
    }
    if (effect == Effect::kWrite) return status;
    failures.push_back(endpoints_[index]->address() + ": " + WhyNoAnswer(status, timeout_));
  }
  failures_ = std::move(failures);
  return grpc::Status(grpc::StatusCode::UNAVAILABLE, Join(failures_, "; "));
}

void Connection::ShowWarnings(const grpc::ClientContext& context) {
  // As kubectl prints an API server's Warning headers, once each.
  const auto& trailers = context.GetServerTrailingMetadata();
  for (auto [it, end] = trailers.equal_range(kWarningMetadata); it != end; ++it) {
    std::string warning(it->second.data(), it->second.size());
    if (shown_warnings_.insert(warning).second) io_.err << "Warning: " << warning << "\n";
  }
}

v1::OperatorService::Stub* Connection::LiveStub() {
  // The stream is opened by the caller: what is attempted here is only
  // finding a coordinator that can be reached.
  v1::OperatorService::Stub* live = nullptr;
  const grpc::Status status =
      Attempt(Effect::kRead, [&](v1::OperatorService::Stub& stub, grpc::ClientContext*) {
        live = &stub;
        return grpc::Status::OK;
      });
  if (!status.ok()) Report(status);
  return live;
}

bool Connection::Reported(const grpc::Status& status, const CallOptions& options) {
  if (status.ok()) return true;
  Report(status, options);
  return false;
}

void Connection::Report(const grpc::Status& status, const CallOptions& options) {
  if (IsTransportFailure(status) && !failures_.empty()) {
    if (unreachable_) return;
    unreachable_ = true;
    io_.err << "error: cannot reach any coordinator (" << Join(failures_, "; ") << ")\n";
    io_.exit_code = 1;
    return;
  }
  const Endpoint& endpoint = *endpoints_[last_];
  const bool connected = endpoint.connected();
  if (!connected && IsTransportFailure(status)) {
    if (unreachable_) return;
    unreachable_ = true;
  }
  io_.err << FormatCallError(status, endpoint.address(), connected, timeout_, options) << "\n";
  io_.exit_code = 1;
}

}  // namespace fleetset::ctl
