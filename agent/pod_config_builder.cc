// The sandbox and container configs kubelet would send for a pod
// (pkg/kubelet/kuberuntime). Environment, volumes, resources and security
// each live in their own file; this one assembles them.
#include "agent/pod_config_builder.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <algorithm>
#include <cstdio>

#include "agent/container_resources.h"
#include "agent/container_security.h"
#include "agent/pod_identity.h"
#include "agent/volumes/container_mounts.h"

namespace fleetset::agent {
namespace {

// Kubernetes' defaults where the manifest is silent.
constexpr int64_t kDefaultTerminationGraceSeconds = 30;
// resolv.conf limits kubelet enforces (glibc reads at most 3 nameservers).
constexpr size_t kMaxDnsServers = 3;
constexpr size_t kMaxDnsSearches = 32;
constexpr size_t kMaxHostnameLength = 63;

// kubelet's GeneratePodHostNameAndDomain: spec.hostname or the pod name, cut
// to a valid DNS label.
std::string PodHostname(const v1::PodSpec& spec, const PodContext& context) {
  std::string hostname = spec.hostname().empty() ? context.pod_name : spec.hostname();
  if (hostname.size() > kMaxHostnameLength) hostname.resize(kMaxHostnameLength);
  while (!hostname.empty() && (hostname.back() == '-' || hostname.back() == '.')) {
    hostname.pop_back();
  }
  return hostname;
}

void AppendUnique(const std::string& value, google::protobuf::RepeatedPtrField<std::string>* list) {
  if (std::find(list->begin(), list->end(), value) == list->end()) *list->Add() = value;
}

std::string OptionName(const std::string& option) { return option.substr(0, option.find(':')); }

// There is no cluster DNS service on a fleet, so ClusterFirst and
// ClusterFirstWithHostNet fall back to the node's resolver exactly as
// kubelet does when it has no --cluster-dns; None uses only the pod's
// dnsConfig. The pod's dnsConfig is then merged in as kubelet does.
::runtime::v1::DNSConfig BuildDnsConfig(const v1::PodSpec& spec, const PodContext& context) {
  ::runtime::v1::DNSConfig dns;
  if (spec.dns_policy() != "None") {
    for (const std::string& server : context.dns_servers)
      AppendUnique(server, dns.mutable_servers());
    for (const std::string& search : context.dns_searches) {
      AppendUnique(search, dns.mutable_searches());
    }
    for (const std::string& option : context.dns_options) *dns.add_options() = option;
  }
  for (const std::string& server : spec.dns_config().nameservers()) {
    AppendUnique(server, dns.mutable_servers());
  }
  for (const std::string& search : spec.dns_config().searches()) {
    AppendUnique(search, dns.mutable_searches());
  }
  for (const v1::PodDNSConfigOption& option : spec.dns_config().options()) {
    const std::string text =
        option.value().empty() ? option.name() : option.name() + ":" + option.value();
    // A pod option replaces the node's option of the same name.
    auto* options = dns.mutable_options();
    auto same = std::find_if(options->begin(), options->end(), [&](const std::string& existing) {
      return OptionName(existing) == option.name();
    });
    if (same != options->end()) {
      *same = text;
    } else {
      *options->Add() = text;
    }
  }
  while (static_cast<size_t>(dns.servers_size()) > kMaxDnsServers)
    dns.mutable_servers()->RemoveLast();
  while (static_cast<size_t>(dns.searches_size()) > kMaxDnsSearches) {
    dns.mutable_searches()->RemoveLast();
  }
  return dns;
}

::runtime::v1::Protocol PortProtocol(const std::string& protocol) {
  if (protocol == "UDP") return ::runtime::v1::UDP;
  if (protocol == "SCTP") return ::runtime::v1::SCTP;
  return ::runtime::v1::TCP;
}

// Only ports published on the node matter to the runtime (containerd hands
// host_port 0 entries to nobody), so only those are sent. As in kubelet,
// init containers publish nothing.
void AddPortMappings(const v1::PodSpec& spec, ::runtime::v1::PodSandboxConfig* config) {
  for (const v1::Container& container : spec.containers()) {
    for (const v1::ContainerPort& port : container.ports()) {
      if (port.host_port() <= 0) continue;
      ::runtime::v1::PortMapping* mapping = config->add_port_mappings();
      mapping->set_protocol(PortProtocol(port.protocol()));
      mapping->set_container_port(port.container_port());
      mapping->set_host_port(port.host_port());
      mapping->set_host_ip(port.host_ip());
    }
  }
}

// kubelet's container hash: FNV-1a (32 bit) over a canonical encoding of
// the container spec. A changed hash means the container must be
// recreated; deterministic serialisation keeps it stable across processes.
std::string ContainerHash(const v1::Container& container) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream raw(&bytes);
    google::protobuf::io::CodedOutputStream coded(&raw);
    coded.SetSerializationDeterministic(true);
    container.SerializeToCodedStream(&coded);
  }
  uint32_t hash = 2166136261u;
  for (unsigned char byte : bytes) {
    hash ^= byte;
    hash *= 16777619u;
  }
  char hex[9];
  std::snprintf(hex, sizeof(hex), "%08x", hash);
  return hex;
}

}  // namespace

std::chrono::seconds TerminationGracePeriod(const v1::PodSpec& spec) {
  return std::chrono::seconds(spec.has_termination_grace_period_seconds()
                                  ? spec.termination_grace_period_seconds()
                                  : kDefaultTerminationGraceSeconds);
}

std::map<std::string, std::string> PodLabels(const v1::PodTemplateSpec& template_spec,
                                             const PodContext& context) {
  std::map<std::string, std::string> labels(template_spec.metadata().labels().begin(),
                                            template_spec.metadata().labels().end());
  // The agent's own labels are written last so that a template can never
  // disguise a pod as someone else's.
  if (!context.revision_hash.empty()) labels[kRevisionHashLabel] = context.revision_hash;
  labels[kPodNameLabel] = context.pod_name;
  labels[kPodNamespaceLabel] = context.pod_namespace;
  labels[kPodUidLabel] = context.pod_uid;
  labels[kManagedByLabel] = kManagedByValue;
  labels[kNodeLabel] = context.node_name;
  labels[kDaemonSetNameLabel] = context.daemon_set_name;
  labels[kDaemonSetNamespaceLabel] = context.daemon_set_namespace;
  if (context.static_pod) labels[kStaticPodLabel] = "true";
  return labels;
}

cri::PodSandboxConfig BuildSandboxConfig(const v1::PodTemplateSpec& template_spec,
                                         const PodContext& context, uint32_t attempt) {
  const v1::PodSpec& spec = template_spec.spec();
  cri::PodSandboxConfig config;
  cri::PodSandboxMetadata* metadata = config.mutable_metadata();
  metadata->set_name(context.pod_name);
  metadata->set_namespace_(context.pod_namespace);
  metadata->set_uid(context.pod_uid);
  metadata->set_attempt(attempt);
  // With hostNetwork the pod shares the node's UTS namespace, so kubelet
  // leaves the hostname empty and the runtime uses the node's.
  if (!spec.host_network()) config.set_hostname(PodHostname(spec, context));
  config.set_log_directory(
      PodLogDirectory(context.log_root, context.pod_namespace, context.pod_name, context.pod_uid));
  const cri::DNSConfig dns = BuildDnsConfig(spec, context);
  // An empty DNS config makes containerd copy the node's resolv.conf.
  if (dns.servers_size() > 0 || dns.searches_size() > 0 || dns.options_size() > 0) {
    *config.mutable_dns_config() = dns;
  }
  AddPortMappings(spec, &config);
  for (const auto& [key, value] : PodLabels(template_spec, context)) {
    (*config.mutable_labels())[key] = value;
  }
  config.mutable_annotations()->insert(template_spec.metadata().annotations().begin(),
                                       template_spec.metadata().annotations().end());
  (*config.mutable_annotations())[kTerminationGraceAnnotation] =
      std::to_string(TerminationGracePeriod(spec).count());
  if (context.created != std::chrono::system_clock::time_point{}) {
    (*config.mutable_annotations())[kPodCreatedAnnotation] = std::to_string(
        std::chrono::duration_cast<std::chrono::seconds>(context.created.time_since_epoch())
            .count());
  }
  // cgroup_parent stays empty: without kubelet's QoS cgroup tree there is no
  // parent to name, and containerd places the sandbox itself.
  *config.mutable_linux()->mutable_security_context() =
      BuildSandboxSecurityContext(spec, context.seccomp_profile_root);
  return config;
}

ContainerConfigResult BuildContainerConfig(const v1::PodTemplateSpec& template_spec,
                                           const v1::Container& container,
                                           const PodContext& context, const VolumeManager& volumes,
                                           uint32_t restart_count, bool init) {
  const v1::PodSpec& spec = template_spec.spec();
  ContainerConfigResult result;
  cri::ContainerConfig& config = result.config;
  config.mutable_metadata()->set_name(container.name());
  config.mutable_metadata()->set_attempt(restart_count);
  config.mutable_image()->set_image(container.image());
  config.mutable_image()->set_user_specified_image(container.image());

  const auto env = ResolveEnv(container, template_spec, context, &result.error);
  if (!result.error.empty()) return result;
  std::map<std::string, std::string> env_map;
  for (const auto& [name, value] : env) {
    env_map[name] = value;
    cri::KeyValue* entry = config.add_envs();
    entry->set_key(name);
    entry->set_value(value);
  }
  for (const std::string& word : container.command()) {
    config.add_command(ExpandVariables(word, env_map));
  }
  for (const std::string& word : container.args()) config.add_args(ExpandVariables(word, env_map));
  config.set_working_dir(container.working_dir());

  std::vector<cri::Mount> mounts;
  result.error = BuildContainerMounts(spec, container, context, volumes, &mounts);
  if (!result.error.empty()) return result;
  for (cri::Mount& mount : mounts) *config.add_mounts() = std::move(mount);

  for (const auto& [key, value] : PodLabels(template_spec, context)) {
    (*config.mutable_labels())[key] = value;
  }
  (*config.mutable_labels())[kContainerNameLabel] = container.name();
  (*config.mutable_labels())[kContainerTypeLabel] = init ? "init" : "app";
  auto& annotations = *config.mutable_annotations();
  annotations[kRestartCountAnnotation] = std::to_string(restart_count);
  annotations[kContainerHashAnnotation] = ContainerHash(container);
  // Lets an agent that restarted stop an adopted container with the right
  // grace period even before it has the spec again (kubelet does the same).
  annotations[kTerminationGraceAnnotation] = std::to_string(TerminationGracePeriod(spec).count());

  config.set_log_path(container.name() + "/" + std::to_string(restart_count) + ".log");
  config.set_stdin(container.stdin());
  config.set_tty(container.tty());

  cri::LinuxContainerConfig* linux_config = config.mutable_linux();
  *linux_config->mutable_resources() =
      BuildContainerResources(spec, container, context.node_memory_bytes);
  result.error = BuildContainerSecurityContext(spec, container, context.seccomp_profile_root,
                                               linux_config->mutable_security_context());
  return result;
}

}  // namespace fleetset::agent
