// A CriRuntime that times every call of the runtime it wraps into the
// fleetset_agent_cri_request_duration_seconds{method} histogram (and counts
// failed calls by gRPC code), so an operator can see a slow or failing
// containerd before pods show it.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>

#include <map>
#include <memory>
#include <string_view>

#include "agent/cri_runtime.h"
#include "daemon/metrics.h"

namespace fleetset::agent {

class InstrumentedCriRuntime final : public CriRuntime {
 public:
  // Registers its families in `metrics`, which must outlive it.
  InstrumentedCriRuntime(std::shared_ptr<CriRuntime> inner, Metrics& metrics);

  grpc::Status Version(const cri::VersionRequest& request, cri::VersionResponse* response) override;
  grpc::Status Status(const cri::StatusRequest& request, cri::StatusResponse* response) override;
  grpc::Status RunPodSandbox(const cri::RunPodSandboxRequest& request,
                             cri::RunPodSandboxResponse* response) override;
  grpc::Status StopPodSandbox(const cri::StopPodSandboxRequest& request,
                              cri::StopPodSandboxResponse* response) override;
  grpc::Status RemovePodSandbox(const cri::RemovePodSandboxRequest& request,
                                cri::RemovePodSandboxResponse* response) override;
  grpc::Status PodSandboxStatus(const cri::PodSandboxStatusRequest& request,
                                cri::PodSandboxStatusResponse* response) override;
  grpc::Status ListPodSandbox(const cri::ListPodSandboxRequest& request,
                              cri::ListPodSandboxResponse* response) override;
  grpc::Status CreateContainer(const cri::CreateContainerRequest& request,
                               cri::CreateContainerResponse* response) override;
  grpc::Status StartContainer(const cri::StartContainerRequest& request,
                              cri::StartContainerResponse* response) override;
  grpc::Status StopContainer(const cri::StopContainerRequest& request,
                             cri::StopContainerResponse* response) override;
  grpc::Status RemoveContainer(const cri::RemoveContainerRequest& request,
                               cri::RemoveContainerResponse* response) override;
  grpc::Status ListContainers(const cri::ListContainersRequest& request,
                              cri::ListContainersResponse* response) override;
  grpc::Status ContainerStatus(const cri::ContainerStatusRequest& request,
                               cri::ContainerStatusResponse* response) override;
  grpc::Status ExecSync(const cri::ExecSyncRequest& request,
                        cri::ExecSyncResponse* response) override;
  grpc::Status ReopenContainerLog(const cri::ReopenContainerLogRequest& request,
                                  cri::ReopenContainerLogResponse* response) override;
  grpc::Status ListImages(const cri::ListImagesRequest& request,
                          cri::ListImagesResponse* response) override;
  grpc::Status ImageStatus(const cri::ImageStatusRequest& request,
                           cri::ImageStatusResponse* response) override;
  grpc::Status PullImage(const cri::PullImageRequest& request,
                         cri::PullImageResponse* response) override;
  grpc::Status RemoveImage(const cri::RemoveImageRequest& request,
                           cri::RemoveImageResponse* response) override;
  grpc::Status ImageFsInfo(const cri::ImageFsInfoRequest& request,
                           cri::ImageFsInfoResponse* response) override;

 private:
  // Runs `call`, recording its duration under `method`.
  template <class Call>
  grpc::Status Timed(const char* method, Call&& call);

  std::shared_ptr<CriRuntime> inner_;
  prometheus::Family<prometheus::Counter>& errors_;
  // Every method's histogram, made up front: read-only afterwards, so the
  // pod workers' threads look them up without a lock.
  std::map<std::string_view, prometheus::Histogram*> durations_;
};

}  // namespace fleetset::agent
