// Pod-level rules of the template (Kubernetes' ValidatePodSpec subset that
// fleetset models), and the rules that span several containers.
#include <set>

#include "fleetset/names.h"
#include "validation_internal.h"
#include "validation_messages.h"

namespace fleetset::internal {
namespace {

// Kubernetes' limits on the resolver configuration (glibc's limits).
constexpr int kMaxNameservers = 3;
constexpr int kMaxSearchDomains = 32;
constexpr size_t kMaxSearchListChars = 2048;

void ValidateContainers(const v1::PodSpec& spec, const std::set<std::string>& volume_names,
                        const std::string& path, FieldErrors* errors) {
  const std::string init_path = ChildPath(path, "initContainers");
  const std::string app_path = ChildPath(path, "containers");
  if (spec.containers().empty()) errors->push_back(RequiredError(app_path));

  // Names identify containers in the runtime and in logs, so they must be
  // unique across init and app containers alike.
  std::set<std::string> names;
  auto check_unique_name = [&](const v1::Container& container, const std::string& container_path) {
    if (container.name().empty()) return;
    if (!names.insert(container.name()).second) {
      errors->push_back(DuplicateError(ChildPath(container_path, "name"), Quote(container.name())));
    }
  };

  for (int i = 0; i < spec.init_containers_size(); ++i) {
    const std::string container_path = IndexPath(init_path, i);
    ValidateContainer(spec.init_containers(i), ContainerKind::kInit, volume_names, container_path,
                      errors);
    check_unique_name(spec.init_containers(i), container_path);
    // Init containers run one at a time, so each conflicts only with itself.
    ValidateHostPortConflicts({{&spec.init_containers(i), container_path}}, errors);
  }
  std::vector<PathedContainer> app_containers;
  for (int i = 0; i < spec.containers_size(); ++i) {
    const std::string container_path = IndexPath(app_path, i);
    ValidateContainer(spec.containers(i), ContainerKind::kApp, volume_names, container_path,
                      errors);
    check_unique_name(spec.containers(i), container_path);
    app_containers.push_back({&spec.containers(i), container_path});
  }
  ValidateHostPortConflicts(app_containers, errors);
}

// With the host's network there is no port mapping: a host port can only be
// the container port itself.
void ValidateHostNetworkPorts(const Repeated<v1::Container>& containers, const std::string& path,
                              FieldErrors* errors) {
  for (int i = 0; i < containers.size(); ++i) {
    for (int j = 0; j < containers[i].ports_size(); ++j) {
      const v1::ContainerPort& port = containers[i].ports(j);
      if (port.host_port() != 0 && port.host_port() != port.container_port()) {
        errors->push_back(InvalidError(
            ChildPath(IndexPath(ChildPath(IndexPath(path, i), "ports"), j), "containerPort"),
            port.container_port(), "must match `hostPort` when `hostNetwork` is true"));
      }
    }
  }
}

void ValidateDnsConfig(const v1::PodSpec& spec, const std::string& path, FieldErrors* errors) {
  const std::string config_path = ChildPath(path, "dnsConfig");
  if (!spec.has_dns_config()) {
    if (spec.dns_policy() == "None") {
      errors->push_back(
          RequiredError(config_path, "must provide `dnsConfig` when `dnsPolicy` is None"));
    }
    return;
  }
  const v1::PodDNSConfig& config = spec.dns_config();
  const std::string servers_path = ChildPath(config_path, "nameservers");
  if (spec.dns_policy() == "None" && config.nameservers().empty()) {
    errors->push_back(RequiredError(
        servers_path, "must provide at least one DNS nameserver when `dnsPolicy` is None"));
  }
  if (config.nameservers_size() > kMaxNameservers) {
    errors->push_back(InvalidError(servers_path, config.nameservers_size(),
                                   "must not have more than 3 nameservers"));
  }
  for (int i = 0; i < config.nameservers_size(); ++i) {
    if (!IsIpAddress(config.nameservers(i))) {
      errors->push_back(InvalidError(IndexPath(servers_path, i), Quote(config.nameservers(i)),
                                     "must be valid IP address"));
    }
  }
  const std::string searches_path = ChildPath(config_path, "searches");
  if (config.searches_size() > kMaxSearchDomains) {
    errors->push_back(InvalidError(searches_path, config.searches_size(),
                                   "must not have more than 32 search paths"));
  }
  size_t search_chars = 0;
  for (int i = 0; i < config.searches_size(); ++i) {
    std::string_view domain = config.searches(i);
    search_chars += domain.size() + (i > 0 ? 1 : 0);
    // A lone "." first means "no search"; a trailing dot marks an absolute name.
    if (i == 0 && domain == ".") continue;
    if (domain.ends_with('.')) domain.remove_suffix(1);
    AppendInvalid(IndexPath(searches_path, i), config.searches(i), CheckDns1123Subdomain(domain),
                  errors);
  }
  if (search_chars > kMaxSearchListChars) {
    errors->push_back(InvalidError(searches_path, static_cast<int64_t>(search_chars),
                                   "must not have more than 2048 characters (including spaces) "
                                   "in the search list"));
  }
  for (int i = 0; i < config.options_size(); ++i) {
    if (config.options(i).name().empty()) {
      errors->push_back(
          RequiredError(ChildPath(IndexPath(ChildPath(config_path, "options"), i), "name")));
    }
  }
}

void ValidateDnsPolicy(const v1::PodSpec& spec, const std::string& path, FieldErrors* errors) {
  const std::string policy_path = ChildPath(path, "dnsPolicy");
  const std::string& policy = spec.dns_policy();
  if (policy.empty()) {
    errors->push_back(RequiredError(policy_path));
  } else if (policy != "ClusterFirst" && policy != "ClusterFirstWithHostNet" &&
             policy != "Default" && policy != "None") {
    errors->push_back(UnsupportedError(
        policy_path, policy, {"ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"}));
  }
  ValidateDnsConfig(spec, path, errors);
}

// Optional names of other objects or of the host, validated only when set.
void ValidateOptionalNames(const v1::PodSpec& spec, const std::string& path, FieldErrors* errors) {
  auto subdomain = [&](const std::string& value, const char* field) {
    if (!value.empty())
      AppendInvalid(ChildPath(path, field), value, CheckDns1123Subdomain(value), errors);
  };
  auto label = [&](const std::string& value, const char* field) {
    if (!value.empty())
      AppendInvalid(ChildPath(path, field), value, CheckDns1123Label(value), errors);
  };
  subdomain(spec.service_account_name(), "serviceAccountName");
  subdomain(spec.service_account(), "serviceAccount");
  subdomain(spec.node_name(), "nodeName");
  subdomain(spec.scheduler_name(), "schedulerName");
  subdomain(spec.priority_class_name(), "priorityClassName");
  label(spec.hostname(), "hostname");
  label(spec.subdomain(), "subdomain");
  for (int i = 0; i < spec.image_pull_secrets_size(); ++i) {
    const std::string secret_path =
        ChildPath(IndexPath(ChildPath(path, "imagePullSecrets"), i), "name");
    const std::string& name = spec.image_pull_secrets(i).name();
    if (name.empty()) {
      errors->push_back(RequiredError(secret_path));
    } else {
      AppendInvalid(secret_path, name, CheckDns1123Subdomain(name), errors);
    }
  }
}

}  // namespace

void ValidatePodSpec(const v1::PodSpec& spec, const std::string& path, FieldErrors* errors) {
  const std::set<std::string> volume_names =
      ValidateVolumes(spec.volumes(), ChildPath(path, "volumes"), errors);
  ValidateContainers(spec, volume_names, path, errors);
  if (spec.host_network()) {
    ValidateHostNetworkPorts(spec.init_containers(), ChildPath(path, "initContainers"), errors);
    ValidateHostNetworkPorts(spec.containers(), ChildPath(path, "containers"), errors);
  }
  if (spec.has_termination_grace_period_seconds() && spec.termination_grace_period_seconds() < 0) {
    errors->push_back(InvalidError(ChildPath(path, "terminationGracePeriodSeconds"),
                                   spec.termination_grace_period_seconds(), kMustBeNonNegative));
  }
  ValidateDnsPolicy(spec, path, errors);
  ValidateOptionalNames(spec, path, errors);
  if (spec.has_security_context()) {
    ValidatePodSecurityContext(spec.security_context(), ChildPath(path, "securityContext"), errors);
  }
  // The host's PID namespace cannot also be the pod's own shared one.
  if (spec.has_share_process_namespace() && spec.share_process_namespace() && spec.host_pid()) {
    errors->push_back(InvalidError(ChildPath(path, "shareProcessNamespace"), "true",
                                   "ShareProcessNamespace and HostPID cannot both be enabled"));
  }
  if (spec.has_os()) {
    const std::string os_path = ChildPath(ChildPath(path, "os"), "name");
    const std::string& name = spec.os().name();
    if (name.empty()) {
      errors->push_back(RequiredError(os_path));
    } else if (name == "windows") {
      errors->push_back(ForbiddenError(
          os_path, "Windows pods are not supported by fleetset (fleetset runs Linux containers)"));
    } else if (name != "linux") {
      errors->push_back(UnsupportedError(os_path, name, {"linux", "windows"}));
    }
  }
  ValidateScheduling(spec, path, errors);
}

}  // namespace fleetset::internal
