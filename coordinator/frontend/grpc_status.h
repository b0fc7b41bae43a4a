// The one place where the registry's errors become gRPC statuses, worded
// as kube-apiserver words them so fleetsetctl can print kubectl's
// "Error from server (NotFound): daemonsets.apps "x" not found".
#pragma once

#include <grpcpp/server_context.h>
#include <grpcpp/support/status.h>
#include <spdlog/spdlog.h>

#include <exception>

#include "coordinator/registry/api_error.h"
#include "coordinator/registry/caller.h"

namespace fleetset::coordinator {

grpc::Status ToGrpcStatus(const ApiError& error);

// Runs `call`, turning what it throws into a status: an ApiError as above,
// anything else as INTERNAL (logged; the server keeps serving).
template <typename Call>
grpc::Status Serve(Call&& call) {
  try {
    call();
    return grpc::Status::OK;
  } catch (const ApiError& error) {
    return ToGrpcStatus(error);
  } catch (const std::exception& error) {
    spdlog::error("request failed: {}", error.what());
    return {grpc::StatusCode::INTERNAL, std::string("internal error: ") + error.what()};
  }
}

}  // namespace fleetset::coordinator
