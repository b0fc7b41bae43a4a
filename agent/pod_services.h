// What pod work runs on, wired once as the agent wires it: the volume
// manager, the runtime layer over the CRI runtime, and the prober; and the
// PodWorkerDeps that hand them, with the executor and the loop, to every
// pod worker. The agent, the benchmark and the tests all build pods this way.
#pragma once

#include <boost/asio/io_context.hpp>

#include <memory>
#include <string>

#include "agent/pod_prober.h"
#include "agent/pod_worker.h"
#include "agent/runtime_manager.h"
#include "agent/volumes/volume_manager.h"

namespace fleetset::agent {

// The seams pod work needs from outside.
struct PodSeams {
  CriRuntime* runtime = nullptr;
  ProbeExecutor* probes = nullptr;
  const Clock* clock = nullptr;
  Executor* executor = nullptr;
  boost::asio::io_context* loop = nullptr;
  // Null: pull anonymously.
  const RegistryCredentials* credentials = nullptr;
  // Jitter of the back-offs.
  RandomSource* random = &SystemRandom();
  // Null: pods' log directories are neither recorded nor removed.
  const PodLogLedger* pod_logs = nullptr;
};

class PodServices {
 public:
  // `node_defaults` (node name, host IP, log root, DNS) go into every pod's
  // context; each pod's directory is <pods_dir>/<uid>.
  PodServices(const PodSeams& seams, const PodContext& node_defaults, const std::string& pods_dir);

  const PodWorkerDeps& worker_deps() const { return worker_deps_; }
  const VolumeManager& volumes() const { return *volumes_; }
  const RuntimeManager& runtime() const { return *runtime_; }

 private:
  std::unique_ptr<VolumeManager> volumes_;
  std::unique_ptr<RuntimeManager> runtime_;
  std::unique_ptr<PodProber> prober_;
  PodWorkerDeps worker_deps_;
};

}  // namespace fleetset::agent
