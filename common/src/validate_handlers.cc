// Probes and lifecycle hooks (Kubernetes' validateProbe, validateHandler,
// validateLifecycle) for the exec, httpGet and tcpSocket actions, and grpc
// for probes.
#include "validation_internal.h"
#include "validation_messages.h"

namespace fleetset::internal {
namespace {

bool IsHttpHeaderName(const std::string& name) {
  if (name.empty()) return false;
  for (const char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-')) {
      return false;
    }
  }
  return true;
}

void ValidateHttpGet(const v1::HTTPGetAction& action, const std::string& path,
                     FieldErrors* errors) {
  ValidatePortNumberOrName(action.port(), ChildPath(path, "port"), errors);
  // Empty means HTTP, as Kubernetes defaults it.
  if (!action.scheme().empty() && action.scheme() != "HTTP" && action.scheme() != "HTTPS") {
    errors->push_back(
        UnsupportedError(ChildPath(path, "scheme"), action.scheme(), {"HTTP", "HTTPS"}));
  }
  for (int i = 0; i < action.http_headers_size(); ++i) {
    const std::string& name = action.http_headers(i).name();
    if (!IsHttpHeaderName(name)) {
      errors->push_back(
          InvalidError(ChildPath(IndexPath(ChildPath(path, "httpHeaders"), i), "name"), Quote(name),
                       "a valid HTTP header must consist of alphanumeric characters or '-' (e.g. "
                       "'X-Header-Name', regex used for validation is '[-A-Za-z0-9]+')"));
    }
  }
}

// The actions probes and lifecycle hooks share; exactly one action in all,
// any further one reported where it is written.
template <typename Handler>
void ValidateCommonActions(const Handler& handler, const std::string& path, OneOf* actions,
                           FieldErrors* errors) {
  if (actions->Claim(handler.has_exec(), "exec") && handler.exec().command().empty()) {
    errors->push_back(RequiredError(ChildPath(path, "exec.command")));
  }
  if (actions->Claim(handler.has_http_get(), "httpGet")) {
    ValidateHttpGet(handler.http_get(), ChildPath(path, "httpGet"), errors);
  }
  if (actions->Claim(handler.has_tcp_socket(), "tcpSocket")) {
    ValidatePortNumberOrName(handler.tcp_socket().port(), ChildPath(path, "tcpSocket.port"),
                             errors);
  }
}

constexpr std::string_view kTooManyActions = "may not specify more than 1 handler type";
constexpr std::string_view kNoAction = "must specify a handler type";

void ValidateHandler(const v1::LifecycleHandler& handler, const std::string& path,
                     FieldErrors* errors) {
  OneOf actions(path, kTooManyActions, errors);
  ValidateCommonActions(handler, path, &actions, errors);
  actions.RequireOne(kNoAction);
}

// gRPC health checking (grpc.health.v1.Health/Check) on a port number: a
// named port is not allowed here, as in Kubernetes.
void ValidateProbeHandler(const v1::Probe& probe, const std::string& path, FieldErrors* errors) {
  OneOf actions(path, kTooManyActions, errors);
  ValidateCommonActions(probe, path, &actions, errors);
  if (actions.Claim(probe.has_grpc(), "grpc")) {
    const std::string port_path = ChildPath(path, "grpc.port");
    for (const std::string& problem : CheckPortNumber(probe.grpc().port())) {
      errors->push_back(InvalidError(port_path, probe.grpc().port(), problem));
    }
  }
  actions.RequireOne(kNoAction);
}

// The agent's probe loop divides time by these: zero would spin, so the
// API's documented minimum of 1 is enforced (the defaults make 0 into 1, 10,
// 1 and 3 before validation, so no written manifest is refused for it).
void ValidateAtLeastOne(int64_t value, const std::string& path, FieldErrors* errors) {
  if (value < 1) {
    errors->push_back(InvalidError(path, value, "must be greater than or equal to 1"));
  }
}

}  // namespace

void ValidateProbe(const v1::Probe& probe, ProbeKind kind, const std::string& path,
                   FieldErrors* errors) {
  ValidateProbeHandler(probe, path, errors);
  if (probe.initial_delay_seconds() < 0) {
    errors->push_back(InvalidError(ChildPath(path, "initialDelaySeconds"),
                                   probe.initial_delay_seconds(), kMustBeNonNegative));
  }
  ValidateAtLeastOne(probe.timeout_seconds(), ChildPath(path, "timeoutSeconds"), errors);
  ValidateAtLeastOne(probe.period_seconds(), ChildPath(path, "periodSeconds"), errors);
  const std::string success_path = ChildPath(path, "successThreshold");
  if (kind == ProbeKind::kReadiness) {
    ValidateAtLeastOne(probe.success_threshold(), success_path, errors);
  } else if (probe.success_threshold() != 1) {
    // One success is all it takes to be alive or started.
    errors->push_back(InvalidError(success_path, probe.success_threshold(), "must be 1"));
  }
  ValidateAtLeastOne(probe.failure_threshold(), ChildPath(path, "failureThreshold"), errors);
  if (probe.has_termination_grace_period_seconds()) {
    const std::string grace_path = ChildPath(path, "terminationGracePeriodSeconds");
    if (kind == ProbeKind::kReadiness) {
      // A failing readiness probe never kills the container.
      errors->push_back(InvalidError(grace_path, probe.termination_grace_period_seconds(),
                                     "must not be set for readinessProbes"));
    } else if (probe.termination_grace_period_seconds() <= 0) {
      errors->push_back(InvalidError(grace_path, probe.termination_grace_period_seconds(),
                                     "must be greater than 0"));
    }
  }
}

void ValidateLifecycle(const v1::Lifecycle& lifecycle, const std::string& path,
                       FieldErrors* errors) {
  if (lifecycle.has_post_start()) {
    ValidateHandler(lifecycle.post_start(), ChildPath(path, "postStart"), errors);
  }
  if (lifecycle.has_pre_stop()) {
    ValidateHandler(lifecycle.pre_stop(), ChildPath(path, "preStop"), errors);
  }
}

}  // namespace fleetset::internal
