// An in-memory CRI runtime for unit tests of the agent. It keeps sandboxes,
// containers and images the way containerd does for everything the agent
// relies on (ids, states, timestamps, label filters, stop/remove cascades,
// NOT_FOUND where containerd says NotFound), and lets a test make the
// runtime misbehave: exit containers, fail or delay calls, go away.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "agent/cri_runtime.h"
#include "fleetset/clock.h"

namespace fleetset::testing {

namespace cri = ::runtime::v1;

class FakeCriRuntime final : public agent::CriRuntime {
 public:
  // Exec probes: the container id and argv in, the command's result out.
  using ExecHandler =
      std::function<cri::ExecSyncResponse(const std::string&, const std::vector<std::string>&)>;

  // `clock` stamps created/started/finished times and must outlive this.
  explicit FakeCriRuntime(const Clock* clock);

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
  // Refused, as containerd refuses it, unless the container is running.
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
  // One image filesystem at "/var/lib/containerd/fake", using what
  // SetImageFsUsedBytes set (0 at first).
  grpc::Status ImageFsInfo(const cri::ImageFsInfoRequest& request,
                           cri::ImageFsInfoResponse* response) override;

  // --- Images -------------------------------------------------------------
  // Makes `image` present, as if pulled earlier ("busybox" and
  // "docker.io/library/busybox:latest" name the same image, as in containerd).
  void AddImage(const std::string& image);
  // PullImage of `image` fails with `status` from now on.
  void SetUnpullable(const std::string& image,
                     grpc::Status status = grpc::Status(grpc::StatusCode::NOT_FOUND,
                                                        "failed to resolve reference: not found"));
  bool HasImage(const std::string& image) const;
  void SetImageFsUsedBytes(uint64_t used_bytes);
  // The size ListImages and ImageStatus report for the (present) image;
  // 1 MiB unless set.
  void SetImageSize(const std::string& image, uint64_t bytes);
  // Marks the (present) image pinned, as containerd marks its sandbox image.
  void SetImagePinned(const std::string& image);
  // What a verbose Status() gives as containerd's "sandboxImage" config.
  void SetSandboxImage(const std::string& image);

  // --- Containers ---------------------------------------------------------
  // A running (or created) container exits now, as if its process ended.
  // Returns false if there is no such container or it is not running.
  bool ExitContainer(const std::string& id, int exit_code, const std::string& reason = "");
  void SetExecHandler(ExecHandler handler);
  // What StopContainer makes a running container exit with (SIGTERM
  // handled: 0; ignored until SIGKILL: 137).
  void SetStopExitCode(int exit_code);

  // --- Faults -------------------------------------------------------------
  // Every call fails UNAVAILABLE, as when the runtime's socket is gone.
  void SetUnavailable(bool unavailable);
  // The next call of `method` (e.g. "StartContainer") fails with `status`;
  // repeated calls queue up one failure each.
  void FailNext(const std::string& method, grpc::Status status);
  // Every call of `method` sleeps this long (real time, without holding the
  // fake's lock, so other calls proceed meanwhile).
  void SetDelay(const std::string& method, std::chrono::milliseconds delay);
  // RuntimeReady/NetworkReady as reported by Status().
  void SetConditions(bool runtime_ready, bool network_ready);

  // --- Inspection ---------------------------------------------------------
  // Calls of `method` so far, including failed ones.
  int CallCount(const std::string& method) const;
  // The timeout (seconds) of the last StopContainer of the container.
  std::optional<int64_t> StopTimeoutOf(const std::string& container_id) const;
  // How often ReopenContainerLog succeeded for the container.
  int ReopenCount(const std::string& container_id) const;
  std::optional<cri::PodSandboxConfig> SandboxConfigOf(const std::string& sandbox_id) const;
  std::optional<cri::ContainerConfig> ContainerConfigOf(const std::string& container_id) const;
  size_t SandboxCount() const;
  size_t ContainerCount() const;

 private:
  struct Sandbox {
    std::string id;
    cri::PodSandboxConfig config;
    cri::PodSandboxState state = cri::SANDBOX_READY;
    int64_t created_at = 0;
    std::string ip;
    uint64_t order = 0;
  };
  struct Container {
    std::string id;
    std::string sandbox_id;
    cri::ContainerConfig config;
    std::string image_id;
    cri::ContainerState state = cri::CONTAINER_CREATED;
    int64_t created_at = 0;
    int64_t started_at = 0;
    int64_t finished_at = 0;
    int32_t exit_code = 0;
    std::string reason;
    uint64_t order = 0;
  };

  // Counts the call, applies delay, unavailability and queued failures.
  // Returns OK when the call should go ahead.
  grpc::Status Enter(const std::string& method);
  // Must hold mu_. Strictly increasing, see the definition.
  int64_t NowNanos();
  std::string NewId();
  // Must hold mu_.
  void ExitLocked(Container* container, int exit_code, const std::string& reason);
  void RemoveContainerLocked(const std::string& id);
  std::optional<std::string> ImageIdLocked(const std::string& image) const;
  uint64_t ImageSizeLocked(const std::string& id) const;

  const Clock* clock_;
  mutable std::mutex mu_;
  std::map<std::string, Sandbox> sandboxes_;
  std::map<std::string, Container> containers_;
  // Normalised name -> image id.
  std::map<std::string, std::string> images_;
  uint64_t image_fs_used_bytes_ = 0;
  // By image id.
  std::map<std::string, uint64_t> image_sizes_;
  std::set<std::string> pinned_images_;
  std::string sandbox_image_;
  std::map<std::string, int> reopened_;
  std::map<std::string, int64_t> stop_timeouts_;
  std::map<std::string, grpc::Status> unpullable_;
  std::map<std::string, int> calls_;
  std::map<std::string, std::deque<grpc::Status>> failures_;
  std::map<std::string, std::chrono::milliseconds> delays_;
  ExecHandler exec_handler_;
  bool unavailable_ = false;
  bool runtime_ready_ = true;
  bool network_ready_ = true;
  int stop_exit_code_ = 137;
  uint64_t next_id_ = 1;
  int64_t last_timestamp_ = 0;
};

}  // namespace fleetset::testing
