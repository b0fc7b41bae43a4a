#include "agent/pod_config_builder.h"

#include <gmock/gmock.h>
#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "agent/container_resources.h"
#include "agent/container_security.h"
#include "agent/pod_identity.h"
#include "agent/volumes/volume_manager.h"

namespace fleetset::agent {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

v1::PodTemplateSpec Template(const std::string& text) {
  v1::PodTemplateSpec template_spec;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &template_spec)) << text;
  return template_spec;
}

// Where the pod's volumes are on the node (hostPath and emptyDir).
const VolumeManager& Volumes() {
  static const std::unique_ptr<VolumeManager> volumes = MakeVolumeManager();
  return *volumes;
}

PodContext Context() {
  PodContext context;
  context.node_name = "node-a";
  context.host_ip = "192.0.2.10";
  context.pod_name = "fluentd-x7k2p";
  context.pod_namespace = "kube-system";
  context.pod_uid = "6f1c9a1e-0000-4000-8000-000000000001";
  context.daemon_set_namespace = "kube-system";
  context.daemon_set_name = "fluentd";
  context.revision_hash = "7d9f8c6b5";
  context.pod_ip = "10.88.0.7";
  context.log_root = "/logs";
  context.pod_dir = "/state/pods/6f1c9a1e";
  context.node_memory_bytes = 8LL << 30;
  return context;
}

constexpr char kFluentd[] = R"pb(
  metadata {
    labels { key: "k8s-app" value: "fluentd-logging" }
    labels { key: "version" value: "v1" }
    annotations { key: "team" value: "logging" }
  }
  spec {
    termination_grace_period_seconds: 45
    service_account_name: "fluentd-sa"
    containers {
      name: "fluentd"
      image: "fluent/fluentd:v1"
      command: "sh"
      args: "-c"
      args: "echo $(K8S_NODE_NAME)"
      env {
        name: "K8S_NODE_NAME"
        value_from { field_ref { field_path: "spec.nodeName" } }
      }
      env { name: "PORT" value: "9200" }
      resources {
        limits { key: "memory" value: "200Mi" }
        requests { key: "cpu" value: "100m" }
        requests { key: "memory" value: "200Mi" }
      }
      volume_mounts { name: "varlog" mount_path: "/var/log" read_only: true }
    }
    volumes {
      name: "varlog"
      host_path { path: "/var/log" }
    }
  }
)pb";

std::map<std::string, std::string> AsMap(const google::protobuf::Map<std::string, std::string>& m) {
  return {m.begin(), m.end()};
}

std::map<std::string, std::string> ExpectedPodLabels() {
  return {{"k8s-app", "fluentd-logging"},
          {"version", "v1"},
          {"controller-revision-hash", "7d9f8c6b5"},
          {"io.kubernetes.pod.name", "fluentd-x7k2p"},
          {"io.kubernetes.pod.namespace", "kube-system"},
          {"io.kubernetes.pod.uid", "6f1c9a1e-0000-4000-8000-000000000001"},
          {"fleetset.io/managed-by", "fleetset-agent"},
          {"fleetset.io/node", "node-a"},
          {"fleetset.io/daemonset", "fluentd"},
          {"fleetset.io/daemonset-namespace", "kube-system"}};
}

TEST(PodLabelsTest, TemplateLabelsPlusKubeletAndOwnershipLabels) {
  EXPECT_EQ(PodLabels(Template(kFluentd), Context()), ExpectedPodLabels());
}

TEST(PodLabelsTest, StaticPodsAreMarkedAndTemplateCannotOverrideIdentity) {
  v1::PodTemplateSpec template_spec = Template(kFluentd);
  (*template_spec.mutable_metadata()->mutable_labels())["io.kubernetes.pod.name"] = "impostor";
  PodContext context = Context();
  context.static_pod = true;
  const auto labels = PodLabels(template_spec, context);
  EXPECT_EQ(labels.at("io.kubernetes.pod.name"), "fluentd-x7k2p");
  EXPECT_EQ(labels.at("fleetset.io/static"), "true");
}

TEST(SandboxConfigTest, MetadataLabelsAnnotationsAndLogDirectory) {
  const cri::PodSandboxConfig config = BuildSandboxConfig(Template(kFluentd), Context(), 2);
  EXPECT_EQ(config.metadata().name(), "fluentd-x7k2p");
  EXPECT_EQ(config.metadata().namespace_(), "kube-system");
  EXPECT_EQ(config.metadata().uid(), "6f1c9a1e-0000-4000-8000-000000000001");
  EXPECT_EQ(config.metadata().attempt(), 2u);
  EXPECT_EQ(config.hostname(), "fluentd-x7k2p");
  EXPECT_EQ(config.log_directory(),
            "/logs/kube-system_fluentd-x7k2p_6f1c9a1e-0000-4000-8000-000000000001");
  EXPECT_EQ(AsMap(config.labels()), ExpectedPodLabels());
  EXPECT_THAT(AsMap(config.annotations()),
              UnorderedElementsAre(Pair("team", "logging"),
                                   Pair("io.kubernetes.pod.terminationGracePeriod", "45")));
  EXPECT_TRUE(config.linux().cgroup_parent().empty());
  EXPECT_FALSE(config.linux().security_context().privileged());
}

TEST(SandboxConfigTest, GracePeriodDefaultsToThirtySeconds) {
  v1::PodTemplateSpec template_spec = Template(kFluentd);
  template_spec.mutable_spec()->clear_termination_grace_period_seconds();
  const auto config = BuildSandboxConfig(template_spec, Context(), 0);
  EXPECT_EQ(config.annotations().at(kTerminationGraceAnnotation), "30");
}

TEST(SandboxConfigTest, HostnameFromSpecOrTruncatedPodName) {
  v1::PodTemplateSpec template_spec = Template(kFluentd);
  PodContext context = Context();
  context.pod_name = std::string(62, 'a') + "-b";
  EXPECT_EQ(BuildSandboxConfig(template_spec, context, 0).hostname(), std::string(62, 'a'));
  template_spec.mutable_spec()->set_hostname("collector");
  EXPECT_EQ(BuildSandboxConfig(template_spec, context, 0).hostname(), "collector");
}

TEST(SandboxConfigTest, NamespaceModesFollowHostFlags) {
  struct Case {
    bool host_network, host_pid, host_ipc;
    cri::NamespaceMode network, pid, ipc;
  };
  const std::vector<Case> cases = {
      {false, false, false, cri::POD, cri::CONTAINER, cri::POD},
      {true, false, false, cri::NODE, cri::CONTAINER, cri::POD},
      {false, true, false, cri::POD, cri::NODE, cri::POD},
      {false, false, true, cri::POD, cri::CONTAINER, cri::NODE},
      {true, true, true, cri::NODE, cri::NODE, cri::NODE},
  };
  for (const Case& c : cases) {
    v1::PodTemplateSpec template_spec = Template(kFluentd);
    template_spec.mutable_spec()->set_host_network(c.host_network);
    template_spec.mutable_spec()->set_host_pid(c.host_pid);
    template_spec.mutable_spec()->set_host_ipc(c.host_ipc);
    const auto sandbox = BuildSandboxConfig(template_spec, Context(), 0);
    const auto container = BuildContainerConfig(template_spec, template_spec.spec().containers(0),
                                                Context(), Volumes(), 0, false);
    ASSERT_EQ(container.error, "");
    for (const cri::NamespaceOption& options :
         {sandbox.linux().security_context().namespace_options(),
          container.config.linux().security_context().namespace_options()}) {
      SCOPED_TRACE(std::to_string(c.host_network) + std::to_string(c.host_pid) +
                   std::to_string(c.host_ipc));
      EXPECT_EQ(options.network(), c.network);
      EXPECT_EQ(options.pid(), c.pid);
      EXPECT_EQ(options.ipc(), c.ipc);
    }
    // The node's UTS namespace comes with its network: no hostname to set.
    EXPECT_EQ(sandbox.hostname().empty(), c.host_network);
  }
}

TEST(SandboxConfigTest, PortMappingsOnlyForHostPorts) {
  v1::PodTemplateSpec template_spec = Template(R"pb(
    spec {
      init_containers {
        name: "init"
        ports { container_port: 1 host_port: 1 }
      }
      containers {
        name: "a"
        ports { container_port: 8080 host_port: 80 }
        ports { container_port: 9100 }
        ports { container_port: 53 host_port: 5353 protocol: "UDP" host_ip: "127.0.0.1" }
      }
      containers {
        name: "b"
        ports { container_port: 7000 host_port: 7000 protocol: "SCTP" }
      }
    }
  )pb");
  const auto config = BuildSandboxConfig(template_spec, Context(), 0);
  ASSERT_EQ(config.port_mappings_size(), 3);
  std::vector<std::string> got;
  for (const auto& m : config.port_mappings()) {
    got.push_back(cri::Protocol_Name(m.protocol()) + " " + std::to_string(m.container_port()) +
                  "->" + m.host_ip() + ":" + std::to_string(m.host_port()));
  }
  EXPECT_THAT(got, ElementsAre("TCP 8080->:80", "UDP 53->127.0.0.1:5353", "SCTP 7000->:7000"));
}

TEST(SandboxConfigTest, DnsPolicies) {
  PodContext context = Context();
  context.dns_servers = {"10.0.0.2", "10.0.0.3"};
  context.dns_searches = {"corp.example"};
  context.dns_options = {"ndots:1"};
  v1::PodTemplateSpec template_spec = Template(kFluentd);

  // ClusterFirst (the default) has no cluster DNS on a fleet: node's DNS.
  auto dns = BuildSandboxConfig(template_spec, context, 0).dns_config();
  EXPECT_THAT(dns.servers(), ElementsAre("10.0.0.2", "10.0.0.3"));
  EXPECT_THAT(dns.searches(), ElementsAre("corp.example"));
  EXPECT_THAT(dns.options(), ElementsAre("ndots:1"));

  // dnsConfig is merged in: servers and searches appended, options replace
  // by name; at most three servers survive.
  template_spec.mutable_spec()->set_dns_policy("Default");
  auto* pod_dns = template_spec.mutable_spec()->mutable_dns_config();
  pod_dns->add_nameservers("10.0.0.9");
  pod_dns->add_nameservers("10.0.0.10");
  pod_dns->add_searches("svc.example");
  auto* ndots = pod_dns->add_options();
  ndots->set_name("ndots");
  ndots->set_value("3");
  pod_dns->add_options()->set_name("edns0");
  dns = BuildSandboxConfig(template_spec, context, 0).dns_config();
  EXPECT_THAT(dns.servers(), ElementsAre("10.0.0.2", "10.0.0.3", "10.0.0.9"));
  EXPECT_THAT(dns.searches(), ElementsAre("corp.example", "svc.example"));
  EXPECT_THAT(dns.options(), ElementsAre("ndots:3", "edns0"));

  // None: only what the pod says.
  template_spec.mutable_spec()->set_dns_policy("None");
  dns = BuildSandboxConfig(template_spec, context, 0).dns_config();
  EXPECT_THAT(dns.servers(), ElementsAre("10.0.0.9", "10.0.0.10"));
  EXPECT_THAT(dns.searches(), ElementsAre("svc.example"));

  // Nothing known at all: no dns_config, so the runtime copies the node's
  // resolv.conf.
  EXPECT_FALSE(BuildSandboxConfig(Template(kFluentd), Context(), 0).has_dns_config());
}

TEST(ContainerConfigTest, FluentdContainer) {
  const v1::PodTemplateSpec template_spec = Template(kFluentd);
  const ContainerConfigResult result = BuildContainerConfig(
      template_spec, template_spec.spec().containers(0), Context(), Volumes(), 3, false);
  ASSERT_EQ(result.error, "");
  const cri::ContainerConfig& config = result.config;
  EXPECT_EQ(config.metadata().name(), "fluentd");
  EXPECT_EQ(config.metadata().attempt(), 3u);
  EXPECT_EQ(config.image().image(), "fluent/fluentd:v1");
  EXPECT_THAT(config.command(), ElementsAre("sh"));
  EXPECT_THAT(config.args(), ElementsAre("-c", "echo node-a"));
  ASSERT_EQ(config.envs_size(), 2);
  EXPECT_EQ(config.envs(0).key(), "K8S_NODE_NAME");
  EXPECT_EQ(config.envs(0).value(), "node-a");
  EXPECT_EQ(config.envs(1).key(), "PORT");
  EXPECT_EQ(config.log_path(), "fluentd/3.log");
  ASSERT_EQ(config.mounts_size(), 1);
  EXPECT_EQ(config.mounts(0).host_path(), "/var/log");
  EXPECT_EQ(config.mounts(0).container_path(), "/var/log");
  EXPECT_TRUE(config.mounts(0).readonly());

  std::map<std::string, std::string> labels = ExpectedPodLabels();
  labels["io.kubernetes.container.name"] = "fluentd";
  labels["fleetset.io/container-type"] = "app";
  EXPECT_EQ(AsMap(config.labels()), labels);
  EXPECT_THAT(AsMap(config.annotations()),
              UnorderedElementsAre(Pair("io.kubernetes.container.restartCount", "3"),
                                   Pair("io.kubernetes.container.hash", ::testing::_),
                                   Pair("io.kubernetes.pod.terminationGracePeriod", "45")));
  EXPECT_EQ(config.annotations().at(kContainerHashAnnotation).size(), 8u);
}

TEST(ContainerConfigTest, InitContainersAreLabelledInit) {
  v1::PodTemplateSpec template_spec = Template(kFluentd);
  const auto result = BuildContainerConfig(template_spec, template_spec.spec().containers(0),
                                           Context(), Volumes(), 0, true);
  EXPECT_EQ(result.config.labels().at(kContainerTypeLabel), "init");
  EXPECT_EQ(result.config.log_path(), "fluentd/0.log");
}

TEST(ContainerConfigTest, HashChangesWithTheSpecOnly) {
  v1::PodTemplateSpec template_spec = Template(kFluentd);
  auto hash = [&](uint32_t restarts) {
    return BuildContainerConfig(template_spec, template_spec.spec().containers(0), Context(),
                                Volumes(), restarts, false)
        .config.annotations()
        .at(kContainerHashAnnotation);
  };
  const std::string before = hash(0);
  EXPECT_EQ(hash(5), before);
  template_spec.mutable_spec()->mutable_containers(0)->set_image("fluent/fluentd:v2");
  EXPECT_NE(hash(0), before);
}

TEST(ContainerConfigTest, UnknownVolumeIsAConfigError) {
  v1::PodTemplateSpec template_spec = Template(kFluentd);
  template_spec.mutable_spec()->clear_volumes();
  const auto result = BuildContainerConfig(template_spec, template_spec.spec().containers(0),
                                           Context(), Volumes(), 0, false);
  EXPECT_THAT(result.error, HasSubstr("no volume named \"varlog\""));
}

// --- $(VAR) expansion -------------------------------------------------------

TEST(ExpandVariablesTest, KubernetesSemantics) {
  const std::map<std::string, std::string> env = {
      {"A", "alpha"}, {"B", "$(A)"}, {"EMPTY", ""}, {"WITH SPACE", "ws"}};
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", ""},
      {"plain", "plain"},
      {"$(A)", "alpha"},
      {"x$(A)y$(A)z", "xalphayalphaz"},
      {"$$(A)", "$(A)"},     // escaped reference
      {"$$$(A)", "$alpha"},  // escape, then a reference
      {"$$", "$"},
      {"$(UNDEFINED)", "$(UNDEFINED)"},  // unknown stays as written
      {"$(B)", "$(A)"},                  // values are not expanded again
      {"$(A$(B))", "$(A$(B))"},          // nested: name is "A$(B" -> unknown
      {"$(EMPTY)|", "|"},
      {"$(WITH SPACE)", "ws"},
      {"$A", "$A"},  // only $( starts a reference
      {"$", "$"},
      {"end$", "end$"},
      {"$(A", "$(A"},  // unterminated
      {"$()", "$()"},
      {"$(A)$(A", "alpha$(A"},
  };
  for (const auto& [input, expected] : cases) {
    EXPECT_EQ(ExpandVariables(input, env), expected) << "input: " << input;
  }
}

// --- env --------------------------------------------------------------------

TEST(ResolveEnvTest, EveryFieldRef) {
  v1::PodTemplateSpec template_spec = Template(R"pb(
    metadata {
      labels { key: "app" value: "agent" }
      annotations { key: "owner" value: "ops" }
    }
    spec {
      service_account_name: "collector"
      containers { name: "c" }
    }
  )pb");
  const std::vector<std::pair<std::string, std::string>> paths = {
      {"spec.nodeName", "node-a"},
      {"metadata.name", "fluentd-x7k2p"},
      {"metadata.namespace", "kube-system"},
      {"metadata.uid", "6f1c9a1e-0000-4000-8000-000000000001"},
      {"status.hostIP", "192.0.2.10"},
      {"status.podIP", "10.88.0.7"},
      {"spec.serviceAccountName", "collector"},
      {"metadata.labels['app']", "agent"},
      {"metadata.labels['controller-revision-hash']", "7d9f8c6b5"},
      {"metadata.labels['missing']", ""},
      {"metadata.annotations['owner']", "ops"},
      {"metadata.annotations", "owner=\"ops\""},
      {"metadata.labels", "app=\"agent\"\ncontroller-revision-hash=\"7d9f8c6b5\""},
  };
  v1::Container& container = *template_spec.mutable_spec()->mutable_containers(0);
  for (size_t i = 0; i < paths.size(); ++i) {
    v1::EnvVar* var = container.add_env();
    var->set_name("V" + std::to_string(i));
    var->mutable_value_from()->mutable_field_ref()->set_field_path(paths[i].first);
  }
  std::string error;
  const auto env = ResolveEnv(container, template_spec, Context(), &error);
  ASSERT_EQ(error, "");
  ASSERT_EQ(env.size(), paths.size());
  for (size_t i = 0; i < paths.size(); ++i) {
    EXPECT_EQ(env[i].first, "V" + std::to_string(i));
    EXPECT_EQ(env[i].second, paths[i].second) << paths[i].first;
  }
}

TEST(ResolveEnvTest, WholeMapFieldRefQuotesValuesAsGoDoes) {
  v1::PodTemplateSpec template_spec = Template(R"pb(
    spec { containers { name: "c" } }
  )pb");
  (*template_spec.mutable_metadata()->mutable_annotations())["note"] =
      std::string("say \"hi\"\\ \n\r\t\a\x01\x7f end");
  v1::Container& container = *template_spec.mutable_spec()->mutable_containers(0);
  v1::EnvVar* var = container.add_env();
  var->set_name("ANNOTATIONS");
  var->mutable_value_from()->mutable_field_ref()->set_field_path("metadata.annotations");
  std::string error;
  const auto env = ResolveEnv(container, template_spec, Context(), &error);
  ASSERT_EQ(error, "");
  ASSERT_EQ(env.size(), 1u);
  // fmt's %q: named escapes, other control bytes as \xNN.
  EXPECT_EQ(env[0].second, R"(note="say \"hi\"\\ \n\r\t\a\x01\x7f end")");
}

TEST(ResolveEnvTest, ValuesSeeOnlyEarlierVariables) {
  v1::PodTemplateSpec template_spec = Template(R"pb(
    spec {
      containers {
        name: "c"
        env { name: "URL" value: "http://$(HOST):$(PORT)" }
        env {
          name: "HOST"
          value_from { field_ref { field_path: "status.hostIP" } }
        }
        env { name: "PORT" value: "9200" }
        env { name: "ADDR" value: "$(HOST):$(PORT)" }
        env { name: "LITERAL" value: "$$(HOST)" }
        env { name: "PORT" value: "9300" }
      }
    }
  )pb");
  std::string error;
  const auto env = ResolveEnv(template_spec.spec().containers(0), template_spec, Context(), &error);
  ASSERT_EQ(error, "");
  EXPECT_THAT(env, ElementsAre(Pair("URL", "http://$(HOST):$(PORT)"), Pair("HOST", "192.0.2.10"),
                               Pair("PORT", "9300"), Pair("ADDR", "192.0.2.10:9200"),
                               Pair("LITERAL", "$(HOST)")));
}

TEST(ResolveEnvTest, UnsupportedSourcesAreErrors) {
  v1::PodTemplateSpec template_spec = Template(R"pb(
    spec {
      containers {
        name: "c"
        env {
          name: "X"
          value_from { field_ref { field_path: "spec.bogus" } }
        }
      }
    }
  )pb");
  std::string error;
  EXPECT_THAT(ResolveEnv(template_spec.spec().containers(0), template_spec, Context(), &error),
              IsEmpty());
  EXPECT_THAT(error, HasSubstr("spec.bogus"));
  const auto result = BuildContainerConfig(template_spec, template_spec.spec().containers(0),
                                           Context(), Volumes(), 0, false);
  EXPECT_THAT(result.error, HasSubstr("spec.bogus"));
}

// --- resources --------------------------------------------------------------

struct ResourceCase {
  std::string name;
  std::string resources;  // text format of fleetset.v1.ResourceRequirements
  int64_t shares, quota, memory, oom;
  QosClass qos;
};

TEST(ContainerResourcesTest, KubeletConversions) {
  const int64_t node_memory = 8LL << 30;
  const std::vector<ResourceCase> cases = {
      {"none", "", 2, 0, 0, 1000, QosClass::kBestEffort},
      {"cpu request 100m", R"(requests { key: "cpu" value: "100m" })", 102, 0, 0, 999,
       QosClass::kBurstable},
      {"cpu request 1m floors at 2 shares", R"(requests { key: "cpu" value: "1m" })", 2, 0, 0, 999,
       QosClass::kBurstable},
      {"cpu limit 500m", R"(limits { key: "cpu" value: "500m" })", 512, 50000, 0, 999,
       QosClass::kBurstable},
      {"cpu limit 5m keeps the minimum quota",
       R"(limits { key: "cpu" value: "5m" } requests { key: "cpu" value: "5m" })", 5, 1000, 0, 999,
       QosClass::kBurstable},
      {"fluentd", R"(limits { key: "memory" value: "200Mi" }
                     requests { key: "cpu" value: "100m" } requests { key: "memory" value: "200Mi" })",
       102, 0, 209715200, 1000 - 209715200LL * 1000 / node_memory, QosClass::kBurstable},
      {"guaranteed", R"(limits { key: "memory" value: "1Gi" } limits { key: "cpu" value: "2" })",
       2048, 200000, 1073741824, -997, QosClass::kGuaranteed},
      {"memory request half the node", R"(requests { key: "memory" value: "4Gi" })", 2, 0, 0, 500,
       QosClass::kBurstable},
      {"memory request above the node", R"(requests { key: "memory" value: "16Gi" })", 2, 0, 0, 3,
       QosClass::kBurstable},
  };
  for (const ResourceCase& c : cases) {
    SCOPED_TRACE(c.name);
    v1::PodSpec spec;
    v1::Container* container = spec.add_containers();
    container->set_name("c");
    ASSERT_TRUE(
        google::protobuf::TextFormat::ParseFromString(c.resources, container->mutable_resources()));
    const auto resources = BuildContainerResources(spec, *container, node_memory);
    EXPECT_EQ(resources.cpu_shares(), c.shares);
    EXPECT_EQ(resources.cpu_period(), 100000);
    EXPECT_EQ(resources.cpu_quota(), c.quota);
    EXPECT_EQ(resources.memory_limit_in_bytes(), c.memory);
    EXPECT_EQ(resources.oom_score_adj(), c.oom);
    EXPECT_EQ(PodQosClass(spec), c.qos);
  }
}

TEST(ContainerResourcesTest, QosLooksAtEveryContainer) {
  v1::PodSpec spec;
  auto* guaranteed = spec.add_containers();
  (*guaranteed->mutable_resources()->mutable_limits())["cpu"] = "1";
  (*guaranteed->mutable_resources()->mutable_limits())["memory"] = "1Gi";
  EXPECT_EQ(PodQosClass(spec), QosClass::kGuaranteed);
  spec.add_init_containers()->set_name("unlimited-init");
  (*spec.mutable_init_containers(0)->mutable_resources()->mutable_requests())["cpu"] = "1";
  EXPECT_EQ(PodQosClass(spec), QosClass::kBurstable);
  // Node-critical pods are protected whatever their class.
  spec.set_priority_class_name("system-node-critical");
  EXPECT_EQ(BuildContainerResources(spec, *guaranteed, 1 << 30).oom_score_adj(), -997);
}

// --- security context -------------------------------------------------------

TEST(ContainerSecurityTest, Table) {
  struct Case {
    std::string name;
    std::string pod;        // fleetset.v1.PodSecurityContext
    std::string container;  // fleetset.v1.SecurityContext
    std::string expected;   // runtime.v1.LinuxContainerSecurityContext, selected fields
  };
  const std::vector<Case> cases = {
      {"defaults", "", "", ""},
      {"privileged", "", "privileged: true", "privileged: true"},
      {"pod user and groups are defaults",
       "run_as_user: 1000 run_as_group: 3000 "
       "supplemental_groups: 4 fs_group: 2000",
       "",
       "run_as_user { value: 1000 } run_as_group { value: 3000 } supplemental_groups: 4 "
       "supplemental_groups: 2000"},
      {"container user wins", "run_as_user: 1000", "run_as_user: 0", "run_as_user { value: 0 }"},
      {"read-only root and no escalation", "",
       "read_only_root_filesystem: true allow_privilege_escalation: false",
       "readonly_rootfs: true no_new_privs: true"},
      {"escalation allowed explicitly", "", "allow_privilege_escalation: true", ""},
      {"capabilities", "", R"(capabilities { add: "NET_ADMIN" add: "SYS_TIME" drop: "ALL" })",
       R"(capabilities { add_capabilities: "NET_ADMIN" add_capabilities: "SYS_TIME"
                         drop_capabilities: "ALL" })"},
      {"non-root with a non-root user", "run_as_non_root: true", "run_as_user: 65534",
       "run_as_user { value: 65534 }"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    v1::PodSpec spec;
    ASSERT_TRUE(
        google::protobuf::TextFormat::ParseFromString(c.pod, spec.mutable_security_context()));
    v1::Container* container = spec.add_containers();
    container->set_name("c");
    ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(
        c.container, container->mutable_security_context()));
    cri::LinuxContainerSecurityContext got;
    ASSERT_EQ(BuildContainerSecurityContext(spec, *container, "/seccomp", &got), "");
    cri::LinuxContainerSecurityContext expected;
    ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(c.expected, &expected));
    // Fields every case has: namespaces, seccomp (its own test), and the
    // masked /proc paths for all but privileged containers.
    got.clear_namespace_options();
    got.clear_seccomp();
    if (got.privileged()) {
      EXPECT_THAT(got.masked_paths(), IsEmpty());
    } else {
      EXPECT_THAT(got.masked_paths(), ::testing::Contains("/proc/kcore"));
      EXPECT_THAT(got.readonly_paths(), ::testing::Contains("/proc/sys"));
    }
    got.clear_masked_paths();
    got.clear_readonly_paths();
    EXPECT_EQ(got.DebugString(), expected.DebugString());
  }
}

TEST(ContainerSecurityTest, RunAsNonRootChecks) {
  v1::PodSpec spec;
  spec.mutable_security_context()->set_run_as_non_root(true);
  v1::Container* container = spec.add_containers();
  container->set_name("c");
  container->mutable_security_context()->set_run_as_user(0);
  cri::LinuxContainerSecurityContext context;
  EXPECT_THAT(BuildContainerSecurityContext(spec, *container, "/seccomp", &context),
              HasSubstr("runAsUser breaks non-root policy"));

  // Without runAsUser, only the image can tell.
  container->mutable_security_context()->clear_run_as_user();
  EXPECT_EQ(BuildContainerSecurityContext(spec, *container, "/seccomp", &context), "");
  cri::Image image;
  EXPECT_THAT(VerifyImageUserIsNonRoot(spec, *container, image), HasSubstr("will run as root"));
  image.mutable_uid()->set_value(0);
  EXPECT_THAT(VerifyImageUserIsNonRoot(spec, *container, image), HasSubstr("will run as root"));
  image.mutable_uid()->set_value(1000);
  EXPECT_EQ(VerifyImageUserIsNonRoot(spec, *container, image), "");
  image.clear_uid();
  image.set_username("app");
  EXPECT_THAT(VerifyImageUserIsNonRoot(spec, *container, image), HasSubstr("non-numeric user"));
  // The container may opt out of the pod's policy.
  container->mutable_security_context()->set_run_as_non_root(false);
  EXPECT_EQ(VerifyImageUserIsNonRoot(spec, *container, image), "");
}

TEST(ContainerSecurityTest, SandboxIsPrivilegedWhenAnyContainerIs) {
  v1::PodTemplateSpec template_spec = Template(kFluentd);
  template_spec.mutable_spec()->mutable_security_context()->set_run_as_user(1000);
  auto* init = template_spec.mutable_spec()->add_init_containers();
  init->set_name("setup");
  EXPECT_FALSE(
      BuildSandboxConfig(template_spec, Context(), 0).linux().security_context().privileged());
  init->mutable_security_context()->set_privileged(true);
  const auto sandbox = BuildSandboxConfig(template_spec, Context(), 0).linux().security_context();
  EXPECT_TRUE(sandbox.privileged());
  EXPECT_EQ(sandbox.run_as_user().value(), 1000);
}

}  // namespace
}  // namespace fleetset::agent
