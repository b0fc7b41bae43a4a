// How fleetsetctl reaches the coordinator: which address, how long to wait
// for each answer, and how a failed call reads (kubectl's wording, one line).
#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "client_config.h"
#include "commands.h"
#include "fleetset/duration.h"
#include "fleetset/v1/operator_service.grpc.pb.h"

namespace fleetset::ctl {

// kubectl's durations: a bare integer is seconds ("30"), otherwise Go's
// syntax as ParseDuration reads it ("1m30s", "500ms", "2h"). "0" means no
// limit.
std::optional<std::chrono::milliseconds> ParseKubectlDuration(std::string_view text);

// How a failed call is reported.
struct CallOptions {
  // kubectl checks some things itself and prints them as `error: ...` (an
  // existing label without --overwrite, a missing revision, a taint that is
  // not there). The coordinator checks them instead and answers
  // FAILED_PRECONDITION with kubectl's message; with this set, that code is
  // printed the way kubectl prints its own check rather than as a Conflict.
  bool precondition_is_client_check = false;
  // Put before the server's message, e.g. `error when creating "ds.yaml"`.
  std::string context;
  // kubectl wraps some server errors in its own (`create configmap`:
  // `error: failed to create configmap: configmaps "x" already exists`);
  // with this set, any code the coordinator answers with is printed as
  // `error: <context>: <message>`.
  bool wrapped_in_context = false;
};

// The line printed for a failed call (without the trailing newline).
// `channel_connected` tells a coordinator that answered with an error from
// one that was never reached.
std::string FormatCallError(const grpc::Status& status, const std::string& server,
                            bool channel_connected, std::chrono::milliseconds timeout,
                            const CallOptions& options = {});

class Connection {
 public:
  template <typename Request, typename Response>
  using Method = grpc::Status (v1::OperatorService::Stub::*)(grpc::ClientContext*, const Request&,
                                                             Response*);

  // Resolves the server, the credentials and the timeout from the global
  // flags (see client_config.h); on a bad flag, a missing or unusable
  // credential prints the error, sets io.exit_code and returns null.
  // Nothing is dialled until the first call.
  static std::unique_ptr<Connection> Open(const GlobalOptions& global, Io& io);

  // Makes one unary call with the request timeout. On failure prints the
  // error line, sets io.exit_code to 1 and returns false.
  template <typename Request, typename Response>
  bool Call(Method<Request, Response> method, const Request& request, Response* response,
            const CallOptions& options = {}) {
    grpc::ClientContext context;
    PrepareContext(&context, /*with_deadline=*/true);
    const grpc::Status status = (stub_.get()->*method)(&context, request, response);
    if (status.ok()) return true;
    Report(status, options);
    return false;
  }

  // A context for a streaming call: no deadline, since a watch lasts until
  // the user interrupts it.
  void PrepareContext(grpc::ClientContext* context, bool with_deadline) const;
  v1::OperatorService::Stub& stub() { return *stub_; }
  // Prints a failed call's error line and sets the exit code.
  void Report(const grpc::Status& status, const CallOptions& options = {});

  // True once a call found the coordinator unreachable; loops over several
  // objects stop rather than print the same line for each.
  bool unreachable() const { return unreachable_; }
  const std::string& server() const { return server_; }

 private:
  Connection(const ClientSettings& settings, std::chrono::milliseconds timeout, Io& io);

  std::string server_;
  std::chrono::milliseconds timeout_;
  Io& io_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::OperatorService::Stub> stub_;
  bool unreachable_ = false;
};

}  // namespace fleetset::ctl
