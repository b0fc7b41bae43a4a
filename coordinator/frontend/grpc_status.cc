#include "coordinator/frontend/grpc_status.h"

namespace fleetset::coordinator {

namespace {

grpc::StatusCode CodeOf(ApiError::Reason reason) {
  switch (reason) {
    case ApiError::Reason::kNotFound:
      return grpc::StatusCode::NOT_FOUND;
    case ApiError::Reason::kAlreadyExists:
      return grpc::StatusCode::ALREADY_EXISTS;
    case ApiError::Reason::kConflict:
      return grpc::StatusCode::ABORTED;
    case ApiError::Reason::kInvalid:
    case ApiError::Reason::kBadRequest:
      return grpc::StatusCode::INVALID_ARGUMENT;
    case ApiError::Reason::kPrecondition:
      return grpc::StatusCode::FAILED_PRECONDITION;
    case ApiError::Reason::kUnauthorized:
      return grpc::StatusCode::UNAUTHENTICATED;
    case ApiError::Reason::kForbidden:
      return grpc::StatusCode::PERMISSION_DENIED;
    case ApiError::Reason::kGone:
      return grpc::StatusCode::OUT_OF_RANGE;
    case ApiError::Reason::kUnavailable:
      return grpc::StatusCode::UNAVAILABLE;
    case ApiError::Reason::kInternal:
      break;
  }
  return grpc::StatusCode::INTERNAL;
}

}  // namespace

grpc::Status ToGrpcStatus(const ApiError& error) { return {CodeOf(error.reason()), error.what()}; }

}  // namespace fleetset::coordinator
