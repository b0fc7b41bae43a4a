// The agent's seam over the node's CRI runtime (containerd, CRI-O): the
// runtime.v1 RuntimeService and ImageService calls the agent makes, one
// synchronous method each. The gRPC implementation talks to a unix socket;
// tests substitute FakeCriRuntime. Implementations must be safe to call from
// several threads at once (pod workers run in parallel).
#pragma once

#include <grpcpp/support/status.h>

#include <chrono>
#include <memory>
#include <string>

#include "cri/runtime/v1/api.pb.h"

namespace fleetset::agent {

namespace cri = ::runtime::v1;

class CriRuntime {
 public:
  virtual ~CriRuntime() = default;

  virtual grpc::Status Version(const cri::VersionRequest& request,
                               cri::VersionResponse* response) = 0;
  virtual grpc::Status Status(const cri::StatusRequest& request, cri::StatusResponse* response) = 0;
  virtual grpc::Status RunPodSandbox(const cri::RunPodSandboxRequest& request,
                                     cri::RunPodSandboxResponse* response) = 0;
  virtual grpc::Status StopPodSandbox(const cri::StopPodSandboxRequest& request,
                                      cri::StopPodSandboxResponse* response) = 0;
  virtual grpc::Status RemovePodSandbox(const cri::RemovePodSandboxRequest& request,
                                        cri::RemovePodSandboxResponse* response) = 0;
  virtual grpc::Status PodSandboxStatus(const cri::PodSandboxStatusRequest& request,
                                        cri::PodSandboxStatusResponse* response) = 0;
  virtual grpc::Status ListPodSandbox(const cri::ListPodSandboxRequest& request,
                                      cri::ListPodSandboxResponse* response) = 0;
  virtual grpc::Status CreateContainer(const cri::CreateContainerRequest& request,
                                       cri::CreateContainerResponse* response) = 0;
  virtual grpc::Status StartContainer(const cri::StartContainerRequest& request,
                                      cri::StartContainerResponse* response) = 0;
  virtual grpc::Status StopContainer(const cri::StopContainerRequest& request,
                                     cri::StopContainerResponse* response) = 0;
  virtual grpc::Status RemoveContainer(const cri::RemoveContainerRequest& request,
                                       cri::RemoveContainerResponse* response) = 0;
  virtual grpc::Status ListContainers(const cri::ListContainersRequest& request,
                                      cri::ListContainersResponse* response) = 0;
  virtual grpc::Status ContainerStatus(const cri::ContainerStatusRequest& request,
                                       cri::ContainerStatusResponse* response) = 0;
  virtual grpc::Status ExecSync(const cri::ExecSyncRequest& request,
                                cri::ExecSyncResponse* response) = 0;
  virtual grpc::Status ReopenContainerLog(const cri::ReopenContainerLogRequest& request,
                                          cri::ReopenContainerLogResponse* response) = 0;

  virtual grpc::Status ListImages(const cri::ListImagesRequest& request,
                                  cri::ListImagesResponse* response) = 0;
  virtual grpc::Status ImageStatus(const cri::ImageStatusRequest& request,
                                   cri::ImageStatusResponse* response) = 0;
  virtual grpc::Status PullImage(const cri::PullImageRequest& request,
                                 cri::PullImageResponse* response) = 0;
  virtual grpc::Status RemoveImage(const cri::RemoveImageRequest& request,
                                   cri::RemoveImageResponse* response) = 0;
  virtual grpc::Status ImageFsInfo(const cri::ImageFsInfoRequest& request,
                                   cri::ImageFsInfoResponse* response) = 0;
};

struct CriTimeouts {
  // Most calls are quick; a stop waits for the container's grace period
  // (added to this), a pull for the whole download.
  std::chrono::milliseconds call{std::chrono::seconds(30)};
  std::chrono::milliseconds pull{std::chrono::minutes(10)};
};

// Connects to "unix:///path/to.sock" (or "/path/to.sock"). The connection is
// made lazily; calls fail with UNAVAILABLE while the runtime is down.
std::unique_ptr<CriRuntime> ConnectCriRuntime(const std::string& endpoint,
                                              const CriTimeouts& timeouts = {});

}  // namespace fleetset::agent
