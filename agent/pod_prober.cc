#include "agent/pod_prober.h"

#include <spdlog/spdlog.h>

#include "agent/handler_target.h"
#include "agent/runtime_snapshot.h"

namespace fleetset::agent {
namespace {

ProbeKill KillFor(const v1::PodSpec& pod, const v1::Container& spec, const cri::Container& running,
                  const ProbeTracker& tracker) {
  std::chrono::seconds grace = TerminationGracePeriod(pod);
  if (tracker.probe().has_termination_grace_period_seconds()) {
    grace = std::chrono::seconds(tracker.probe().termination_grace_period_seconds());
  }
  return {running.id(), grace, &spec};
}

}  // namespace

bool ContainerProbes::Started(const v1::Container& spec, const std::string& id) const {
  return !spec.has_startup_probe() || (container_id == id && startup && startup->Verdict());
}

bool ContainerProbes::Ready(const v1::Container& spec, const std::string& id) const {
  return Started(spec, id) &&
         (!spec.has_readiness_probe() || (container_id == id && readiness && readiness->Verdict()));
}

std::vector<ProbeKill> PodProber::Probe(const v1::PodSpec& spec, const PodContext& context,
                                        const std::vector<cri::Container>& containers,
                                        PodProbes& probes) const {
  std::vector<ProbeKill> kills;
  for (const v1::Container& container : spec.containers()) {
    const cri::Container* latest = LatestContainer(containers, container.name());
    if (latest == nullptr || latest->state() != cri::CONTAINER_RUNNING) continue;
    if (auto kill = ProbeContainer(spec, container, context, *latest, probes[container.name()])) {
      kills.push_back(*kill);
    }
  }
  return kills;
}

ProbeOutcome PodProber::Run(const v1::Probe& probe, const v1::Container& spec,
                            const PodContext& context, const std::string& container_id) const {
  const std::chrono::seconds timeout(std::max(1, probe.timeout_seconds()));
  if (probe.has_exec()) {
    std::vector<std::string> command(probe.exec().command().begin(), probe.exec().command().end());
    return executor_.Exec(container_id, command, timeout);
  }
  if (probe.has_http_get()) {
    const HandlerTarget target =
        ResolveHandlerTarget(probe.http_get().port(), probe.http_get().host(), spec, context);
    if (!target.error.empty()) return {false, target.error};
    return executor_.HttpGet(target.host, target.port, probe.http_get(), timeout);
  }
  if (probe.has_tcp_socket()) {
    const HandlerTarget target =
        ResolveHandlerTarget(probe.tcp_socket().port(), probe.tcp_socket().host(), spec, context);
    if (!target.error.empty()) return {false, target.error};
    return executor_.TcpConnect(target.host, target.port, timeout);
  }
  if (probe.has_grpc()) {
    // Always the pod's own address: a gRPC probe has no host field.
    return executor_.GrpcCheck(HandlerHost("", context), probe.grpc().port(),
                               probe.grpc().service(), timeout);
  }
  return {false, "probe has no handler"};
}

std::optional<ProbeKill> PodProber::ProbeContainer(const v1::PodSpec& pod,
                                                   const v1::Container& spec,
                                                   const PodContext& context,
                                                   const cri::Container& running,
                                                   ContainerProbes& probes) const {
  const auto now = clock_.Now();
  if (probes.container_id != running.id()) {
    // A new container instance: probing starts over, as in kubelet.
    probes.container_id = running.id();
    probes.startup.reset();
    probes.liveness.reset();
    probes.readiness.reset();
    if (spec.has_startup_probe()) probes.startup.emplace(spec.startup_probe(), now, false);
    if (spec.has_liveness_probe()) probes.liveness.emplace(spec.liveness_probe(), now, true);
    if (spec.has_readiness_probe()) probes.readiness.emplace(spec.readiness_probe(), now, false);
  }
  auto failed = [&](const char* which, const ProbeTracker& tracker) {
    spdlog::info("pod {}/{}: container {} failed {} probe, will be restarted: {}",
                 context.pod_namespace, context.pod_name, spec.name(), which,
                 tracker.LastMessage());
    return KillFor(pod, spec, running, tracker);
  };
  if (probes.startup && !probes.startup->Verdict()) {
    std::optional<ProbeKill> kill;
    if (probes.startup->Due(now)) {
      ProbeOutcome outcome = Run(spec.startup_probe(), spec, context, running.id());
      probes.startup->Record(outcome.success, now, outcome.message);
      if (probes.startup->FailedOut()) kill = failed("startup", *probes.startup);
    }
    // Liveness and readiness wait until the container has started.
    if (!probes.startup->Verdict()) return kill;
    // Their delays count from the moment startup succeeded.
    if (spec.has_liveness_probe()) probes.liveness.emplace(spec.liveness_probe(), now, true);
    if (spec.has_readiness_probe()) probes.readiness.emplace(spec.readiness_probe(), now, false);
  }
  if (probes.liveness && probes.liveness->Due(now)) {
    ProbeOutcome outcome = Run(spec.liveness_probe(), spec, context, running.id());
    probes.liveness->Record(outcome.success, now, outcome.message);
    if (probes.liveness->FailedOut()) return failed("liveness", *probes.liveness);
  }
  if (probes.readiness && probes.readiness->Due(now)) {
    ProbeOutcome outcome = Run(spec.readiness_probe(), spec, context, running.id());
    if (probes.readiness->Record(outcome.success, now, outcome.message)) {
      spdlog::info("pod {}/{}: container {} readiness {}", context.pod_namespace, context.pod_name,
                   spec.name(),
                   probes.readiness->Verdict() ? "succeeded" : "failed: " + outcome.message);
    }
  }
  return std::nullopt;
}

}  // namespace fleetset::agent
