#include "agent/pod_services.h"

namespace fleetset::agent {

PodServices::PodServices(const PodSeams& seams, const PodContext& node_defaults,
                         const std::string& pods_dir)
    : volumes_(MakeVolumeManager()) {
  RuntimeManagerDeps runtime;
  runtime.runtime = seams.runtime;
  runtime.volumes = volumes_.get();
  runtime.clock = seams.clock;
  runtime.executor = seams.executor;
  runtime.node_name = node_defaults.node_name;
  runtime.hook_actions = seams.probes;
  runtime.credentials = seams.credentials;
  runtime.pod_logs = seams.pod_logs;
  runtime.backoffs.random = seams.random;
  runtime_ = std::make_unique<RuntimeManager>(std::move(runtime));
  prober_ = std::make_unique<PodProber>(*seams.probes, *seams.clock);
  worker_deps_.runtime = runtime_.get();
  worker_deps_.prober = prober_.get();
  worker_deps_.clock = seams.clock;
  worker_deps_.executor = seams.executor;
  worker_deps_.loop = seams.loop;
  worker_deps_.node_defaults = node_defaults;
  worker_deps_.pods_dir = pods_dir;
}

}  // namespace fleetset::agent
