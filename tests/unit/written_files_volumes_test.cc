// configMap, secret, downwardAPI and projected volumes through the volume
// manager: the files kubelet would write, its errors, live updates, and
// how containers mount them.
#include <sys/stat.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "agent/volumes/container_mounts.h"
#include "agent/volumes/mount_points.h"
#include "agent/volumes/volume_manager.h"
#include "storage_test_util.h"
#include "volume_test_util.h"

namespace fleetset::agent {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

class WrittenFilesVolumeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    context_.pod_dir = scratch_.path() + "/pods/uid-1";
    context_.pod_namespace = "logging";
    context_.pod_name = "fluent-bit-x7k2p";
    context_.pod_uid = "uid-1";
    context_.revision_hash = "5d8f";
    SetObjects();
  }
  // Unmounts the tmpfs volumes before the scratch directory goes.
  void TearDown() override { volumes_->TearDown(nullptr, context_); }

  // The ConfigMaps and Secrets the coordinator gives, as a new snapshot.
  void SetObjects() { context_.objects = PodObjects::From(state_); }
  v1::ConfigMap* AddConfigMap(const std::string& name) {
    v1::ConfigMap* config_map = state_.add_config_maps();
    config_map->mutable_metadata()->set_namespace_("logging");
    config_map->mutable_metadata()->set_name(name);
    return config_map;
  }
  v1::Secret* AddSecret(const std::string& name) {
    v1::Secret* secret = state_.add_secrets();
    secret->mutable_metadata()->set_namespace_("logging");
    secret->mutable_metadata()->set_name(name);
    return secret;
  }

  v1::Volume* AddVolume(const std::string& name) {
    v1::Volume* volume = pod_.mutable_spec()->add_volumes();
    volume->set_name(name);
    return volume;
  }
  static v1::KeyToPath* AddItem(google::protobuf::RepeatedPtrField<v1::KeyToPath>* items,
                                const std::string& key, const std::string& path) {
    v1::KeyToPath* item = items->Add();
    item->set_key(key);
    item->set_path(path);
    return item;
  }

  std::optional<std::string> Prepare() { return volumes_->Prepare(pod_, context_); }
  std::optional<std::string> Update() { return volumes_->Update(pod_, context_); }

  std::string Dir(const std::string& plugin, const std::string& volume) {
    return context_.pod_dir + "/volumes/kubernetes.io~" + plugin + "/" + volume;
  }
  // The user-visible names of a volume (its own ..names left out).
  static std::vector<std::string> VisibleNames(const std::string& dir) {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir)) {
      const std::string name = entry.path().filename().string();
      if (!name.starts_with("..")) names.push_back(name);
    }
    return names;
  }

  fleetset::testing::ScratchDirectory scratch_{"written-volumes"};
  v1::DesiredState state_;
  PodContext context_;
  v1::PodTemplateSpec pod_;
  std::unique_ptr<VolumeManager> volumes_ = MakeVolumeManager();
};

TEST_F(WrittenFilesVolumeTest, ConfigMapKeysBecomeFilesOnDisk) {
  v1::ConfigMap* config_map = AddConfigMap("fluent-bit");
  (*config_map->mutable_data())["fluent-bit.conf"] = "[SERVICE]\n";
  (*config_map->mutable_data())["parsers.conf"] = "[PARSER]\n";
  (*config_map->mutable_binary_data())["logo.png"] = std::string("\x89PNG\0", 5);
  SetObjects();
  AddVolume("config")->mutable_config_map()->set_name("fluent-bit");

  ASSERT_EQ(Prepare(), std::nullopt);
  const std::string dir = Dir("configmap", "config");
  EXPECT_EQ(volumes_->HostPath(pod_.spec().volumes(0), context_), dir);
  EXPECT_THAT(VisibleNames(dir),
              UnorderedElementsAre("fluent-bit.conf", "parsers.conf", "logo.png"));
  EXPECT_EQ(fs::read_symlink(dir + "/parsers.conf"), "..data/parsers.conf");
  EXPECT_EQ(ReadFile(dir + "/fluent-bit.conf"), "[SERVICE]\n");
  EXPECT_EQ(ReadFile(dir + "/logo.png"), std::string("\x89PNG\0", 5));
  EXPECT_EQ(FileMode(dir + "/parsers.conf"), 0644u) << "defaultMode's default";
  EXPECT_THAT(MountsUnder(dir), IsEmpty()) << "a ConfigMap stays on disk";
}

TEST_F(WrittenFilesVolumeTest, ItemsChooseKeysPathsAndModes) {
  v1::ConfigMap* config_map = AddConfigMap("app");
  (*config_map->mutable_data())["a"] = "A";
  (*config_map->mutable_data())["b"] = "B";
  (*config_map->mutable_data())["unused"] = "U";
  SetObjects();
  v1::ConfigMapVolumeSource* source = AddVolume("config")->mutable_config_map();
  source->set_name("app");
  source->set_default_mode(0640);
  AddItem(source->mutable_items(), "a", "conf/deep/a.yaml")->set_mode(0600);
  AddItem(source->mutable_items(), "b", "b.txt");

  ASSERT_EQ(Prepare(), std::nullopt);
  const std::string dir = Dir("configmap", "config");
  EXPECT_THAT(VisibleNames(dir), UnorderedElementsAre("conf", "b.txt"));
  EXPECT_EQ(ReadFile(dir + "/conf/deep/a.yaml"), "A");
  EXPECT_EQ(FileMode(dir + "/conf/deep/a.yaml"), 0600u);
  EXPECT_EQ(ReadFile(dir + "/b.txt"), "B");
  EXPECT_EQ(FileMode(dir + "/b.txt"), 0640u);
}

TEST_F(WrittenFilesVolumeTest, AMissingConfigMapOrKeyHoldsThePodUnlessOptional) {
  v1::ConfigMapVolumeSource* source = AddVolume("config")->mutable_config_map();
  source->set_name("app");
  EXPECT_EQ(Prepare(), "volume \"config\": configmap \"app\" not found");
  EXPECT_FALSE(fs::exists(Dir("configmap", "config"))) << "nothing written for a failed source";

  source->set_optional(true);
  ASSERT_EQ(Prepare(), std::nullopt);
  EXPECT_THAT(VisibleNames(Dir("configmap", "config")), IsEmpty());
  EXPECT_TRUE(fs::is_directory(Dir("configmap", "config") + "/..data"));

  (*AddConfigMap("app")->mutable_data())["present"] = "P";
  SetObjects();
  source->clear_optional();
  AddItem(source->mutable_items(), "present", "present");
  AddItem(source->mutable_items(), "absent", "absent");
  EXPECT_EQ(Prepare(), "volume \"config\": configmap references non-existent config key: absent");
  source->set_optional(true);
  ASSERT_EQ(Prepare(), std::nullopt);
  EXPECT_THAT(VisibleNames(Dir("configmap", "config")), ElementsAre("present"));
}

TEST_F(WrittenFilesVolumeTest, AChangedConfigMapIsSwappedInWhileThePodRuns) {
  v1::ConfigMap* config_map = AddConfigMap("app");
  (*config_map->mutable_data())["keep"] = "1";
  (*config_map->mutable_data())["drop"] = "x";
  SetObjects();
  AddVolume("config")->mutable_config_map()->set_name("app");
  ASSERT_EQ(Prepare(), std::nullopt);
  const std::string dir = Dir("configmap", "config");
  const std::string first = DataTarget(dir);

  ASSERT_EQ(Update(), std::nullopt);
  EXPECT_EQ(DataTarget(dir), first) << "unchanged: nothing written";

  (*config_map->mutable_data())["keep"] = "2";
  config_map->mutable_data()->erase("drop");
  SetObjects();
  ASSERT_EQ(Update(), std::nullopt);
  const std::string second = DataTarget(dir);
  EXPECT_NE(second, first);
  EXPECT_FALSE(fs::exists(dir + "/" + first));
  EXPECT_THAT(VisibleNames(dir), ElementsAre("keep"));
  EXPECT_EQ(ReadFile(dir + "/keep"), "2");
}

TEST_F(WrittenFilesVolumeTest, AConfigMapThatGoesAwayLeavesTheFilesUnlessOptional) {
  (*AddConfigMap("app")->mutable_data())["k"] = "v";
  SetObjects();
  v1::ConfigMapVolumeSource* source = AddVolume("config")->mutable_config_map();
  source->set_name("app");
  ASSERT_EQ(Prepare(), std::nullopt);
  const std::string dir = Dir("configmap", "config");
  const std::string written = DataTarget(dir);

  state_.clear_config_maps();
  SetObjects();
  EXPECT_EQ(Update(), std::nullopt) << "no message at every sync";
  EXPECT_EQ(DataTarget(dir), written);
  EXPECT_EQ(ReadFile(dir + "/k"), "v");
  EXPECT_EQ(Prepare(), "volume \"config\": configmap \"app\" not found") << "a new sandbox waits";

  source->set_optional(true);
  ASSERT_EQ(Update(), std::nullopt);
  EXPECT_THAT(VisibleNames(dir), IsEmpty()) << "an optional source that is gone has no keys";
}

TEST_F(WrittenFilesVolumeTest, SecretFilesLiveOnATmpfs) {
  if (::geteuid() != 0) GTEST_SKIP() << "mounting tmpfs needs root";
  (*AddSecret("creds")->mutable_data())["token"] = "s3cr3t";
  SetObjects();
  v1::SecretVolumeSource* source = AddVolume("creds")->mutable_secret();
  source->set_secret_name("creds");
  source->set_default_mode(0400);

  ASSERT_EQ(Prepare(), std::nullopt);
  const std::string dir = Dir("secret", "creds");
  EXPECT_THAT(MountsUnder(dir), ElementsAre(dir));
  EXPECT_EQ(ReadFile(dir + "/token"), "s3cr3t");
  EXPECT_EQ(FileMode(dir + "/token"), 0400u);
  ASSERT_EQ(Prepare(), std::nullopt) << "idempotent";
  EXPECT_THAT(MountsUnder(dir), ElementsAre(dir)) << "mounted once";

  volumes_->TearDown(&pod_.spec(), context_);
  EXPECT_THAT(MountsUnder(dir), IsEmpty());
  EXPECT_FALSE(fs::exists(context_.pod_dir));
}

TEST_F(WrittenFilesVolumeTest, SecretErrorsAreKubeletsWords) {
  AddSecret("creds");
  SetObjects();
  v1::SecretVolumeSource* source = AddVolume("creds")->mutable_secret();
  source->set_secret_name("other");
  EXPECT_EQ(Prepare(), "volume \"creds\": secret \"other\" not found");
  source->set_secret_name("creds");
  AddItem(source->mutable_items(), "tls.key", "key.pem");
  EXPECT_EQ(Prepare(), "volume \"creds\": references non-existent secret key: tls.key");
}

TEST_F(WrittenFilesVolumeTest, DownwardApiFilesShowThePodsMetadataAndResources) {
  (*pod_.mutable_metadata()->mutable_labels())["app"] = "fluent-bit";
  (*pod_.mutable_metadata()->mutable_labels())["tier"] = "node \"edge\"";
  (*pod_.mutable_metadata()->mutable_annotations())["team"] = "obs";
  v1::Container* container = pod_.mutable_spec()->add_containers();
  container->set_name("agent");
  (*container->mutable_resources()->mutable_limits())["memory"] = "64Mi";
  (*container->mutable_resources()->mutable_requests())["cpu"] = "250m";
  v1::DownwardAPIVolumeSource* source = AddVolume("podinfo")->mutable_downward_api();
  auto field = [&](const std::string& path, const std::string& field_path) {
    v1::DownwardAPIVolumeFile* item = source->add_items();
    item->set_path(path);
    item->mutable_field_ref()->set_field_path(field_path);
    return item;
  };
  auto resource = [&](const std::string& path, const std::string& name,
                      const std::string& divisor) {
    v1::DownwardAPIVolumeFile* item = source->add_items();
    item->set_path(path);
    item->mutable_resource_field_ref()->set_container_name("agent");
    item->mutable_resource_field_ref()->set_resource(name);
    item->mutable_resource_field_ref()->set_divisor(divisor);
    return item;
  };
  field("labels", "metadata.labels");
  field("meta/name", "metadata.name");
  field("meta/namespace", "metadata.namespace");
  field("meta/uid", "metadata.uid")->set_mode(0600);
  field("team", "metadata.annotations['team']");
  field("missing", "metadata.labels['nope']");
  resource("memory_limit", "limits.memory", "1Mi");
  resource("cpu_request", "requests.cpu", "1m");

  ASSERT_EQ(Prepare(), std::nullopt);
  const std::string dir = Dir("downward-api", "podinfo");
  EXPECT_EQ(ReadFile(dir + "/labels"),
            "app=\"fluent-bit\"\ncontroller-revision-hash=\"5d8f\"\ntier=\"node \\\"edge\\\"\"");
  EXPECT_EQ(ReadFile(dir + "/meta/name"), "fluent-bit-x7k2p");
  EXPECT_EQ(ReadFile(dir + "/meta/namespace"), "logging");
  EXPECT_EQ(ReadFile(dir + "/meta/uid"), "uid-1");
  EXPECT_EQ(FileMode(dir + "/meta/uid"), 0600u);
  EXPECT_EQ(FileMode(dir + "/meta/name"), 0644u);
  EXPECT_EQ(ReadFile(dir + "/team"), "obs");
  EXPECT_EQ(ReadFile(dir + "/missing"), "");
  EXPECT_EQ(ReadFile(dir + "/memory_limit"), "64");
  EXPECT_EQ(ReadFile(dir + "/cpu_request"), "250");
  EXPECT_THAT(MountsUnder(dir), IsEmpty());

  const std::string first = DataTarget(dir);
  (*pod_.mutable_metadata()->mutable_annotations())["team"] = "platform";
  ASSERT_EQ(Update(), std::nullopt);
  EXPECT_NE(DataTarget(dir), first);
  EXPECT_EQ(ReadFile(dir + "/team"), "platform");
}

TEST_F(WrittenFilesVolumeTest, DownwardApiVolumesShowOnlyMetadata) {
  v1::DownwardAPIVolumeSource* source = AddVolume("podinfo")->mutable_downward_api();
  v1::DownwardAPIVolumeFile* node = source->add_items();
  node->set_path("node");
  node->mutable_field_ref()->set_field_path("spec.nodeName");
  v1::DownwardAPIVolumeFile* cpu = source->add_items();
  cpu->set_path("cpu");
  cpu->mutable_resource_field_ref()->set_resource("limits.cpu");
  EXPECT_EQ(Prepare(),
            "volume \"podinfo\": [unsupported fieldPath: spec.nodeName, resourceFieldRef: no "
            "container named \"\"]");
}

TEST_F(WrittenFilesVolumeTest, ProjectedCombinesItsSourcesOnATmpfs) {
  if (::geteuid() != 0) GTEST_SKIP() << "mounting tmpfs needs root";
  (*AddConfigMap("app")->mutable_data())["app.conf"] = "conf";
  (*AddSecret("creds")->mutable_data())["token"] = "s3cr3t";
  SetObjects();
  v1::ProjectedVolumeSource* projected = AddVolume("all")->mutable_projected();
  projected->set_default_mode(0440);
  projected->add_sources()->mutable_config_map()->set_name("app");
  v1::KeysProjection* secret = projected->add_sources()->mutable_secret();
  secret->set_name("creds");
  AddItem(secret->mutable_items(), "token", "secrets/token")->set_mode(0400);
  v1::DownwardAPIVolumeFile* name = projected->add_sources()->mutable_downward_api()->add_items();
  name->set_path("name");
  name->mutable_field_ref()->set_field_path("metadata.name");
  v1::ServiceAccountTokenProjection* token =
      projected->add_sources()->mutable_service_account_token();
  token->set_path("sa-token");
  token->set_audience("vault");

  ASSERT_EQ(Prepare(), std::nullopt);
  const std::string dir = Dir("projected", "all");
  EXPECT_THAT(MountsUnder(dir), ElementsAre(dir));
  EXPECT_THAT(VisibleNames(dir), UnorderedElementsAre("app.conf", "secrets", "name"))
      << "a serviceAccountToken source writes no file";
  EXPECT_EQ(ReadFile(dir + "/app.conf"), "conf");
  EXPECT_EQ(FileMode(dir + "/app.conf"), 0440u);
  EXPECT_EQ(ReadFile(dir + "/secrets/token"), "s3cr3t");
  EXPECT_EQ(FileMode(dir + "/secrets/token"), 0400u);
  EXPECT_EQ(ReadFile(dir + "/name"), "fluent-bit-x7k2p");
}

TEST_F(WrittenFilesVolumeTest, ProjectedNamesEverySourceThatIsMissing) {
  v1::ProjectedVolumeSource* projected = AddVolume("all")->mutable_projected();
  projected->add_sources()->mutable_config_map()->set_name("app");
  projected->add_sources()->mutable_secret()->set_name("creds");
  v1::KeysProjection* optional = projected->add_sources()->mutable_secret();
  optional->set_name("extra");
  optional->set_optional(true);
  EXPECT_EQ(Prepare(), "volume \"all\": [configmap \"app\" not found, secret \"creds\" not found]");
}

TEST_F(WrittenFilesVolumeTest, AnFsGroupOwnsTheFiles) {
  if (::geteuid() != 0) GTEST_SKIP() << "changing a file's group needs root";
  (*AddConfigMap("app")->mutable_data())["k"] = "v";
  SetObjects();
  v1::ConfigMapVolumeSource* source = AddVolume("config")->mutable_config_map();
  source->set_name("app");
  source->set_default_mode(0600);
  pod_.mutable_spec()->mutable_security_context()->set_fs_group(2000);
  ASSERT_EQ(Prepare(), std::nullopt);
  struct stat info {};
  ASSERT_EQ(::stat((Dir("configmap", "config") + "/k").c_str(), &info), 0);
  EXPECT_EQ(info.st_gid, 2000u);
  EXPECT_EQ(info.st_mode & 07777, 0640u) << "group may read";
  const std::string written = DataTarget(Dir("configmap", "config"));
  ASSERT_EQ(Update(), std::nullopt);
  EXPECT_EQ(DataTarget(Dir("configmap", "config")), written);
}

TEST_F(WrittenFilesVolumeTest, ContainersMountThemReadOnlyAndSubPathsAreNeverCreated) {
  (*AddConfigMap("app")->mutable_data())["app.conf"] = "conf";
  SetObjects();
  AddVolume("config")->mutable_config_map()->set_name("app");
  v1::Container* container = pod_.mutable_spec()->add_containers();
  container->set_name("c");
  auto mount = [&](const std::string& path, const std::string& sub_path) {
    v1::VolumeMount* volume_mount = container->add_volume_mounts();
    volume_mount->set_name("config");
    volume_mount->set_mount_path(path);
    volume_mount->set_sub_path(sub_path);
  };
  mount("/etc/app", "");
  mount("/etc/app.conf", "app.conf");
  mount("/etc/other", "other.conf");

  ASSERT_EQ(Prepare(), std::nullopt);
  const std::string dir = Dir("configmap", "config");
  EXPECT_FALSE(fs::exists(dir + "/other.conf")) << "a subPath into a configMap is never created";
  EXPECT_THAT(VisibleNames(dir), ElementsAre("app.conf"));

  std::vector<cri::Mount> mounts;
  ASSERT_EQ(BuildContainerMounts(pod_.spec(), *container, context_, *volumes_, &mounts), "");
  ASSERT_EQ(mounts.size(), 3u);
  EXPECT_EQ(mounts[0].host_path(), dir);
  EXPECT_TRUE(mounts[0].readonly()) << "read-only whatever the volumeMount says";
  EXPECT_EQ(mounts[1].host_path(), dir + "/app.conf");
  EXPECT_TRUE(mounts[1].readonly());
}

}  // namespace
}  // namespace fleetset::agent
