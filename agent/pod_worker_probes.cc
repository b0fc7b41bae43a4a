// PodWorker: liveness, readiness and startup probes of running containers.
#include <spdlog/spdlog.h>

#include "agent/pod_worker.h"

namespace fleetset::agent {
namespace {

// A probe's port: a number, or the name of one of the container's ports.
int ResolvePort(const v1::IntOrString& port, const v1::Container& spec) {
  if (port.has_int_val()) return port.int_val();
  for (const v1::ContainerPort& container_port : spec.ports()) {
    if (container_port.name() == port.str_val()) return container_port.container_port();
  }
  return -1;
}

}  // namespace

ProbeOutcome PodWorker::RunProbe(const v1::Probe& probe, const v1::Container& spec,
                                 const std::string& container_id) {
  const std::chrono::seconds timeout(std::max(1, probe.timeout_seconds()));
  const std::string& pod_host = context_.pod_ip.empty() ? context_.host_ip : context_.pod_ip;
  if (probe.has_exec()) {
    std::vector<std::string> command(probe.exec().command().begin(), probe.exec().command().end());
    return deps_.probes->Exec(container_id, command, timeout);
  }
  if (probe.has_http_get()) {
    const int port = ResolvePort(probe.http_get().port(), spec);
    if (port <= 0) return {false, "no port named \"" + probe.http_get().port().str_val() + "\""};
    const std::string host = probe.http_get().host().empty() ? pod_host : probe.http_get().host();
    return deps_.probes->HttpGet(host, port, probe.http_get(), timeout);
  }
  if (probe.has_tcp_socket()) {
    const int port = ResolvePort(probe.tcp_socket().port(), spec);
    if (port <= 0) return {false, "no port named \"" + probe.tcp_socket().port().str_val() + "\""};
    const std::string host =
        probe.tcp_socket().host().empty() ? pod_host : probe.tcp_socket().host();
    return deps_.probes->TcpConnect(host, port, timeout);
  }
  return {false, "probe has no handler"};
}

void PodWorker::KillForProbe(const v1::Container& spec, const cri::Container& running,
                             const std::string& which, const ProbeTracker& tracker) {
  spdlog::info("pod {}/{}: container {} failed {} probe, will be restarted: {}",
               context_.pod_namespace, context_.pod_name, spec.name(), which,
               tracker.LastMessage());
  acted_ = true;
  std::chrono::seconds grace = GracePeriod();
  if (tracker.probe().has_termination_grace_period_seconds()) {
    grace = std::chrono::seconds(tracker.probe().termination_grace_period_seconds());
  }
  cri::StopContainerRequest stop;
  stop.set_container_id(running.id());
  stop.set_timeout(grace.count());
  cri::StopContainerResponse stopped;
  deps_.runtime->StopContainer(stop, &stopped);
}

void PodWorker::RunProbes(const v1::Container& spec, const cri::Container& running,
                          ContainerState& state) {
  const auto now = deps_.clock->Now();
  if (state.probed_container_id != running.id()) {
    // A new container instance: probing starts over, as in kubelet.
    state.probed_container_id = running.id();
    state.startup.reset();
    state.liveness.reset();
    state.readiness.reset();
    if (spec.has_startup_probe()) state.startup.emplace(spec.startup_probe(), now, false);
    if (spec.has_liveness_probe()) state.liveness.emplace(spec.liveness_probe(), now, true);
    if (spec.has_readiness_probe()) state.readiness.emplace(spec.readiness_probe(), now, false);
  }
  if (state.startup && !state.startup->Verdict()) {
    if (state.startup->Due(now)) {
      ProbeOutcome outcome = RunProbe(spec.startup_probe(), spec, running.id());
      state.startup->Record(outcome.success, now, outcome.message);
      if (state.startup->FailedOut()) KillForProbe(spec, running, "startup", *state.startup);
    }
    // Liveness and readiness wait until the container has started.
    if (!state.startup->Verdict()) return;
    // Their delays count from the moment startup succeeded.
    if (spec.has_liveness_probe()) state.liveness.emplace(spec.liveness_probe(), now, true);
    if (spec.has_readiness_probe()) state.readiness.emplace(spec.readiness_probe(), now, false);
  }
  if (state.liveness && state.liveness->Due(now)) {
    ProbeOutcome outcome = RunProbe(spec.liveness_probe(), spec, running.id());
    state.liveness->Record(outcome.success, now, outcome.message);
    if (state.liveness->FailedOut()) {
      KillForProbe(spec, running, "liveness", *state.liveness);
      return;
    }
  }
  if (state.readiness && state.readiness->Due(now)) {
    ProbeOutcome outcome = RunProbe(spec.readiness_probe(), spec, running.id());
    if (state.readiness->Record(outcome.success, now, outcome.message)) {
      spdlog::info("pod {}/{}: container {} readiness {}", context_.pod_namespace,
                   context_.pod_name, spec.name(),
                   state.readiness->Verdict() ? "succeeded" : "failed: " + outcome.message);
    }
  }
}

}  // namespace fleetset::agent
