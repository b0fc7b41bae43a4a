#include "coordinator/frontend/access.h"

#include <grpc/grpc_security_constants.h>
#include <spdlog/spdlog.h>

#include "coordinator/frontend/grpc_status.h"
#include "coordinator/timestamps.h"

namespace fleetset::coordinator {

namespace {

std::string Property(const grpc::AuthContext& auth, const char* name) {
  std::vector<grpc::string_ref> values = auth.FindPropertyValues(name);
  if (values.empty()) return {};
  return std::string(values.front().data(), values.front().size());
}

std::string ResultOf(const grpc::Status& status) {
  switch (status.error_code()) {
    case grpc::StatusCode::OK:
      return "allowed";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "Unauthorized";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "Forbidden";
    case grpc::StatusCode::NOT_FOUND:
      return "NotFound";
    case grpc::StatusCode::ALREADY_EXISTS:
      return "AlreadyExists";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "Invalid";
    case grpc::StatusCode::ABORTED:
    case grpc::StatusCode::FAILED_PRECONDITION:
      return "Conflict";
    case grpc::StatusCode::UNAVAILABLE:
      return "ServiceUnavailable";
    default:
      return "InternalError";
  }
}

bool Refused(const grpc::Status& status) {
  return status.error_code() == grpc::StatusCode::UNAUTHENTICATED ||
         status.error_code() == grpc::StatusCode::PERMISSION_DENIED;
}

}  // namespace

Caller Access::Identify(const grpc::CallbackServerContext& context) const {
  std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
  Caller caller;
  if (auth == nullptr || Property(*auth, GRPC_TRANSPORT_SECURITY_TYPE_PROPERTY_NAME) !=
                             GRPC_SSL_TRANSPORT_SECURITY_TYPE) {
    caller = Caller::System("in-process");
  } else {
    caller = authenticator_.Authenticate(Property(*auth, GRPC_X509_PEM_CERT_PROPERTY_NAME),
                                         Property(*auth, GRPC_X509_PEM_CERT_CHAIN_PROPERTY_NAME));
  }
  caller.address = context.peer();
  return caller;
}

Caller Access::Unidentified(const grpc::CallbackServerContext& context) {
  Caller caller = Caller::Anonymous();
  caller.address = context.peer();
  return caller;
}

Caller Access::Admit(const grpc::CallbackServerContext& context, const Action& action) const {
  Caller caller;
  try {
    caller = Identify(context);
    Authorize(caller, action);
  } catch (const ApiError& error) {
    if (caller.address.empty()) caller.address = context.peer();
    spdlog::warn("refused {} from {}: {}", action.verb + " " + action.Object(), caller.address,
                 error.what());
    Audit(caller, action, ToGrpcStatus(error));
    throw;
  }
  return caller;
}

void Access::Audit(const Caller& caller, const Action& action, const grpc::Status& status) const {
  if (audit_ == nullptr || caller.kind == Caller::Kind::kSystem) return;
  if (!action.Mutating() && !Refused(status)) return;
  v1::AuditEvent event;
  *event.mutable_time() = ToTimestamp(clock_.WallNow());
  event.set_user(caller.kind == Caller::Kind::kAnonymous ? "system:anonymous" : caller.name);
  if (caller.kind == Caller::Kind::kUser) event.set_role(std::string(RoleName(caller.role)));
  if (caller.kind == Caller::Kind::kNode) event.set_role("node");
  event.set_verb(action.verb);
  event.set_object(action.Object());
  event.set_result(ResultOf(status));
  if (!status.ok()) event.set_message(status.error_message());
  event.set_source_address(caller.address);
  event.set_certificate_serial(caller.certificate_serial);
  audit_->Record(event);
}

}  // namespace fleetset::coordinator
