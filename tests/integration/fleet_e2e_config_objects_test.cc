// DaemonSets shaped like the ones projects publish, through the real
// coordinator and agents on real containerd: a log shipper bundle with its
// config in a ConfigMap, credentials in a Secret and RBAC kinds fleetset
// skips; live edits of the ConfigMap; pods that wait for what they
// reference; an exporter with seccomp RuntimeDefault and a downward API
// volume; pulls with imagePullSecrets; and a node that restarts its agent
// with the coordinator down.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/fleet_e2e.h"
#include "support/prerequisites.h"

namespace fleetset::testing {
namespace {

using std::chrono::milliseconds;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kLogging[] = "logging";

// The shipper's ConfigMap with `host` as its output.
std::string ShipperConfig(const std::string& host) {
  return R"(apiVersion: v1
kind: ConfigMap
metadata: {name: shipper-config, namespace: logging}
data:
  shipper.conf: |
    [OUTPUT]
    host )" +
         host + "\n";
}

std::string ShipperBundle(const std::string& image) {
  return R"(apiVersion: v1
kind: Namespace
metadata: {name: logging}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: shipper, namespace: logging}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: shipper}
rules:
- apiGroups: [""]
  resources: [pods, namespaces]
  verbs: [get, list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: shipper}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: shipper}
subjects: [{kind: ServiceAccount, name: shipper, namespace: logging}]
---
)" + ShipperConfig("es-1") +
         R"(---
apiVersion: v1
kind: ConfigMap
metadata: {name: shipper-env, namespace: logging}
data: {LOG_LEVEL: info}
---
apiVersion: v1
kind: Secret
metadata: {name: shipper-creds, namespace: logging}
type: Opaque
stringData: {password: s3cr3t-shipper-value}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: shipper, namespace: logging}
spec:
  selector: {matchLabels: {app: shipper}}
  template:
    metadata: {labels: {app: shipper}}
    spec:
      serviceAccountName: shipper
      priorityClassName: system-node-critical
      terminationGracePeriodSeconds: 1
      initContainers:
      - name: check-config
        image: )" +
         image + R"(
        command: [sh, -c, 'grep -q OUTPUT /config/shipper.conf']
        volumeMounts: [{name: config, mountPath: /config}]
      containers:
      - name: shipper
        image: )" +
         image + R"(
        command: [sleep, '3600']
        env:
        - name: SHIPPER_PASSWORD
          valueFrom: {secretKeyRef: {name: shipper-creds, key: password}}
        envFrom:
        - configMapRef: {name: shipper-env}
        volumeMounts:
        - {name: config, mountPath: /etc/shipper}
        - {name: creds, mountPath: /etc/shipper-creds, readOnly: true}
      volumes:
      - name: config
        configMap: {name: shipper-config}
      - name: creds
        secret: {secretName: shipper-creds, defaultMode: 0400}
)";
}

// A DaemonSet in "logging" that runs `image` (sleeping) on worker-1 only;
// `container` and `pod` are YAML added to its container and pod spec
// (indented for them).
std::string DaemonSetOnWorker1(const std::string& name, const std::string& image,
                               const std::string& container, const std::string& pod = "") {
  return "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: " + name +
         ", namespace: logging}\nspec:\n  selector: {matchLabels: {app: " + name +
         "}}\n  template:\n    metadata: {labels: {app: " + name +
         ", tier: monitoring}}\n    spec:\n      terminationGracePeriodSeconds: 1\n" +
         "      nodeSelector: {kubernetes.io/hostname: worker-1}\n" + pod +
         "      containers:\n      - name: main\n        image: " + image +
         "\n        command: [sleep, '3600']\n" + container;
}

class FleetConfigObjectsTest : public FleetE2ETest {
 protected:
  // The running container of `container` in the DaemonSet's pod on `node`.
  std::optional<cri::Container> RunningContainer(const std::string& node, const std::string& name,
                                                 const std::string& container) {
    for (const cri::Container& found : RuntimeContainers(node, name, kLogging)) {
      if (found.metadata().name() == container && found.state() == cri::CONTAINER_RUNNING) {
        return found;
      }
    }
    return std::nullopt;
  }
  // What `command` prints in that container (stdout), or "exit N: stderr".
  std::string Exec(const std::string& node, const std::string& container_id,
                   const std::vector<std::string>& command) {
    cri::ExecSyncRequest request;
    request.set_container_id(container_id);
    for (const std::string& arg : command) request.add_cmd(arg);
    request.set_timeout(10);
    cri::ExecSyncResponse response;
    grpc::Status status = Cri(node).runtime().ExecSync(request, &response);
    if (!status.ok()) return "exec failed: " + status.error_message();
    if (response.exit_code() != 0) {
      return "exit " + std::to_string(response.exit_code()) + ": " + response.stderr();
    }
    return response.stdout();
  }
  void CreateLoggingNamespace() {
    const CommandResult created =
        Ctl("apply", "-f",
            WriteFile("namespace.yaml",
                      "apiVersion: v1\nkind: Namespace\nmetadata: {name: logging}\n"));
    ASSERT_EQ(created.exit_code, 0) << Show(created);
  }
  // A pod row of `get pods -n logging` for the DaemonSet `name`.
  std::optional<TableRow> PodRow(const std::string& name) {
    for (const TableRow& row : ParseTable(Ctl("get", "pods", "-n", kLogging).out)) {
      if (row.at("NAME").rfind(name + "-", 0) == 0) return row;
    }
    return std::nullopt;
  }
};

TEST_F(FleetConfigObjectsTest, ALogShipperBundleRunsWithItsConfigMapAndSecretAndFollowsEdits) {
  const std::string bundle = WriteFile("shipper.yaml", ShipperBundle(kTestImage));
  const CommandResult apply = Ctl("apply", "-f", bundle);
  ASSERT_EQ(apply.exit_code, 0) << Show(apply);
  EXPECT_THAT(apply.err,
              HasSubstr("serviceaccount/shipper skipped: fleetset has no ServiceAccounts"));
  EXPECT_THAT(apply.err, HasSubstr("clusterrole/shipper skipped: fleetset has no ClusterRoles"));
  EXPECT_THAT(apply.out, HasSubstr("configmap/shipper-config created"));
  EXPECT_THAT(apply.out, HasSubstr("secret/shipper-creds created"));
  EXPECT_THAT(apply.out, HasSubstr("daemonset.apps/shipper created"));
  // The two workers (the master keeps its taint).
  ASSERT_TRUE(WaitForDaemonSetCounts("shipper", kLogging, 2));

  const std::optional<cri::Container> shipper =
      RunningContainer(kWorker1Node, "shipper", "shipper");
  ASSERT_TRUE(shipper.has_value());
  const std::string id = shipper->id();
  EXPECT_THAT(Exec(kWorker1Node, id, {"cat", "/etc/shipper/shipper.conf"}), HasSubstr("host es-1"));
  EXPECT_EQ(Exec(kWorker1Node, id, {"sh", "-c", "echo $SHIPPER_PASSWORD $LOG_LEVEL"}),
            "s3cr3t-shipper-value info\n");
  EXPECT_EQ(Exec(kWorker1Node, id, {"cat", "/etc/shipper-creds/password"}), "s3cr3t-shipper-value");
  EXPECT_EQ(Exec(kWorker1Node, id, {"stat", "-L", "-c", "%a", "/etc/shipper-creds/password"}),
            "400\n");
  // Secret files live in memory only.
  EXPECT_THAT(Exec(kWorker1Node, id, {"grep", "/etc/shipper-creds", "/proc/mounts"}),
              HasSubstr("tmpfs"));
  // The built-in class's value reaches the pod, and the pod reports it.
  const CommandResult pods = Ctl("get", "pods", "-n", kLogging, "-o", "yaml");
  EXPECT_THAT(pods.out, HasSubstr("priority: 2000001000")) << Show(pods);
  EXPECT_THAT(pods.out, HasSubstr("priorityClassName: system-node-critical")) << Show(pods);

  // An edit reaches the running container's file within 5 s, with no restart.
  const CommandResult edit = Ctl("apply", "-f", WriteFile("config.yaml", ShipperConfig("es-2")));
  ASSERT_EQ(edit.exit_code, 0) << Show(edit);
  const auto edited = std::chrono::steady_clock::now();
  EXPECT_TRUE(WaitFor(
      [&] {
        return Exec(kWorker1Node, id, {"cat", "/etc/shipper/shipper.conf"}).find("host es-2") !=
               std::string::npos;
      },
      milliseconds(5000)))
      << Exec(kWorker1Node, id, {"cat", "/etc/shipper/shipper.conf"});
  EXPECT_LT(std::chrono::steady_clock::now() - edited, milliseconds(5000));
  const std::optional<cri::Container> after = RunningContainer(kWorker1Node, "shipper", "shipper");
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(after->id(), id) << "the container must not be restarted";

  // A copy of the coordinator's database reveals no secret value.
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(Coordinator().data_dir())) {
    if (!entry.is_regular_file()) continue;
    std::ifstream file(entry.path(), std::ios::binary);
    std::stringstream contents;
    contents << file.rdbuf();
    EXPECT_THAT(contents.str(), Not(HasSubstr("s3cr3t-shipper-value"))) << entry.path();
  }
  // Nor do the agents' logs or the coordinator's.
  EXPECT_THAT(Coordinator().Output(), Not(HasSubstr("s3cr3t-shipper-value")));
  EXPECT_THAT(Agent(kWorker1Node).Output(), Not(HasSubstr("s3cr3t-shipper-value")));
}

TEST_F(FleetConfigObjectsTest, PodsWaitForAMissingConfigMapOrSecretAndStartOnceItExists) {
  CreateLoggingNamespace();
  const std::string daemon_sets =
      DaemonSetOnWorker1("late-volume", kTestImage,
                         "        volumeMounts: [{name: config, mountPath: /config}]\n",
                         "      volumes: [{name: config, configMap: {name: late-config}}]\n") +
      "---\n" +
      DaemonSetOnWorker1("late-env", kTestImage,
                         "        env:\n"
                         "        - name: TOKEN\n"
                         "          valueFrom: {secretKeyRef: {name: late-secret, key: token}}\n");
  const CommandResult apply = Ctl("apply", "-f", WriteFile("late.yaml", daemon_sets));
  ASSERT_EQ(apply.exit_code, 0) << Show(apply);

  std::optional<TableRow> volume_pod;
  std::optional<TableRow> env_pod;
  EXPECT_TRUE(WaitFor([&] {
    volume_pod = PodRow("late-volume");
    env_pod = PodRow("late-env");
    return volume_pod && env_pod && volume_pod->at("STATUS") == "ContainerCreating" &&
           env_pod->at("STATUS") == "CreateContainerConfigError";
  })) << Ctl("get", "pods", "-n", kLogging).out;
  ASSERT_TRUE(volume_pod && env_pod);
  // The pods' statuses say why they wait, in kubelet's words.
  const CommandResult statuses = Ctl("get", "pods", "-n", kLogging, "-o", "yaml");
  // (quoted in YAML, so its quotes are escaped)
  EXPECT_THAT(statuses.out, HasSubstr(R"(volume \"config\": configmap \"late-config\" not found)"))
      << Show(statuses);
  EXPECT_THAT(statuses.out, HasSubstr("reason: FailedMount")) << Show(statuses);
  EXPECT_THAT(statuses.out, HasSubstr("secret \"late-secret\" not found")) << Show(statuses);
  // describe says the same, with the volume from the pod's revision.
  const CommandResult volume_described =
      Ctl("describe", "pod", volume_pod->at("NAME"), "-n", kLogging);
  EXPECT_THAT(volume_described.out, HasSubstr("Reason:")) << Show(volume_described);
  EXPECT_THAT(volume_described.out, HasSubstr("FailedMount")) << Show(volume_described);
  EXPECT_THAT(volume_described.out, HasSubstr("configmap \"late-config\" not found"))
      << Show(volume_described);
  EXPECT_THAT(volume_described.out, HasSubstr("ConfigMap (a volume populated by a ConfigMap)"))
      << Show(volume_described);
  const CommandResult env_described = Ctl("describe", "pod", env_pod->at("NAME"), "-n", kLogging);
  EXPECT_THAT(env_described.out, HasSubstr("CreateContainerConfigError")) << Show(env_described);
  EXPECT_THAT(env_described.out, HasSubstr("secret \"late-secret\" not found"))
      << Show(env_described);

  ASSERT_EQ(
      Ctl("create", "configmap", "late-config", "-n", kLogging, "--from-literal=a=1").exit_code, 0);
  ASSERT_EQ(Ctl("create", "secret", "generic", "late-secret", "-n", kLogging,
                "--from-literal=token=t0k3n")
                .exit_code,
            0);
  EXPECT_TRUE(WaitFor([&] {
    volume_pod = PodRow("late-volume");
    env_pod = PodRow("late-env");
    return volume_pod && env_pod && volume_pod->at("STATUS") == "Running" &&
           env_pod->at("STATUS") == "Running";
  })) << Ctl("get", "pods", "-n", kLogging).out;
  const std::optional<cri::Container> env_container =
      RunningContainer(kWorker1Node, "late-env", "main");
  ASSERT_TRUE(env_container.has_value());
  EXPECT_EQ(Exec(kWorker1Node, env_container->id(), {"sh", "-c", "echo $TOKEN"}), "t0k3n\n");
}

// The agent's stream has fixed HTTP/2 windows (fleetset/agent_stream_transport.h):
// a desired state several times larger than gRPC's default window of 64 KiB
// still reaches the node whole, as do the applies that carry it.
TEST_F(FleetConfigObjectsTest, ADesiredStateOfSeveralMegabytesReachesItsNode) {
  CreateLoggingNamespace();
  constexpr int kConfigMaps = 3;
  constexpr size_t kValueBytes = 800 * 1024;  // a file of all three stays under 3 MiB
  std::string manifests;
  std::string mounts;
  std::string volumes;
  for (int i = 0; i < kConfigMaps; ++i) {
    const std::string name = "bulk-" + std::to_string(i);
    // A different letter per ConfigMap: a state cut short or mixed up
    // shows in the counts.
    manifests += "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: " + name +
                 ", namespace: logging}\ndata:\n  blob: " +
                 std::string(kValueBytes, static_cast<char>('a' + i)) + "\n---\n";
    mounts += "        - {name: " + name + ", mountPath: /bulk/" + name + "}\n";
    volumes += "      - name: " + name + "\n        configMap: {name: " + name + "}\n";
  }
  manifests += DaemonSetOnWorker1("bulk", kTestImage, "        volumeMounts:\n" + mounts,
                                  "      volumes:\n" + volumes);
  const CommandResult apply = Ctl("apply", "-f", WriteFile("bulk.yaml", manifests));
  ASSERT_EQ(apply.exit_code, 0) << Show(apply);

  std::optional<cri::Container> bulk;
  ASSERT_TRUE(WaitFor([&] {
    bulk = RunningContainer(kWorker1Node, "bulk", "main");
    return bulk.has_value();
  })) << Ctl("get", "pods", "-n", kLogging).out;
  for (int i = 0; i < kConfigMaps; ++i) {
    const std::string path = "/bulk/bulk-" + std::to_string(i) + "/blob";
    const std::string letter(1, static_cast<char>('a' + i));
    EXPECT_EQ(Exec(kWorker1Node, bulk->id(),
                   {"sh", "-c", "tr -d " + letter + " < " + path + " | wc -c; wc -c < " + path}),
              "0\n" + std::to_string(kValueBytes) + "\n")
        << path;
  }
}

TEST_F(FleetConfigObjectsTest, AnExporterRunsUnderRuntimeDefaultSeccompWithADownwardApiVolume) {
  CreateLoggingNamespace();
  const std::string exporter =
      DaemonSetOnWorker1("exporter", kTestImage, R"(        resources: {limits: {memory: 64Mi}}
        volumeMounts: [{name: podinfo, mountPath: /etc/podinfo}]
)",
                         R"(      securityContext:
        seccompProfile: {type: RuntimeDefault}
        runAsNonRoot: true
        runAsUser: 65534
      volumes:
      - name: podinfo
        downwardAPI:
          items:
          - {path: labels, fieldRef: {fieldPath: metadata.labels}}
          - {path: name, fieldRef: {fieldPath: metadata.name}}
          - path: mem_limit
            resourceFieldRef: {containerName: main, resource: limits.memory, divisor: 1Mi}
)");
  const CommandResult apply = Ctl("apply", "-f", WriteFile("exporter.yaml", exporter));
  ASSERT_EQ(apply.exit_code, 0) << Show(apply);
  ASSERT_TRUE(WaitForDaemonSetCounts("exporter", kLogging, 1));
  const std::optional<cri::Container> container =
      RunningContainer(kWorker1Node, "exporter", "main");
  ASSERT_TRUE(container.has_value());
  // 2: seccomp filtering (0 would be none, as Unconfined gives).
  EXPECT_THAT(Exec(kWorker1Node, container->id(), {"grep", "Seccomp:", "/proc/self/status"}),
              HasSubstr("Seccomp:\t2"));
  const std::optional<TableRow> pod = PodRow("exporter");
  ASSERT_TRUE(pod.has_value());
  EXPECT_EQ(Exec(kWorker1Node, container->id(), {"cat", "/etc/podinfo/name"}), pod->at("NAME"));
  EXPECT_THAT(Exec(kWorker1Node, container->id(), {"cat", "/etc/podinfo/labels"}),
              HasSubstr("tier=\"monitoring\""));
  EXPECT_EQ(Exec(kWorker1Node, container->id(), {"cat", "/etc/podinfo/mem_limit"}), "64");
}

TEST_F(FleetConfigObjectsTest, ImagePullSecretsLetAPodPullFromARegistryThatWantsALogin) {
  REQUIRE_LOCAL_REGISTRY();
  std::unique_ptr<LocalRegistry> registry = LocalRegistry::Start("fleet:s3cret-pull");
  ASSERT_NE(registry, nullptr);
  CreateLoggingNamespace();
  const CommandResult secret = Ctl("create", "secret", "docker-registry", "regcred", "-n", kLogging,
                                   "--docker-server=127.0.0.1:5000", "--docker-username=fleet",
                                   "--docker-password=s3cret-pull");
  ASSERT_EQ(secret.exit_code, 0) << Show(secret);
  const std::string pulled =
      DaemonSetOnWorker1("private", registry->image(), "        imagePullPolicy: Always\n",
                         "      imagePullSecrets: [{name: regcred}]\n");
  const CommandResult apply = Ctl("apply", "-f", WriteFile("private.yaml", pulled));
  ASSERT_EQ(apply.exit_code, 0) << Show(apply);
  EXPECT_TRUE(WaitForDaemonSetCounts("private", kLogging, 1));
  EXPECT_THAT(RunningImages(kWorker1Node, "private", kLogging),
              ::testing::ElementsAre(registry->image()));
}

TEST_F(FleetConfigObjectsTest, AnAgentRestartedWithTheCoordinatorDownKeepsItsConfigMapPod) {
  const CommandResult apply =
      Ctl("apply", "-f", WriteFile("shipper.yaml", ShipperBundle(kTestImage)));
  ASSERT_EQ(apply.exit_code, 0) << Show(apply);
  ASSERT_TRUE(WaitForDaemonSetCounts("shipper", kLogging, 2));
  const std::optional<cri::Container> before = RunningContainer(kWorker1Node, "shipper", "shipper");
  ASSERT_TRUE(before.has_value());

  ASSERT_TRUE(Coordinator().Signal(SIGKILL));
  ASSERT_TRUE(Coordinator().Wait(milliseconds(10000)).has_value());
  ASSERT_TRUE(Agent(kWorker1Node).Signal(SIGTERM));
  ASSERT_TRUE(Agent(kWorker1Node).Wait(milliseconds(15000)).has_value());
  ASSERT_TRUE(Agent(kWorker1Node).Restart());
  // The restarted agent works from its cached desired state: the pod is
  // adopted (same container) and its files are still served.
  EXPECT_TRUE(WaitFor([&] {
    const std::optional<v1::StatusReport> status = Agent(kWorker1Node).Status();
    if (!status) return false;
    for (const v1::Pod& pod : status->pods()) {
      if (pod.metadata().name().rfind("shipper-", 0) == 0 && pod.status().phase() == "Running") {
        return true;
      }
    }
    return false;
  }));
  const std::optional<cri::Container> after = RunningContainer(kWorker1Node, "shipper", "shipper");
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(after->id(), before->id());
  // Killed, the container comes back with its config from the cache.
  ASSERT_TRUE(Cri(kWorker1Node).KillContainer(after->id()));
  std::optional<cri::Container> restarted;
  EXPECT_TRUE(WaitFor([&] {
    restarted = RunningContainer(kWorker1Node, "shipper", "shipper");
    return restarted && restarted->id() != after->id();
  }));
  ASSERT_TRUE(restarted.has_value());
  EXPECT_THAT(Exec(kWorker1Node, restarted->id(), {"cat", "/etc/shipper/shipper.conf"}),
              HasSubstr("host es-1"));
  EXPECT_EQ(Exec(kWorker1Node, restarted->id(), {"sh", "-c", "echo $SHIPPER_PASSWORD"}),
            "s3cr3t-shipper-value\n");
}

}  // namespace
}  // namespace fleetset::testing
