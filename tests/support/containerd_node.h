// RAII handles on the real test environment built by
// tests/env/containerd-env.sh: a private containerd per simulated node, and
// the local image registry. Both are torn down completely when the handle
// goes away, so one test never sees another's pods, processes or mounts.
#pragma once

#include <grpcpp/channel.h>

#include <memory>
#include <string>
#include <utility>

namespace fleetset::testing {

// Image names every ContainerdNode has imported (or, for the registry image,
// can pull once a LocalRegistry runs).
inline constexpr char kTestImage[] = "docker.io/fleetset/busybox:test";
inline constexpr char kPauseImage[] = "docker.io/fleetset/pause:test";
// kTestImage's contents under another image ID.
inline constexpr char kOtherTestImage[] = "docker.io/fleetset/busybox:other";
inline constexpr char kRegistryImage[] = "127.0.0.1:5000/fleetset/busybox:registry";

// tests/env/containerd-env.sh in the source tree.
std::string ContainerdEnvScript();

class ContainerdNode {
 public:
  // Starts a containerd for node `name` in a fresh temporary directory and
  // waits until its CRI service answers. On failure records a gtest failure
  // with the script's output and returns nullptr.
  static std::unique_ptr<ContainerdNode> Start(const std::string& name);

  ContainerdNode(const ContainerdNode&) = delete;
  ContainerdNode& operator=(const ContainerdNode&) = delete;
  // Removes the node's pods through CRI (so CNI releases addresses and port
  // mappings), stops containerd, then deletes the directory.
  ~ContainerdNode();

  const std::string& name() const { return name_; }
  const std::string& dir() const { return dir_; }
  // "unix:///.../run/containerd.sock", usable by grpc::CreateChannel.
  const std::string& endpoint() const { return endpoint_; }
  std::string socket_path() const { return dir_ + "/run/containerd.sock"; }
  // A directory for PodSandboxConfig.log_directory that dies with the node.
  std::string log_dir() const { return dir_ + "/logs"; }
  std::string test_image() const { return kTestImage; }
  std::string pause_image() const { return kPauseImage; }
  std::string registry_image() const { return kRegistryImage; }

  // A channel to this node's CRI socket (shared; created on first use).
  std::shared_ptr<grpc::Channel> channel();

  // Stops containerd at once, pods and all, without asking CRI to remove
  // them first: the script's clean-up must then cope with what a crash
  // leaves behind. Idempotent; the destructor still deletes the directory.
  // Returns false after recording a gtest failure if the script failed.
  bool Stop();

 private:
  ContainerdNode(std::string name, std::string dir, std::string endpoint);

  void RemoveAllPods();

  std::string name_;
  std::string dir_;
  std::string endpoint_;
  std::shared_ptr<grpc::Channel> channel_;
  bool stopped_ = false;
};

// Debian's docker-registry on 127.0.0.1:5000, holding kRegistryImage. The
// port is fixed, so only one may run on a machine at a time.
class LocalRegistry {
 public:
  // Returns nullptr (after recording a gtest failure) if it cannot start.
  // With "user:password" the registry requires that login (htpasswd).
  static std::unique_ptr<LocalRegistry> Start(const std::string& credentials = "");

  LocalRegistry(const LocalRegistry&) = delete;
  LocalRegistry& operator=(const LocalRegistry&) = delete;
  ~LocalRegistry();

  // A name that exists only in the registry: pulling it proves the pull
  // went over the network.
  std::string image() const { return kRegistryImage; }

 private:
  explicit LocalRegistry(std::string dir) : dir_(std::move(dir)) {}

  std::string dir_;
};

}  // namespace fleetset::testing
