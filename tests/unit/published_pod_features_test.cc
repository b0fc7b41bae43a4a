// Whole DaemonSet manifests shaped like published ones (a log shipper, a
// node exporter, a network daemon, a pod with a projected volume) load as
// every entry point loads them, with Kubernetes' defaults; Windows-only
// settings are refused with one clear message.
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include "fleetset/manifest.h"
#include "fleetset/revision.h"

namespace fleetset {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::vector<std::string> ErrorsOf(const LoadedDaemonSet& loaded) {
  std::vector<std::string> errors;
  for (const FieldError& error : loaded.errors) errors.push_back(error.ToString());
  return errors;
}

LoadedDaemonSet LoadOne(const std::string& text) {
  std::vector<LoadedDaemonSet> loaded = LoadDaemonSets(text, "ds.yaml");
  EXPECT_EQ(loaded.size(), 1u);
  return loaded.empty() ? LoadedDaemonSet{} : loaded.front();
}

const v1::PodSpec& PodOf(const LoadedDaemonSet& loaded) {
  return loaded.daemon_set.spec().template_().spec();
}

// 0644, the mode Kubernetes gives files of configMap, secret, downwardAPI
// and projected volumes.
constexpr int32_t kMode0644 = 420;

constexpr char kLogShipper[] = R"(apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: fluent-bit
  namespace: logging
  labels: {app.kubernetes.io/name: fluent-bit}
spec:
  selector:
    matchLabels: {app.kubernetes.io/name: fluent-bit}
  template:
    metadata:
      labels: {app.kubernetes.io/name: fluent-bit}
      annotations: {checksum/config: 5b1d2c3e}
    spec:
      serviceAccountName: fluent-bit
      containers:
      - name: fluent-bit
        image: cr.fluentbit.io/fluent/fluent-bit:3.0.7
        imagePullPolicy: IfNotPresent
        env:
        - name: FLUENT_ELASTICSEARCH_HOST
          value: elasticsearch.logging.svc
        - name: FLUENT_ELASTICSEARCH_PASSWORD
          valueFrom:
            secretKeyRef:
              name: elasticsearch-credentials
              key: password
        - name: NODE_NAME
          valueFrom:
            fieldRef: {fieldPath: spec.nodeName}
        ports:
        - {name: http, containerPort: 2020, protocol: TCP}
        livenessProbe:
          httpGet: {path: /, port: http}
        readinessProbe:
          httpGet: {path: /api/v1/health, port: http}
        volumeMounts:
        - {name: config, mountPath: /fluent-bit/etc/conf}
        - {name: varlog, mountPath: /var/log}
        - {name: varlibdockercontainers, mountPath: /var/lib/docker/containers, readOnly: true}
        - {name: etcmachineid, mountPath: /etc/machine-id, readOnly: true}
      volumes:
      - name: config
        configMap:
          name: fluent-bit
          defaultMode: 0644
      - name: varlog
        hostPath: {path: /var/log}
      - name: varlibdockercontainers
        hostPath: {path: /var/lib/docker/containers}
      - name: etcmachineid
        hostPath: {path: /etc/machine-id, type: File}
      tolerations:
      - operator: Exists
)";

TEST(PublishedPodFeatures, LogShipperWithConfigMapVolumeAndSecretEnv) {
  const LoadedDaemonSet loaded = LoadOne(kLogShipper);
  EXPECT_THAT(ErrorsOf(loaded), IsEmpty());
  const v1::PodSpec& pod = PodOf(loaded);
  // YAML's leading-zero octal, as kubectl reads it.
  EXPECT_EQ(pod.volumes(0).config_map().default_mode(), kMode0644);
  EXPECT_EQ(pod.volumes(0).config_map().name(), "fluent-bit");
  const v1::ObjectKeySelector& secret = pod.containers(0).env(1).value_from().secret_key_ref();
  EXPECT_EQ(secret.name(), "elasticsearch-credentials");
  EXPECT_EQ(secret.key(), "password");
  EXPECT_FALSE(secret.has_optional());
}

constexpr char kNodeExporter[] = R"(apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: node-exporter
  namespace: monitoring
spec:
  selector:
    matchLabels: {app.kubernetes.io/name: node-exporter}
  updateStrategy:
    type: RollingUpdate
    rollingUpdate: {maxUnavailable: 1}
  template:
    metadata:
      labels: {app.kubernetes.io/name: node-exporter}
      annotations: {cluster-autoscaler.kubernetes.io/safe-to-evict: "true"}
    spec:
      automountServiceAccountToken: false
      securityContext:
        fsGroup: 65534
        runAsGroup: 65534
        runAsNonRoot: true
        runAsUser: 65534
        seccompProfile:
          type: RuntimeDefault
      containers:
      - name: node-exporter
        image: quay.io/prometheus/node-exporter:v1.8.1
        args:
        - --path.procfs=/host/proc
        - --path.sysfs=/host/sys
        - --path.rootfs=/host/root
        - --web.listen-address=[$(HOST_IP)]:9100
        env:
        - name: HOST_IP
          value: 0.0.0.0
        securityContext:
          allowPrivilegeEscalation: false
          readOnlyRootFilesystem: true
          capabilities: {drop: [ALL]}
          seccompProfile: {type: RuntimeDefault}
        ports:
        - {name: metrics, containerPort: 9100, protocol: TCP}
        livenessProbe:
          httpGet: {path: /, port: 9100}
        resources:
          limits: {cpu: 250m, memory: 180Mi}
          requests: {cpu: 100m, memory: 128Mi}
        volumeMounts:
        - {name: proc, mountPath: /host/proc, readOnly: true}
        - {name: sys, mountPath: /host/sys, readOnly: true}
        - {name: root, mountPath: /host/root, mountPropagation: HostToContainer, readOnly: true}
        - {name: podinfo, mountPath: /etc/podinfo}
      hostNetwork: true
      hostPID: true
      nodeSelector: {kubernetes.io/os: linux}
      tolerations:
      - {effect: NoSchedule, operator: Exists}
      volumes:
      - {name: proc, hostPath: {path: /proc}}
      - {name: sys, hostPath: {path: /sys}}
      - {name: root, hostPath: {path: /}}
      - name: podinfo
        downwardAPI:
          items:
          - path: labels
            fieldRef: {fieldPath: metadata.labels}
          - path: annotations
            fieldRef: {fieldPath: metadata.annotations}
          - path: cpu_limit
            resourceFieldRef: {containerName: node-exporter, resource: limits.cpu, divisor: 1m}
)";

TEST(PublishedPodFeatures, NodeExporterWithSeccompAndDownwardApiVolume) {
  const LoadedDaemonSet loaded = LoadOne(kNodeExporter);
  EXPECT_THAT(ErrorsOf(loaded), IsEmpty());
  const v1::PodSpec& pod = PodOf(loaded);
  EXPECT_EQ(pod.security_context().seccomp_profile().type(), "RuntimeDefault");
  EXPECT_FALSE(pod.security_context().seccomp_profile().has_localhost_profile());
  EXPECT_EQ(pod.containers(0).security_context().seccomp_profile().type(), "RuntimeDefault");
  const v1::DownwardAPIVolumeSource& podinfo = pod.volumes(3).downward_api();
  EXPECT_EQ(podinfo.default_mode(), kMode0644);
  ASSERT_EQ(podinfo.items_size(), 3);
  EXPECT_EQ(podinfo.items(0).field_ref().api_version(), "v1");
  EXPECT_EQ(podinfo.items(2).resource_field_ref().divisor(), "1m");
}

constexpr char kNetworkDaemon[] = R"(apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: kube-router
  namespace: kube-system
  labels: {k8s-app: kube-router}
spec:
  selector:
    matchLabels: {k8s-app: kube-router}
  template:
    metadata:
      labels: {k8s-app: kube-router}
    spec:
      priorityClassName: system-node-critical
      serviceAccountName: kube-router
      hostNetwork: true
      initContainers:
      - name: install-cni
        image: docker.io/cloudnativelabs/kube-router:v2.1.3
        command:
        - /bin/sh
        - -c
        - cp /etc/kube-router/cni-conf.json /etc/cni/net.d/10-kuberouter.conflist
        volumeMounts:
        - {name: cni-conf-dir, mountPath: /etc/cni/net.d}
        - {name: kube-router-cfg, mountPath: /etc/kube-router}
      containers:
      - name: kube-router
        image: docker.io/cloudnativelabs/kube-router:v2.1.3
        args: [--run-router=true, --run-firewall=true, --run-service-proxy=false]
        securityContext:
          privileged: true
          seLinuxOptions: {level: s0, type: spc_t}
        env:
        - name: NODE_NAME
          valueFrom:
            fieldRef: {fieldPath: spec.nodeName}
        - name: ROUTER_ID
          valueFrom:
            configMapKeyRef: {name: kube-router-env, key: router.id, optional: true}
        envFrom:
        - configMapRef: {name: kube-router-env}
        - prefix: BGP_
          secretRef: {name: kube-router-bgp, optional: true}
        livenessProbe:
          httpGet: {path: /healthz, port: 20244}
          initialDelaySeconds: 10
          periodSeconds: 3
        volumeMounts:
        - {name: lib-modules, mountPath: /lib/modules, readOnly: true}
        - {name: cni-conf-dir, mountPath: /etc/cni/net.d}
        - {name: xtables-lock, mountPath: /run/xtables.lock}
      volumes:
      - name: lib-modules
        hostPath: {path: /lib/modules}
      - name: cni-conf-dir
        hostPath: {path: /etc/cni/net.d}
      - name: kube-router-cfg
        configMap:
          name: kube-router-cfg
          items:
          - {key: cni-conf.json, path: cni-conf.json}
      - name: xtables-lock
        hostPath: {path: /run/xtables.lock, type: FileOrCreate}
      tolerations:
      - {effect: NoSchedule, operator: Exists}
      - {key: CriticalAddonsOnly, operator: Exists}
      - {effect: NoExecute, operator: Exists}
)";

TEST(PublishedPodFeatures, NetworkDaemonWithEnvFromAndConfigMapInInitContainer) {
  const LoadedDaemonSet loaded = LoadOne(kNetworkDaemon);
  EXPECT_THAT(ErrorsOf(loaded), IsEmpty());
  const v1::PodSpec& pod = PodOf(loaded);
  const v1::Container& router = pod.containers(0);
  ASSERT_EQ(router.env_from_size(), 2);
  EXPECT_EQ(router.env_from(0).config_map_ref().name(), "kube-router-env");
  EXPECT_EQ(router.env_from(1).prefix(), "BGP_");
  EXPECT_TRUE(router.env_from(1).secret_ref().optional());
  EXPECT_EQ(router.security_context().se_linux_options().type(), "spc_t");
  EXPECT_EQ(pod.init_containers(0).volume_mounts(1).name(), "kube-router-cfg");
  const v1::ConfigMapVolumeSource& config = pod.volumes(2).config_map();
  EXPECT_EQ(config.default_mode(), kMode0644);
  EXPECT_EQ(config.items(0).key(), "cni-conf.json");
  EXPECT_FALSE(config.items(0).has_mode());
}

constexpr char kProjected[] = R"(apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: vault-agent
spec:
  selector:
    matchLabels: {app: vault-agent}
  template:
    metadata:
      labels: {app: vault-agent}
    spec:
      shareProcessNamespace: true
      containers:
      - name: agent
        image: hashicorp/vault:1.17
        readinessProbe:
          grpc: {port: 8201, service: readiness}
        startupProbe:
          grpc: {port: 8201}
          failureThreshold: 30
        volumeMounts:
        - {name: identity, mountPath: /var/run/secrets/vault, readOnly: true}
        - {name: sa-token, mountPath: /var/run/secrets/tokens}
      volumes:
      - name: identity
        projected:
          defaultMode: 0440
          sources:
          - serviceAccountToken:
              audience: vault
              expirationSeconds: 3607
              path: token
          - configMap:
              name: kube-root-ca.crt
              items:
              - {key: ca.crt, path: ca.crt}
          - downwardAPI:
              items:
              - path: namespace
                fieldRef: {apiVersion: v1, fieldPath: metadata.namespace}
              - path: pod-name
                fieldRef: {fieldPath: metadata.name}
          - secret:
              name: vault-agent-tls
              optional: true
              items:
              - {key: tls.crt, path: tls/tls.crt}
              - {key: tls.key, path: tls/tls.key, mode: 0400}
      - name: sa-token
        projected:
          sources:
          - serviceAccountToken: {path: token}
)";

TEST(PublishedPodFeatures, ProjectedVolumeWithEveryKindOfSource) {
  const LoadedDaemonSet loaded = LoadOne(kProjected);
  EXPECT_THAT(ErrorsOf(loaded), IsEmpty());
  const v1::PodSpec& pod = PodOf(loaded);
  EXPECT_TRUE(pod.share_process_namespace());
  EXPECT_EQ(pod.containers(0).readiness_probe().grpc().port(), 8201);
  EXPECT_EQ(pod.containers(0).readiness_probe().grpc().service(), "readiness");
  EXPECT_EQ(pod.containers(0).startup_probe().period_seconds(), 10);
  const v1::ProjectedVolumeSource& identity = pod.volumes(0).projected();
  EXPECT_EQ(identity.default_mode(), 0440);
  ASSERT_EQ(identity.sources_size(), 4);
  EXPECT_EQ(identity.sources(0).service_account_token().expiration_seconds(), 3607);
  EXPECT_EQ(identity.sources(2).downward_api().items(1).field_ref().api_version(), "v1");
  EXPECT_EQ(identity.sources(3).secret().items(1).mode(), 0400);
  // Kubernetes' defaults: 0644 and a token of an hour.
  const v1::ProjectedVolumeSource& token = pod.volumes(1).projected();
  EXPECT_EQ(token.default_mode(), kMode0644);
  EXPECT_EQ(token.sources(0).service_account_token().expiration_seconds(), 3600);
}

TEST(PublishedPodFeatures, DefaultsAreIdempotent) {
  for (const char* text : {kLogShipper, kNodeExporter, kNetworkDaemon, kProjected}) {
    const LoadedDaemonSet loaded = LoadOne(text);
    v1::DaemonSet again = loaded.daemon_set;
    ApplyDaemonSetDefaults(&again);
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(again, loaded.daemon_set))
        << text;
  }
}

constexpr char kWindowsHostProcess[] = R"(apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: windows-exporter
spec:
  selector:
    matchLabels: {app: windows-exporter}
  template:
    metadata:
      labels: {app: windows-exporter}
    spec:
      securityContext:
        windowsOptions:
          hostProcess: true
          runAsUserName: "NT AUTHORITY\\system"
      hostNetwork: true
      containers:
      - name: exporter
        image: ghcr.io/prometheus-community/windows-exporter:0.25.1
        securityContext:
          windowsOptions: {hostProcess: true}
)";

TEST(PublishedPodFeatures, WindowsHostProcessIsRefusedWithOneMessagePerField) {
  const std::string message =
      "Unsupported value: Windows pods are not supported by fleetset (windowsOptions and its "
      "hostProcess apply to Windows nodes; fleetset runs Linux containers)";
  EXPECT_THAT(
      ErrorsOf(LoadOne(kWindowsHostProcess)),
      ElementsAre("spec.template.spec.securityContext.windowsOptions: " + message,
                  "spec.template.spec.containers[0].securityContext.windowsOptions: " + message));
}

// A template that uses none of the fields above hashes as it did before they
// existed, so that nodes do not see a new revision of every DaemonSet (and
// restart every pod) after an upgrade. The value was computed with the model
// as it was before these fields.
TEST(PublishedPodFeatures, TemplatesWithoutTheNewFieldsKeepTheirRevisionHash) {
  const LoadedDaemonSet loaded = LoadOne(R"(apiVersion: apps/v1
kind: DaemonSet
metadata: {name: fluentd}
spec:
  selector: {matchLabels: {app: fluentd}}
  template:
    metadata: {labels: {app: fluentd}}
    spec:
      securityContext: {runAsUser: 0}
      containers:
      - name: fluentd
        image: quay.io/fluentd_elasticsearch/fluentd:v2.5.2
        env:
        - name: NODE_NAME
          valueFrom: {fieldRef: {fieldPath: spec.nodeName}}
        securityContext: {privileged: false}
        livenessProbe:
          tcpSocket: {port: 24231}
        volumeMounts:
        - {name: varlog, mountPath: /var/log}
        - {name: buffer, mountPath: /buffer}
      volumes:
      - {name: varlog, hostPath: {path: /var/log}}
      - {name: buffer}
)");
  ASSERT_THAT(ErrorsOf(loaded), IsEmpty());
  EXPECT_EQ(PodTemplateHash(loaded.daemon_set.spec().template_()), "c8h55j5v5j");
}

}  // namespace
}  // namespace fleetset
