// PodWorker: identity, the passes and termination.
#include "agent/pod_worker.h"

#include <google/protobuf/util/time_util.h>
#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>

#include <charconv>

#include "agent/pod_identity.h"
#include "agent/pod_status_builder.h"
#include "fleetset/pod_readiness.h"
#include "fleetset/uid.h"

namespace fleetset::agent {
namespace {

std::string LabelOr(const google::protobuf::Map<std::string, std::string>& labels,
                    const std::string& key, const std::string& fallback = "") {
  auto it = labels.find(key);
  return it == labels.end() ? fallback : it->second;
}

// The pod's creation time is what the agent that created it recorded; the
// sandbox's own creation time is later (and, for a pod already in its
// second sandbox, much later), so a restarted agent would otherwise report
// a younger pod than before.
std::chrono::system_clock::time_point CreatedAt(const cri::PodSandbox& sandbox) {
  int64_t created_seconds = 0;
  const auto& annotations = sandbox.annotations();
  if (auto it = annotations.find(kPodCreatedAnnotation); it != annotations.end()) {
    std::from_chars(it->second.data(), it->second.data() + it->second.size(), created_seconds);
  }
  if (created_seconds > 0) {
    return std::chrono::system_clock::time_point(std::chrono::seconds(created_seconds));
  }
  return std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::nanoseconds(sandbox.created_at())));
}

}  // namespace

// A pass works on copies: nothing it touches is the worker's.
struct PodWorker::PassInput {
  const RuntimeManager* runtime;
  const PodProber* prober;
  std::string runtime_name;
  v1::PodTemplateSpec pod;
  PodContext context;
  PodOwner owner;
  PodRuntimeState state;
  PodProbes probes;
  std::optional<std::vector<SandboxSnapshot>> sandboxes;
};

struct PodWorker::PassOutput {
  PodRuntimeState state;
  PodProbes probes;
  v1::Pod status;
  bool acted = false;
};

PodWorker::PodWorker(const PodWorkerDeps& deps, const Workload& workload)
    : deps_(deps),
      owner_(workload.owner),
      context_(deps.node_defaults),
      template_(workload.template_spec),
      runtime_state_(deps.runtime->NewPodState()) {
  const PodOwner& owner = workload.owner;
  const std::string& revision_hash = workload.revision_hash;
  context_.priority = workload.priority;
  context_.pod_name = GeneratePodName(owner.name);
  context_.pod_namespace = owner.namespace_;
  context_.pod_uid = GenerateUid();
  context_.daemon_set_namespace = owner.namespace_;
  context_.daemon_set_name = owner.name;
  context_.revision_hash = revision_hash;
  context_.static_pod = owner.static_pod;
  context_.pod_dir = deps.pods_dir + "/" + context_.pod_uid;
  // Whole seconds, as Kubernetes keeps creationTimestamp, and as the
  // sandbox annotation it is restored from after a restart holds it.
  context_.created = std::chrono::floor<std::chrono::seconds>(deps.clock->WallNow());
}

PodWorker::PodWorker(const PodWorkerDeps& deps, const SandboxSnapshot& found)
    : deps_(deps),
      context_(deps.node_defaults),
      runtime_state_(deps.runtime->AdoptedPodState(found)) {
  const auto& labels = found.sandbox.labels();
  owner_.namespace_ = LabelOr(labels, kDaemonSetNamespaceLabel);
  owner_.name = LabelOr(labels, kDaemonSetNameLabel);
  owner_.static_pod = LabelOr(labels, kStaticPodLabel) == "true";
  context_.pod_name = LabelOr(labels, kPodNameLabel);
  context_.pod_namespace = LabelOr(labels, kPodNamespaceLabel);
  context_.pod_uid = LabelOr(labels, kPodUidLabel);
  context_.daemon_set_namespace = owner_.namespace_;
  context_.daemon_set_name = owner_.name;
  context_.revision_hash = LabelOr(labels, kRevisionHashLabel);
  context_.static_pod = owner_.static_pod;
  context_.pod_dir = deps.pods_dir + "/" + context_.pod_uid;
  context_.created = CreatedAt(found.sandbox);
}

void PodWorker::AssignTemplate(const Workload& workload) {
  template_ = workload.template_spec;
  context_.priority = workload.priority;
}

std::chrono::seconds PodWorker::GracePeriod() const {
  return template_ ? TerminationGracePeriod(template_->spec()) : std::chrono::seconds(30);
}

std::map<std::string, std::string> PodWorker::PodTemplateLabels() const {
  std::map<std::string, std::string> labels;
  if (template_)
    labels.insert(template_->metadata().labels().begin(), template_->metadata().labels().end());
  return labels;
}

template <typename Task>
void PodWorker::PostIfAlive(boost::asio::io_context& loop, std::weak_ptr<bool> alive, Task task) {
  boost::asio::post(loop, [alive = std::move(alive), task = std::move(task)]() mutable {
    if (!alive.expired()) task();
  });
}

void PodWorker::Sync(const std::vector<SandboxSnapshot>* sandboxes,
                     std::function<void(bool acted)> done) {
  if (!template_ || terminating_) {
    PostIfAlive(*deps_.loop, alive_, [done = std::move(done)] { done(false); });
    return;
  }
  std::optional<std::vector<SandboxSnapshot>> found;
  if (sandboxes != nullptr) found = *sandboxes;
  auto input = std::make_shared<PassInput>(
      PassInput{deps_.runtime, deps_.prober, deps_.runtime_name, *template_, context_, owner_,
                runtime_state_, probes_, std::move(found)});
  deps_.executor->Post([this, loop = deps_.loop, alive = std::weak_ptr<bool>(alive_), input,
                        done = std::move(done)]() mutable {
    auto output = std::make_shared<PassOutput>(RunPass(*input));
    // `this` is used on the loop only, and only while the worker lives.
    PostIfAlive(*loop, alive, [this, output, done = std::move(done)] {
      Apply(std::move(*output));
      done(output->acted);
    });
  });
}

PodWorker::PassOutput PodWorker::RunPass(const PassInput& input) {
  PassOutput output{input.state, input.probes, {}, false};
  const RuntimeManager& runtime = *input.runtime;
  PodSyncResult sync = runtime.SyncPod(input.pod, input.context,
                                       input.sandboxes ? &*input.sandboxes : nullptr, output.state);
  output.acted = sync.acted;
  PodContext context = input.context;
  context.pod_ip = output.state.pod_ip;
  RuntimePodStatus runtime_status;
  if (sync.sandbox_ready) {
    if (sync.initialized) {
      for (const ProbeKill& kill :
           input.prober->Probe(input.pod.spec(), context, sync.containers, output.probes)) {
        runtime.KillContainer(context, kill.spec, kill.container_id, kill.grace);
        output.acted = true;
      }
    }
    // Report what the pass just did, not the relist it started from.
    runtime_status = runtime.GetPodStatus(output.state.sandbox_id, std::move(sync.containers),
                                          output.acted, output.state);
  }
  output.status = BuildPodStatus({input.pod, context, input.owner, output.state, output.probes,
                                  runtime_status, sync.initialized, input.runtime_name});
  return output;
}

void PodWorker::Apply(PassOutput output) {
  runtime_state_ = std::move(output.state);
  probes_ = std::move(output.probes);
  const auto wall_now = std::chrono::duration_cast<std::chrono::nanoseconds>(
      deps_.clock->WallNow().time_since_epoch());
  StampConditionTransitions(
      status_.status(), google::protobuf::util::TimeUtil::NanosecondsToTimestamp(wall_now.count()),
      output.status.mutable_status());
  status_ = std::move(output.status);
  const bool ready = IsPodReady(status_);
  if (ready && !ready_) ready_since_ = deps_.clock->Now();
  if (!ready) ready_since_.reset();
  ready_ = ready;
}

void PodWorker::Terminate(std::chrono::seconds grace, const std::string& reason,
                          std::function<void(bool ok)> done) {
  terminating_ = true;
  spdlog::info("pod {}/{}: terminating ({}), grace period {}s", context_.pod_namespace,
               context_.pod_name, reason, grace.count());
  std::optional<v1::PodSpec> spec;
  if (template_) spec = template_->spec();
  // The pod's IP, which preStop hooks' HTTP GETs go to, is learned by passes.
  PodContext context = context_;
  context.pod_ip = runtime_state_.pod_ip;
  deps_.executor->Post([loop = deps_.loop, alive = std::weak_ptr<bool>(alive_),
                        runtime = deps_.runtime, context = std::move(context),
                        spec = std::move(spec), grace, done = std::move(done)]() mutable {
    runtime->KillPod(context, spec ? &*spec : nullptr, grace,
                     [loop, alive, done = std::move(done)](bool ok) {
                       PostIfAlive(*loop, alive, [done, ok] { done(ok); });
                     });
  });
}

v1::Pod PodWorker::Status() const {
  v1::Pod pod = status_;
  if (terminating_) pod.mutable_status()->set_reason("Terminating");
  return pod;
}

}  // namespace fleetset::agent
