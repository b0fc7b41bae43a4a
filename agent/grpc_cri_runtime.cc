// CriRuntime over gRPC to the runtime's unix socket. Both services share one
// channel; gRPC stubs are thread-safe, so no locking is needed here.
#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/channel_arguments.h>

#include <chrono>
#include <memory>
#include <string>

#include "agent/cri_runtime.h"
#include "cri/runtime/v1/api.grpc.pb.h"

namespace fleetset::agent {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// ListContainers and ListPodSandbox on a busy node, with many exited
// containers still around, easily exceed gRPC's 4 MiB default.
constexpr int kMaxReceiveMessageBytes = 16 * 1024 * 1024;

std::string ChannelTarget(const std::string& endpoint) {
  if (endpoint.starts_with("/")) return "unix://" + endpoint;
  return endpoint;
}

// Converts a seconds count from a request (grace period, exec timeout) into
// extra deadline, ignoring nonsense values rather than overflowing.
milliseconds ExtraSeconds(int64_t value) {
  constexpr int64_t kMaxSeconds = 24 * 3600;
  if (value <= 0) return milliseconds(0);
  return seconds(value > kMaxSeconds ? kMaxSeconds : value);
}

class GrpcCriRuntime final : public CriRuntime {
 public:
  GrpcCriRuntime(const std::shared_ptr<grpc::Channel>& channel, const CriTimeouts& timeouts)
      : runtime_(cri::RuntimeService::NewStub(channel)),
        images_(cri::ImageService::NewStub(channel)),
        timeouts_(timeouts) {}

  grpc::Status Version(const cri::VersionRequest& request,
                       cri::VersionResponse* response) override {
    return Call(runtime_.get(), &cri::RuntimeService::Stub::Version, request, response,
                timeouts_.call);
  }
  grpc::Status Status(const cri::StatusRequest& request, cri::StatusResponse* response) override {
    return Call(runtime_.get(), &cri::RuntimeService::Stub::Status, request, response,
                timeouts_.call);
  }
  grpc::Status RunPodSandbox(const cri::RunPodSandboxRequest& request,
                             cri::RunPodSandboxResponse* response) override {
    return Call(runtime_.get(), &cri::RuntimeService::Stub::RunPodSandbox, request, response,
                timeouts_.call);
  }
  grpc::Status StopPodSandbox(const cri::StopPodSandboxRequest& request,
                              cri::StopPodSandboxResponse* response) override {
    return Call(runtime_.get(), &cri::RuntimeService::Stub::StopPodSandbox, request, response,
                timeouts_.call);
  }
  grpc::Status RemovePodSandbox(const cri::RemovePodSandboxRequest& request,
                                cri::RemovePodSandboxResponse* response) override {
    return Call(runtime_.get(), &cri::RuntimeService::Stub::RemovePodSandbox, request, response,
                timeouts_.call);
  }
  grpc::Status PodSandboxStatus(const cri::PodSandboxStatusRequest& request,
                                cri::PodSandboxStatusResponse* response) override {
    return Call(runtime_.get(), &cri::RuntimeService::Stub::PodSandboxStatus, request, response,
                timeouts_.call);
  }
  grpc::Status ListPodSandbox(const cri::ListPodSandboxRequest& request,
                              cri::ListPodSandboxResponse* response) override {
    return Call(runtime_.get(), &cri::RuntimeService::Stub::ListPodSandbox, request, response,
                timeouts_.call);
  }
  grpc::Status CreateContainer(const cri::CreateContainerRequest& request,
                               cri::CreateContainerResponse* response) override {
    return Call(runtime_.get(), &cri::RuntimeService::Stub::CreateContainer, request, response,
                timeouts_.call);
  }
  grpc::Status StartContainer(const cri::StartContainerRequest& request,
                              cri::StartContainerResponse* response) override {
    return Call(runtime_.get(), &cri::RuntimeService::Stub::StartContainer, request, response,
                timeouts_.call);
  }
  grpc::Status StopContainer(const cri::StopContainerRequest& request,
                             cri::StopContainerResponse* response) override {
    // The runtime waits up to the grace period before SIGKILL, then reaps.
    return Call(runtime_.get(), &cri::RuntimeService::Stub::StopContainer, request, response,
                timeouts_.call + ExtraSeconds(request.timeout()));
  }
  grpc::Status RemoveContainer(const cri::RemoveContainerRequest& request,
                               cri::RemoveContainerResponse* response) override {
    return Call(runtime_.get(), &cri::RuntimeService::Stub::RemoveContainer, request, response,
                timeouts_.call);
  }
  grpc::Status ListContainers(const cri::ListContainersRequest& request,
                              cri::ListContainersResponse* response) override {
    return Call(runtime_.get(), &cri::RuntimeService::Stub::ListContainers, request, response,
                timeouts_.call);
  }
  grpc::Status ContainerStatus(const cri::ContainerStatusRequest& request,
                               cri::ContainerStatusResponse* response) override {
    return Call(runtime_.get(), &cri::RuntimeService::Stub::ContainerStatus, request, response,
                timeouts_.call);
  }
  grpc::Status ExecSync(const cri::ExecSyncRequest& request,
                        cri::ExecSyncResponse* response) override {
    // The command itself may run for request.timeout seconds (kubelet gives
    // exec probes the same allowance on top of its runtime timeout).
    return Call(runtime_.get(), &cri::RuntimeService::Stub::ExecSync, request, response,
                timeouts_.call + ExtraSeconds(request.timeout()));
  }

  grpc::Status ReopenContainerLog(const cri::ReopenContainerLogRequest& request,
                                  cri::ReopenContainerLogResponse* response) override {
    return Call(runtime_.get(), &cri::RuntimeService::Stub::ReopenContainerLog, request, response,
                timeouts_.call);
  }

  grpc::Status ListImages(const cri::ListImagesRequest& request,
                          cri::ListImagesResponse* response) override {
    return Call(images_.get(), &cri::ImageService::Stub::ListImages, request, response,
                timeouts_.call);
  }
  grpc::Status ImageStatus(const cri::ImageStatusRequest& request,
                           cri::ImageStatusResponse* response) override {
    return Call(images_.get(), &cri::ImageService::Stub::ImageStatus, request, response,
                timeouts_.call);
  }
  grpc::Status PullImage(const cri::PullImageRequest& request,
                         cri::PullImageResponse* response) override {
    return Call(images_.get(), &cri::ImageService::Stub::PullImage, request, response,
                timeouts_.pull);
  }
  grpc::Status RemoveImage(const cri::RemoveImageRequest& request,
                           cri::RemoveImageResponse* response) override {
    return Call(images_.get(), &cri::ImageService::Stub::RemoveImage, request, response,
                timeouts_.call);
  }
  grpc::Status ImageFsInfo(const cri::ImageFsInfoRequest& request,
                           cri::ImageFsInfoResponse* response) override {
    return Call(images_.get(), &cri::ImageService::Stub::ImageFsInfo, request, response,
                timeouts_.call);
  }

 private:
  template <typename Stub, typename Request, typename Response>
  static grpc::Status Call(Stub* stub,
                           grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&,
                                                        Response*),
                           const Request& request, Response* response, milliseconds timeout) {
    grpc::ClientContext context;
    // Every call has a deadline: a wedged runtime must surface as
    // DEADLINE_EXCEEDED instead of stalling a pod worker forever.
    context.set_deadline(std::chrono::system_clock::now() + timeout);
    return (stub->*method)(&context, request, response);
  }

  std::unique_ptr<cri::RuntimeService::Stub> runtime_;
  std::unique_ptr<cri::ImageService::Stub> images_;
  const CriTimeouts timeouts_;
};

}  // namespace

std::unique_ptr<CriRuntime> ConnectCriRuntime(const std::string& endpoint,
                                              const CriTimeouts& timeouts) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(kMaxReceiveMessageBytes);
  // A local socket: reconnect quickly after the runtime restarts instead of
  // backing off for up to two minutes as gRPC would for a remote peer.
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  auto channel =
      grpc::CreateCustomChannel(ChannelTarget(endpoint), grpc::InsecureChannelCredentials(), args);
  return std::make_unique<GrpcCriRuntime>(channel, timeouts);
}

}  // namespace fleetset::agent
