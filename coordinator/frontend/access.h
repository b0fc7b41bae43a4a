// The front ends' gate: who is calling (from the TLS client certificate),
// whether they may, and the audit line for what they did. Every call of
// both services passes here before it reaches the API layer.
#pragma once

#include <grpcpp/server_context.h>
#include <grpcpp/support/status.h>

#include "coordinator/auth/audit_log.h"
#include "coordinator/auth/authenticator.h"
#include "coordinator/auth/authorizer.h"

namespace fleetset::coordinator {

class Access {
 public:
  // `audit` may be null (no audit log).
  Access(const Authenticator& authenticator, AuditLog* audit, const Clock& clock)
      : authenticator_(authenticator), audit_(audit), clock_(clock) {}

  // The caller of a call over TLS, from its certificate (Anonymous when it
  // sent none). A call that did not come over TLS can only be the
  // coordinator's own in-process channel, since it listens on TLS only:
  // it is the system. Throws ApiError Unauthorized.
  Caller Identify(const grpc::CallbackServerContext& context) const;

  // Who a call is from when Identify() refused it: anonymous, at its address.
  static Caller Unidentified(const grpc::CallbackServerContext& context);

  // Identify, then Authorize; audits a refusal. Throws ApiError.
  Caller Admit(const grpc::CallbackServerContext& context, const Action& action) const;

  // One audit line when the action changes something or was refused.
  void Audit(const Caller& caller, const Action& action, const grpc::Status& status) const;

 private:
  const Authenticator& authenticator_;
  AuditLog* audit_;
  const Clock& clock_;
};

}  // namespace fleetset::coordinator
