#include "agent/lifecycle_hooks.h"

#include <spdlog/spdlog.h>

#include "agent/handler_target.h"

namespace fleetset::agent {
namespace {

// kubelet's format.Pod: "<name>_<namespace>(<uid>)".
std::string PodDescription(const PodContext& context) {
  return context.pod_name + "_" + context.pod_namespace + "(" + context.pod_uid + ")";
}

// Go's %v of a []string: "[sh -c echo hi]".
std::string CommandDescription(const v1::ExecAction& exec) {
  std::string text = "[";
  for (const std::string& word : exec.command()) {
    if (text.size() > 1) text += " ";
    text += word;
  }
  return text + "]";
}

std::string HookFailure(const std::string& kind, const std::string& what, const v1::Container& spec,
                        const PodContext& context, const std::string& error) {
  return kind + " lifecycle hook (" + what + ") for Container \"" + spec.name() + "\" in Pod \"" +
         PodDescription(context) + "\" failed - error: " + error;
}

}  // namespace

std::optional<std::string> LifecycleHooks::PostStart(const v1::Container& spec,
                                                     const PodContext& context,
                                                     const std::string& container_id) const {
  if (!spec.lifecycle().has_post_start()) return std::nullopt;
  return Run(spec.lifecycle().post_start(), spec, context, container_id, kPostStartHookTimeout);
}

std::chrono::seconds LifecycleHooks::PreStop(const v1::Container& spec, const PodContext& context,
                                             const std::string& container_id,
                                             std::chrono::seconds grace) const {
  if (!spec.lifecycle().has_pre_stop() || grace <= std::chrono::seconds::zero()) {
    return std::chrono::seconds::zero();
  }
  const auto started = clock_.Now();
  // The hook's own timeout is the grace period, so it cannot outlast it.
  if (auto failure = Run(spec.lifecycle().pre_stop(), spec, context, container_id, grace)) {
    spdlog::warn("pod {}/{}: container {}: FailedPreStopHook: {}", context.pod_namespace,
                 context.pod_name, spec.name(), *failure);
  }
  const auto took = std::chrono::duration_cast<std::chrono::seconds>(clock_.Now() - started);
  return std::min(took, grace);
}

std::optional<std::string> LifecycleHooks::Run(const v1::LifecycleHandler& handler,
                                               const v1::Container& spec, const PodContext& context,
                                               const std::string& container_id,
                                               std::chrono::seconds timeout) const {
  if (handler.has_exec()) {
    const std::vector<std::string> command(handler.exec().command().begin(),
                                           handler.exec().command().end());
    ProbeOutcome outcome = executor_.Exec(container_id, command, timeout);
    if (outcome.success) return std::nullopt;
    return HookFailure("Exec", CommandDescription(handler.exec()), spec, context, outcome.message);
  }
  if (handler.has_http_get()) {
    const v1::HTTPGetAction& action = handler.http_get();
    const HandlerTarget target = ResolveHandlerTarget(action.port(), action.host(), spec, context);
    ProbeOutcome outcome = target.error.empty()
                               ? executor_.HttpGet(target.host, target.port, action, timeout)
                               : ProbeOutcome{false, target.error};
    if (outcome.success) return std::nullopt;
    return HookFailure("HTTP", action.path(), spec, context, outcome.message);
  }
  return "Cannot run handler: invalid handler: only exec and httpGet hooks are run, not " +
         std::string(handler.has_tcp_socket() ? "tcpSocket" : "an empty handler");
}

}  // namespace fleetset::agent
