// DecodeManifests: strict, path-accurate decoding of DaemonSet YAML/JSON.
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fleetset/manifest.h"

namespace fleetset {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// A valid DaemonSet; tests append to or edit its text.
constexpr char kMinimal[] = R"(apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
spec:
  selector:
    matchLabels:
      app: agent
  template:
    metadata:
      labels:
        app: agent
    spec:
      containers:
      - name: agent
        image: busybox:1.36
)";

DecodedDocument DecodeOne(const std::string& text) {
  std::vector<DecodedDocument> documents = DecodeManifests(text, "ds.yaml");
  EXPECT_EQ(documents.size(), 1u) << text;
  return documents.empty() ? DecodedDocument{} : documents.front();
}

std::vector<std::string> Errors(const DecodedDocument& document) {
  std::vector<std::string> errors;
  for (const FieldError& error : document.errors) errors.push_back(error.ToString());
  return errors;
}

std::vector<std::string> ErrorsOf(const std::string& text) { return Errors(DecodeOne(text)); }

// kMinimal with extra lines for the container (indented under it).
std::string WithContainerLines(const std::string& lines) { return kMinimal + lines; }

std::string WithPodSpecLines(const std::string& lines) { return std::string(kMinimal) + lines; }

TEST(ManifestDecoderTest, DecodesMinimalDaemonSet) {
  const DecodedDocument document = DecodeOne(kMinimal);
  EXPECT_THAT(Errors(document), IsEmpty());
  EXPECT_EQ(document.source, "ds.yaml");
  EXPECT_EQ(document.kind, "DaemonSet");
  EXPECT_EQ(document.name, "agent");
  const v1::DaemonSet& ds = document.object.daemon_set();
  EXPECT_EQ(ds.api_version(), "apps/v1");
  EXPECT_EQ(ds.metadata().name(), "agent");
  EXPECT_EQ(ds.spec().selector().match_labels().at("app"), "agent");
  ASSERT_EQ(ds.spec().template_().spec().containers_size(), 1);
  EXPECT_EQ(ds.spec().template_().spec().containers(0).image(), "busybox:1.36");
}

TEST(ManifestDecoderTest, UsesKubernetesJsonNames) {
  const DecodedDocument document = DecodeOne(WithPodSpecLines(R"(        ports:
        - containerPort: 80
          hostIP: 127.0.0.1
      hostPID: true
      hostNetwork: true
      terminationGracePeriodSeconds: 5
)"));
  EXPECT_THAT(Errors(document), IsEmpty());
  const v1::PodSpec& spec = document.object.daemon_set().spec().template_().spec();
  EXPECT_TRUE(spec.host_pid());
  EXPECT_TRUE(spec.host_network());
  EXPECT_EQ(spec.termination_grace_period_seconds(), 5);
  EXPECT_EQ(spec.containers(0).ports(0).host_ip(), "127.0.0.1");
}

TEST(ManifestDecoderTest, UnknownFieldsAreReportedAtTheirOwnPath) {
  EXPECT_THAT(ErrorsOf(WithPodSpecLines("      foo: bar\n")),
              ElementsAre("spec.template.spec.foo: unknown field \"foo\""));
  EXPECT_THAT(ErrorsOf(WithContainerLines("        imagePullPolcy: Always\n")),
              ElementsAre("spec.template.spec.containers[0].imagePullPolcy: unknown field "
                          "\"imagePullPolcy\""));
  // Proto field names are not JSON names, so they are unknown as well.
  EXPECT_THAT(ErrorsOf(WithPodSpecLines("      host_network: true\n")),
              ElementsAre("spec.template.spec.host_network: unknown field \"host_network\""));
}

TEST(ManifestDecoderTest, DaemonSetHasNoReplicas) {
  const std::string text = std::string(kMinimal) + "  replicas: 3\n";
  EXPECT_THAT(ErrorsOf(text), ElementsAre("spec.replicas: unknown field \"replicas\""));
}

TEST(ManifestDecoderTest, TypeErrors) {
  EXPECT_THAT(ErrorsOf(R"(apiVersion: apps/v1
kind: DaemonSet
metadata: {name: x}
spec:
  template:
    spec:
      containers:
        name: agent
)"),
              ElementsAre("spec.template.spec.containers: expected list, got object"));
  EXPECT_THAT(ErrorsOf(WithPodSpecLines("      hostNetwork: maybe\n")),
              ElementsAre("spec.template.spec.hostNetwork: expected boolean, got string"));
  EXPECT_THAT(ErrorsOf(WithContainerLines("        ports:\n        - containerPort: http\n")),
              ElementsAre("spec.template.spec.containers[0].ports[0].containerPort: expected "
                          "integer, got string"));
  EXPECT_THAT(ErrorsOf(WithContainerLines("        command: /bin/sh\n")),
              ElementsAre("spec.template.spec.containers[0].command: expected list, got string"));
  EXPECT_THAT(ErrorsOf(WithContainerLines("        args: [1]\n")),
              ElementsAre("spec.template.spec.containers[0].args[0]: expected string, got number"));
}

TEST(ManifestDecoderTest, PlainNumbersAndBooleansAreNotStrings) {
  const std::string text = R"(apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: x
  labels:
    version: 1
    enabled: yes
    quoted: "1"
    single: '2'
    tagged: !!str 3
    text: v1
)";
  EXPECT_THAT(ErrorsOf(text),
              ElementsAre("metadata.labels[version]: expected string, got number",
                          "metadata.labels[enabled]: expected string, got boolean"));
  const DecodedDocument document = DecodeOne(text);
  const auto& labels = document.object.daemon_set().metadata().labels();
  EXPECT_EQ(labels.at("quoted"), "1");
  EXPECT_EQ(labels.at("single"), "2");
  EXPECT_EQ(labels.at("tagged"), "3");
  EXPECT_EQ(labels.at("text"), "v1");
}

TEST(ManifestDecoderTest, YamlOneOneBooleansAreBooleans) {
  const DecodedDocument document = DecodeOne(WithPodSpecLines("      hostNetwork: yes\n"));
  EXPECT_THAT(Errors(document), IsEmpty());
  EXPECT_TRUE(document.object.daemon_set().spec().template_().spec().host_network());
}

TEST(ManifestDecoderTest, ReportsEveryErrorAtOnce) {
  const std::string text = R"(apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: x
  labels: {version: 1}
  colour: red
spec:
  template:
    spec:
      hostNetwork: maybe
      containers:
      - name: a
        ports: [{containerPort: http}]
        bogus: 1
      volumes:
      - name: shared
        nfs: {server: nfs.local, path: /export}
)";
  EXPECT_THAT(
      ErrorsOf(text),
      ElementsAre("metadata.labels[version]: expected string, got number",
                  "metadata.colour: unknown field \"colour\"",
                  "spec.template.spec.hostNetwork: expected boolean, got string",
                  "spec.template.spec.containers[0].ports[0].containerPort: expected integer, got "
                  "string",
                  "spec.template.spec.containers[0].bogus: unknown field \"bogus\"",
                  "spec.template.spec.volumes[0].nfs: Unsupported value: volume type \"nfs\" is "
                  "not supported (supported: hostPath, emptyDir, configMap, secret, downwardAPI, "
                  "projected)"));
}

TEST(ManifestDecoderTest, MultipleDocumentsAreNumbered) {
  const std::string text = std::string("---\n") + kMinimal + "---\n---\n" + kMinimal + "...\n";
  const std::vector<DecodedDocument> documents = DecodeManifests(text, "ds.yaml");
  ASSERT_EQ(documents.size(), 2u);
  EXPECT_EQ(documents[0].source, "ds.yaml#1");
  EXPECT_EQ(documents[1].source, "ds.yaml#2");
  EXPECT_THAT(Errors(documents[1]), IsEmpty());
}

TEST(ManifestDecoderTest, EmptyInputHasNoDocuments) {
  EXPECT_THAT(DecodeManifests("", "ds.yaml"), IsEmpty());
  EXPECT_THAT(DecodeManifests("# only a comment\n---\n", "ds.yaml"), IsEmpty());
}

TEST(ManifestDecoderTest, AcceptsJson) {
  const DecodedDocument document = DecodeOne(R"({
  "apiVersion": "apps/v1",
  "kind": "DaemonSet",
  "metadata": {"name": "agent", "labels": {"version": "1"}},
  "spec": {
    "selector": {"matchLabels": {"app": "agent"}},
    "updateStrategy": {"rollingUpdate": {"maxUnavailable": "10%"}},
    "template": {
      "metadata": {"labels": {"app": "agent"}},
      "spec": {"hostPID": true, "containers": [{"name": "agent", "image": "busybox",
               "ports": [{"containerPort": 80}]}]}
    }
  }
})");
  EXPECT_THAT(Errors(document), IsEmpty());
  const v1::DaemonSet& ds = document.object.daemon_set();
  EXPECT_EQ(ds.metadata().labels().at("version"), "1");
  EXPECT_EQ(ds.spec().update_strategy().rolling_update().max_unavailable().str_val(), "10%");
  EXPECT_TRUE(ds.spec().template_().spec().host_pid());
  EXPECT_EQ(ds.spec().template_().spec().containers(0).ports(0).container_port(), 80);
}

TEST(ManifestDecoderTest, JsonNumbersAreNotStrings) {
  EXPECT_THAT(ErrorsOf(R"({"apiVersion": "apps/v1", "kind": "DaemonSet",
                           "metadata": {"name": "x", "labels": {"v": 1}}})"),
              ElementsAre("metadata.labels[v]: expected string, got number"));
}

TEST(ManifestDecoderTest, ListItemsAreDocuments) {
  const std::string text = R"(apiVersion: v1
kind: List
items:
- apiVersion: apps/v1
  kind: DaemonSet
  metadata: {name: one}
- apiVersion: apps/v1
  kind: DaemonSet
  metadata: {name: two}
  spec: {minReadySeconds: soon}
)";
  const std::vector<DecodedDocument> documents = DecodeManifests(text, "list.yaml");
  ASSERT_EQ(documents.size(), 2u);
  EXPECT_EQ(documents[0].name, "one");
  EXPECT_EQ(documents[1].name, "two");
  EXPECT_EQ(documents[1].source, "list.yaml#2");
  EXPECT_THAT(Errors(documents[0]), IsEmpty());
  EXPECT_THAT(Errors(documents[1]),
              ElementsAre("spec.minReadySeconds: expected integer, got string"));
}

TEST(ManifestDecoderTest, NullMeansAbsent) {
  const DecodedDocument document = DecodeOne(R"(apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: x
  creationTimestamp: null
  labels: ~
spec:
  revisionHistoryLimit: null
  template:
    metadata:
      creationTimestamp:
    spec:
      terminationGracePeriodSeconds: null
      nodeSelector:
      containers:
      - name: a
        image: ~
)");
  EXPECT_THAT(Errors(document), IsEmpty());
  const v1::DaemonSet& ds = document.object.daemon_set();
  EXPECT_FALSE(ds.metadata().has_creation_timestamp());
  EXPECT_FALSE(ds.spec().has_revision_history_limit());
  EXPECT_FALSE(ds.spec().template_().spec().has_termination_grace_period_seconds());
  EXPECT_EQ(ds.spec().template_().spec().containers(0).image(), "");
}

TEST(ManifestDecoderTest, QuantitiesMayBePlainNumbers) {
  const DecodedDocument document = DecodeOne(WithContainerLines(R"(        resources:
          limits: {cpu: 1, memory: 129e6}
          requests: {cpu: 0.5, memory: "64Mi"}
      volumes:
      - name: scratch
        emptyDir: {sizeLimit: 1000}
)"));
  EXPECT_THAT(Errors(document), IsEmpty());
  const v1::PodSpec& spec = document.object.daemon_set().spec().template_().spec();
  EXPECT_EQ(spec.containers(0).resources().limits().at("cpu"), "1");
  EXPECT_EQ(spec.containers(0).resources().limits().at("memory"), "129e6");
  EXPECT_EQ(spec.containers(0).resources().requests().at("cpu"), "0.5");
  EXPECT_EQ(spec.volumes(0).empty_dir().size_limit(), "1000");
  // Booleans are still not quantities.
  EXPECT_THAT(ErrorsOf(WithContainerLines("        resources: {limits: {cpu: true}}\n")),
              ElementsAre("spec.template.spec.containers[0].resources.limits[cpu]: expected "
                          "string, got boolean"));
}

TEST(ManifestDecoderTest, IntOrStringTakesEither) {
  const DecodedDocument document = DecodeOne(std::string(kMinimal) + R"(        livenessProbe:
          httpGet: {port: http, path: /healthz}
        readinessProbe:
          tcpSocket: {port: 8080}
  updateStrategy:
    rollingUpdate:
      maxUnavailable: 10%
      maxSurge: "2"
)");
  EXPECT_THAT(Errors(document), IsEmpty());
  const v1::DaemonSet& ds = document.object.daemon_set();
  const auto& rolling = ds.spec().update_strategy().rolling_update();
  EXPECT_EQ(rolling.max_unavailable().str_val(), "10%");
  EXPECT_EQ(rolling.max_surge().str_val(), "2");
  const v1::Container& container = ds.spec().template_().spec().containers(0);
  EXPECT_EQ(container.liveness_probe().http_get().port().str_val(), "http");
  EXPECT_EQ(container.readiness_probe().tcp_socket().port().int_val(), 8080);

  const std::string bad = std::string(kMinimal) +
                          "  updateStrategy: {rollingUpdate: {maxUnavailable: true, maxSurge: "
                          "[1], }}\n";
  EXPECT_THAT(ErrorsOf(bad),
              ElementsAre("spec.updateStrategy.rollingUpdate.maxUnavailable: expected integer "
                          "or string, got boolean",
                          "spec.updateStrategy.rollingUpdate.maxSurge: expected integer or "
                          "string, got list"));
}

TEST(ManifestDecoderTest, IntegerOverflowIsAnError) {
  EXPECT_THAT(ErrorsOf(WithContainerLines("        ports: [{containerPort: 99999999999}]\n")),
              ElementsAre("spec.template.spec.containers[0].ports[0].containerPort: value "
                          "99999999999 is out of range for int32"));
  EXPECT_THAT(ErrorsOf(WithPodSpecLines("      terminationGracePeriodSeconds: "
                                        "9223372036854775808\n")),
              ElementsAre("spec.template.spec.terminationGracePeriodSeconds: value "
                          "9223372036854775808 is out of range for int64"));
  EXPECT_THAT(ErrorsOf(std::string(kMinimal) + "  updateStrategy: {rollingUpdate: "
                                               "{maxUnavailable: 3000000000}}\n"),
              ElementsAre(HasSubstr("spec.updateStrategy.rollingUpdate.maxUnavailable: value "
                                    "3000000000 is not an int32")));
  EXPECT_THAT(ErrorsOf(WithPodSpecLines("      terminationGracePeriodSeconds: 1.5\n")),
              ElementsAre("spec.template.spec.terminationGracePeriodSeconds: expected integer, "
                          "got number"));
}

TEST(ManifestDecoderTest, IntegralNumbersInOtherNotations) {
  const DecodedDocument document =
      DecodeOne(WithPodSpecLines("      terminationGracePeriodSeconds: 1e2\n      priority: 0x10\n"
                                 "      securityContext: {runAsUser: -1_000}\n"));
  EXPECT_THAT(Errors(document), IsEmpty());
  const v1::PodSpec& spec = document.object.daemon_set().spec().template_().spec();
  EXPECT_EQ(spec.termination_grace_period_seconds(), 100);
  EXPECT_EQ(spec.priority(), 16);
  EXPECT_EQ(spec.security_context().run_as_user(), -1000);
}

TEST(ManifestDecoderTest, RequiresApiVersionAndKind) {
  EXPECT_THAT(ErrorsOf("metadata: {name: x}\n"),
              ElementsAre("apiVersion: Required value", "kind: Required value"));
  EXPECT_THAT(ErrorsOf("apiVersion: apps/v1\nkind: 7\n"),
              ElementsAre("kind: expected string, got number"));
}

TEST(ManifestDecoderTest, RejectsOtherKinds) {
  const DecodedDocument document = DecodeOne(R"(apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: rs}
spec: {replicas: 3}
)");
  EXPECT_EQ(document.kind, "ReplicaSet");
  EXPECT_EQ(document.name, "rs");
  EXPECT_THAT(Errors(document),
              ElementsAre("kind: Unsupported value \"ReplicaSet\": kind ReplicaSet is not "
                          "supported; fleetset manages DaemonSets (apps/v1)"));
}

TEST(ManifestDecoderTest, RejectsOtherApiVersions) {
  std::string text = kMinimal;
  text.replace(text.find("apps/v1"), 7, "batch/v1");
  EXPECT_THAT(ErrorsOf(text), ElementsAre("apiVersion: Unsupported value \"batch/v1\": supported "
                                          "values: \"apps/v1\""));
  text.replace(text.find("batch/v1"), 8, "apps/v1beta2");
  EXPECT_THAT(ErrorsOf(text), ElementsAre(HasSubstr("removed in Kubernetes 1.16; use apps/v1")));
}

TEST(ManifestDecoderTest, RejectsExtensionsV1beta1FromSeed001) {
  std::ifstream file(FLEETSET_SOURCE_DIR "/tests/data/seeds/001-broadcom-daemonset.yaml");
  ASSERT_TRUE(file.good());
  std::stringstream text;
  text << file.rdbuf();
  // Only the apiVersion is wrong: every other field of the seed decodes.
  EXPECT_THAT(ErrorsOf(text.str()),
              ElementsAre("apiVersion: Unsupported value \"extensions/v1beta1\": DaemonSet in "
                          "extensions/v1beta1 was removed in Kubernetes 1.16; use apps/v1 (which "
                          "requires spec.selector)"));
}

TEST(ManifestDecoderTest, UnsupportedVolumeTypesAndEnvSources) {
  const std::string text = WithContainerLines(R"(        env:
        - name: PASSWORD
          valueFrom:
            fileKeyRef: {volumeName: v, path: p, key: k}
        envFrom:
        - configMapRef: {name: c}
      volumes:
      - name: a
        persistentVolumeClaim: {claimName: c}
      - name: b
        hostPath: {path: /var/log}
      - name: c
        projected:
          sources:
          - configMap: {name: c}
          - clusterTrustBundle: {signerName: example.com/signer, path: bundle.pem}
)");
  EXPECT_THAT(
      ErrorsOf(text),
      ElementsAre("spec.template.spec.containers[0].env[0].valueFrom.fileKeyRef: Unsupported "
                  "value: env source \"fileKeyRef\" is not supported (supported: fieldRef, "
                  "resourceFieldRef, configMapKeyRef, secretKeyRef)",
                  "spec.template.spec.volumes[0].persistentVolumeClaim: Unsupported value: "
                  "volume type \"persistentVolumeClaim\" is not supported (supported: hostPath, "
                  "emptyDir, configMap, secret, downwardAPI, projected)",
                  "spec.template.spec.volumes[2].projected.sources[1].clusterTrustBundle: "
                  "Unsupported value: projected source \"clusterTrustBundle\" is not supported "
                  "(supported: configMap, secret, downwardAPI, serviceAccountToken)"));
}

TEST(ManifestDecoderTest, StatusAndServerBookkeepingAreAcceptedAndDropped) {
  const DecodedDocument document = DecodeOne(std::string(kMinimal) + R"(status:
  currentNumberScheduled: 3
  whatever: {nested: [1, 2]}
)");
  EXPECT_THAT(Errors(document), IsEmpty());
  EXPECT_FALSE(document.object.daemon_set().has_status());
  std::string text = kMinimal;
  text.replace(text.find("  name: agent"), 13,
               "  name: agent\n  selfLink: /apis/x\n  managedFields: [{manager: kubectl}]\n"
               "  creationTimestamp: \"2024-04-18T10:00:00Z\"");
  const DecodedDocument with_meta = DecodeOne(text);
  EXPECT_THAT(Errors(with_meta), IsEmpty());
  EXPECT_EQ(with_meta.object.daemon_set().metadata().creation_timestamp().seconds(), 1713434400);
}

TEST(ManifestDecoderTest, BadTimestamp) {
  EXPECT_THAT(ErrorsOf("apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n"
                       "  creationTimestamp: yesterday\n"),
              ElementsAre("metadata.creationTimestamp: invalid RFC 3339 timestamp \"yesterday\""));
}

TEST(ManifestDecoderTest, DuplicateKeys) {
  EXPECT_THAT(ErrorsOf("apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: a\n  name: b\n"
                       "  labels: {x: '1', x: '2'}\n"),
              ElementsAre("metadata.name: duplicate field \"name\"",
                          "metadata.labels[x]: duplicate key \"x\""));
}

TEST(ManifestDecoderTest, DocumentThatIsNotAnObject) {
  EXPECT_THAT(ErrorsOf("- a\n- b\n"), ElementsAre("expected object, got list"));
  EXPECT_THAT(ErrorsOf("just text\n"), ElementsAre("expected object, got string"));
}

TEST(ManifestDecoderTest, SyntaxErrorHasLineAndColumn) {
  const std::vector<DecodedDocument> documents = DecodeManifests(
      std::string(kMinimal) + "---\nkind: DaemonSet\nmetadata: name: x\n", "a.yaml");
  ASSERT_EQ(documents.size(), 1u);
  EXPECT_EQ(documents[0].source, "a.yaml");
  EXPECT_THAT(Errors(documents[0]), ElementsAre(HasSubstr("yaml: line 19, column")));
}

// yaml-cpp 0.7's LoadAll loops forever on these (found by the fuzzer).
TEST(ManifestDecoderTest, StrayCommaIsASyntaxErrorNotAHang) {
  EXPECT_THAT(ErrorsOf(","), ElementsAre("yaml: line 1, column 1: unexpected token"));
  EXPECT_THAT(ErrorsOf(std::string(kMinimal) + "---\n,,\n"),
              ElementsAre(HasSubstr("unexpected token")));
}

TEST(ManifestDecoderTest, DeepNestingDoesNotCrash) {
  const std::string deep_flow = "metadata: " + std::string(100000, '[') + "\n";
  EXPECT_THAT(ErrorsOf(deep_flow), ElementsAre(HasSubstr("yaml:")));
  std::string deep_block = "apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n";
  for (int i = 1; i < 3000; ++i) deep_block += std::string(i, ' ') + "a:\n";
  EXPECT_FALSE(ErrorsOf(deep_block).empty());
}

TEST(ManifestDecoderTest, AliasBombIsBounded) {
  // A few kilobytes of aliases that stand for a million volume mounts.
  std::string mounts;
  std::string containers;
  for (int i = 0; i < 1000; ++i) {
    mounts += "*m, ";
    containers += "*c, ";
  }
  const std::string text =
      "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: x}\n"
      "spec:\n  template:\n    spec:\n"
      "      initContainers:\n      - &c {name: a, volumeMounts: [&m "
      "{name: v, mountPath: /x}, " +
      mounts + "]}\n      containers: [" + containers + "]\n";
  EXPECT_THAT(ErrorsOf(text), ElementsAre(HasSubstr("document too large")));
}

TEST(ManifestDecoderTest, OversizedManifestIsRejected) {
  const std::string huge(4 * 1024 * 1024, '#');
  EXPECT_THAT(ErrorsOf(huge), ElementsAre(HasSubstr("the limit is 3145728")));
}

}  // namespace
}  // namespace fleetset
