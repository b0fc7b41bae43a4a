// How fleetsetctl reaches the coordinators: which of them, how long to wait
// for each answer, and how a failed call reads (kubectl's wording, one line).
#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "client_config.h"
#include "commands.h"
#include "endpoint.h"
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

// The coordinators a command may talk to. Every coordinator of a fleet
// serves operators, so a command goes to whichever answers: before each
// call the preferred one (at first the first listed) is given a short
// window to connect, then the next in turn, and the one that answered is
// preferred for the rest of the command. With one coordinator, calls go
// straight to it: there is no other to try, and the request timeout alone
// bounds the wait.
class Connection {
 public:
  template <typename Request, typename Response>
  using Method = grpc::Status (v1::OperatorService::Stub::*)(grpc::ClientContext*, const Request&,
                                                             Response*);

  // Whether a call changes anything. A call that went out on a connected
  // channel and then got no answer (the coordinator died or stopped) may
  // have been applied: a read is asked of the next coordinator, a write is
  // not sent again. A call that found no connected channel never left, and
  // either kind goes to the next coordinator.
  enum class Effect { kRead, kWrite };

  // Resolves the servers, the credentials and the timeout from the global
  // flags (see client_config.h); on a bad flag, a missing or unusable
  // credential prints the error, sets io.exit_code and returns null.
  // Nothing is dialled until the first call.
  static std::unique_ptr<Connection> Open(const GlobalOptions& global, Io& io);

  // Makes one unary call that changes nothing (Get, List, Version...) or
  // one that does (Apply, Delete, Label, Create...), with the request
  // timeout. On failure prints the error line, sets io.exit_code to 1 and
  // returns false.
  template <typename Request, typename Response>
  bool Read(Method<Request, Response> method, const Request& request, Response* response,
            const CallOptions& options = {}) {
    return Reported(Invoke(Effect::kRead, method, request, response), options);
  }
  template <typename Request, typename Response>
  bool Write(Method<Request, Response> method, const Request& request, Response* response,
             const CallOptions& options = {}) {
    return Reported(Invoke(Effect::kWrite, method, request, response), options);
  }

  // The same call, returning its status without printing anything: for
  // callers that tolerate some failures. Report() prints one.
  template <typename Request, typename Response>
  grpc::Status Invoke(Effect effect, Method<Request, Response> method, const Request& request,
                      Response* response) {
    return Attempt(effect, [&](v1::OperatorService::Stub& stub, grpc::ClientContext* context) {
      response->Clear();  // of what a read that failed may have left
      return (stub.*method)(context, request, response);
    });
  }

  // A stub on a coordinator that can be reached, for a streaming call
  // (make its context with PrepareContext); null, with the error printed,
  // when none can.
  v1::OperatorService::Stub* LiveStub();
  // A context for a call: with the request timeout, or none for a watch,
  // which lasts until the user interrupts it.
  void PrepareContext(grpc::ClientContext* context, bool with_deadline) const;
  // Prints a failed call's error line and sets the exit code.
  void Report(const grpc::Status& status, const CallOptions& options = {});

  // True once a call found no coordinator reachable; loops over several
  // objects stop rather than print the same line for each.
  bool unreachable() const { return unreachable_; }
  // Every coordinator's address, as listed.
  std::vector<std::string> servers() const;

 private:
  using StubCall = std::function<grpc::Status(v1::OperatorService::Stub&, grpc::ClientContext*)>;

  Connection(const ClientSettings& settings, std::chrono::milliseconds timeout, Io& io);

  grpc::Status Attempt(Effect effect, const StubCall& call);
  // Whether the coordinator at `index` is connected or connects within
  // the window; if not, adds why to `failures`.
  bool Reach(size_t index, std::vector<std::string>* failures);
  bool Reported(const grpc::Status& status, const CallOptions& options);
  // Prints the coordinator's warnings about the answer (each once).
  void ShowWarnings(const grpc::ClientContext& context);

  std::chrono::milliseconds timeout_;
  Io& io_;
  std::vector<std::unique_ptr<Endpoint>> endpoints_;
  // The one that answered last, tried first.
  size_t preferred_ = 0;
  // The one the last call went to, or was last tried.
  size_t last_ = 0;
  // Why each coordinator failed, when none could take the last call.
  std::vector<std::string> failures_;
  bool unreachable_ = false;
  std::set<std::string> shown_warnings_;
};

}  // namespace fleetset::ctl
