#include "agent/instrumented_cri_runtime.h"

#include <chrono>

namespace fleetset::agent {

namespace {

constexpr const char* kMethods[] = {
    "Version",          "Status",           "RunPodSandbox",      "StopPodSandbox",
    "RemovePodSandbox", "PodSandboxStatus", "ListPodSandbox",     "CreateContainer",
    "StartContainer",   "StopContainer",    "RemoveContainer",    "ListContainers",
    "ContainerStatus",  "ExecSync",         "ListImages",         "ImageStatus",
    "PullImage",        "RemoveImage",      "ReopenContainerLog", "ImageFsInfo",
};

const char* CodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return "OK";
    case grpc::StatusCode::CANCELLED:
      return "CANCELLED";
    case grpc::StatusCode::UNKNOWN:
      return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND:
      return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS:
      return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION:
      return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED:
      return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE:
      return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED:
      return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL:
      return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE:
      return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS:
      return "DATA_LOSS";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "UNAUTHENTICATED";
    default:
      return "UNKNOWN";
  }
}

}  // namespace

InstrumentedCriRuntime::InstrumentedCriRuntime(std::shared_ptr<CriRuntime> inner, Metrics& metrics)
    : inner_(std::move(inner)),
      errors_(prometheus::BuildCounter()
                  .Name("fleetset_agent_cri_request_errors_total")
                  .Help("CRI calls that failed, by method and gRPC status code.")
                  .Register(metrics.registry())) {
  auto& family = prometheus::BuildHistogram()
                     .Name("fleetset_agent_cri_request_duration_seconds")
                     .Help("Duration of the agent's calls to the CRI runtime, by method.")
                     .Register(metrics.registry());
  for (const char* method : kMethods) {
    durations_[method] = &family.Add({{"method", method}}, LatencyBuckets());
  }
}

template <class Call>
grpc::Status InstrumentedCriRuntime::Timed(const char* method, Call&& call) {
  const auto start = std::chrono::steady_clock::now();
  grpc::Status status = call();
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  durations_.at(method)->Observe(elapsed.count());
  if (!status.ok()) {
    errors_.Add({{"method", method}, {"code", CodeName(status.error_code())}}).Increment();
  }
  return status;
}

#define FLEETSET_TIMED_CRI_CALL(Method, Request, Response)                    \
  grpc::Status InstrumentedCriRuntime::Method(const cri::Request& request,    \
                                              cri::Response* response) {      \
    return Timed(#Method, [&] { return inner_->Method(request, response); }); \
  }

FLEETSET_TIMED_CRI_CALL(Version, VersionRequest, VersionResponse)
FLEETSET_TIMED_CRI_CALL(Status, StatusRequest, StatusResponse)
FLEETSET_TIMED_CRI_CALL(RunPodSandbox, RunPodSandboxRequest, RunPodSandboxResponse)
FLEETSET_TIMED_CRI_CALL(StopPodSandbox, StopPodSandboxRequest, StopPodSandboxResponse)
FLEETSET_TIMED_CRI_CALL(RemovePodSandbox, RemovePodSandboxRequest, RemovePodSandboxResponse)
FLEETSET_TIMED_CRI_CALL(PodSandboxStatus, PodSandboxStatusRequest, PodSandboxStatusResponse)
FLEETSET_TIMED_CRI_CALL(ListPodSandbox, ListPodSandboxRequest, ListPodSandboxResponse)
FLEETSET_TIMED_CRI_CALL(CreateContainer, CreateContainerRequest, CreateContainerResponse)
FLEETSET_TIMED_CRI_CALL(StartContainer, StartContainerRequest, StartContainerResponse)
FLEETSET_TIMED_CRI_CALL(StopContainer, StopContainerRequest, StopContainerResponse)
FLEETSET_TIMED_CRI_CALL(RemoveContainer, RemoveContainerRequest, RemoveContainerResponse)
FLEETSET_TIMED_CRI_CALL(ListContainers, ListContainersRequest, ListContainersResponse)
FLEETSET_TIMED_CRI_CALL(ContainerStatus, ContainerStatusRequest, ContainerStatusResponse)
FLEETSET_TIMED_CRI_CALL(ExecSync, ExecSyncRequest, ExecSyncResponse)
FLEETSET_TIMED_CRI_CALL(ListImages, ListImagesRequest, ListImagesResponse)
FLEETSET_TIMED_CRI_CALL(ImageStatus, ImageStatusRequest, ImageStatusResponse)
FLEETSET_TIMED_CRI_CALL(PullImage, PullImageRequest, PullImageResponse)
FLEETSET_TIMED_CRI_CALL(RemoveImage, RemoveImageRequest, RemoveImageResponse)
FLEETSET_TIMED_CRI_CALL(ReopenContainerLog, ReopenContainerLogRequest, ReopenContainerLogResponse)
FLEETSET_TIMED_CRI_CALL(ImageFsInfo, ImageFsInfoRequest, ImageFsInfoResponse)

#undef FLEETSET_TIMED_CRI_CALL

}  // namespace fleetset::agent
