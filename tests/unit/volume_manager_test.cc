// The volume manager and its hostPath and emptyDir plugins, and how a
// container's volumeMounts become CRI mounts.
#include "agent/volumes/volume_manager.h"

#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "agent/volumes/container_mounts.h"
#include "agent/volumes/volume_plugins.h"

namespace fleetset::agent {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class VolumeManagerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "pod-volumes-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    root_ = pattern;
    context_.pod_dir = root_ + "/pods/uid-1";
  }
  void TearDown() override {
    volumes_->TearDown(nullptr, context_);
    fs::remove_all(root_);
  }

  v1::PodTemplateSpec HostPathPod(const std::string& path, const std::string& type) {
    v1::PodTemplateSpec pod;
    v1::Volume* volume = pod.mutable_spec()->add_volumes();
    volume->set_name("data");
    volume->mutable_host_path()->set_path(path);
    volume->mutable_host_path()->set_type(type);
    return pod;
  }

  std::optional<std::string> Prepare(const std::string& path, const std::string& type) {
    return volumes_->Prepare(HostPathPod(path, type), context_);
  }

  std::string root_;
  PodContext context_;
  std::unique_ptr<VolumeManager> volumes_ = MakeVolumeManager();
};

TEST_F(VolumeManagerTest, HostPathTypeChecks) {
  const std::string dir = root_ + "/dir";
  const std::string file = root_ + "/file";
  fs::create_directories(dir);
  std::ofstream(file) << "x";
  const std::string missing = root_ + "/missing";

  EXPECT_EQ(Prepare(missing, ""), std::nullopt) << "no type: no check";
  EXPECT_EQ(Prepare(dir, "Directory"), std::nullopt);
  EXPECT_EQ(Prepare(file, "File"), std::nullopt);
  EXPECT_EQ(Prepare(dir, "DirectoryOrCreate"), std::nullopt);
  EXPECT_EQ(Prepare(file, "FileOrCreate"), std::nullopt);
  EXPECT_EQ(Prepare("/dev/null", "CharDevice"), std::nullopt);

  EXPECT_EQ(Prepare(file, "Directory"),
            "volume \"data\": hostPath type check failed: " + file + " is not a directory");
  EXPECT_EQ(Prepare(missing, "Directory"),
            "volume \"data\": hostPath type check failed: " + missing + " is not a directory");
  EXPECT_EQ(Prepare(dir, "File"),
            "volume \"data\": hostPath type check failed: " + dir + " is not a file");
  EXPECT_EQ(Prepare(file, "DirectoryOrCreate"),
            "volume \"data\": hostPath type check failed: " + file + " is not a directory");
  EXPECT_EQ(Prepare(dir, "FileOrCreate"),
            "volume \"data\": hostPath type check failed: " + dir + " is not a file");
  EXPECT_EQ(Prepare(file, "Socket"),
            "volume \"data\": hostPath type check failed: " + file + " is not a socket file");
  EXPECT_EQ(Prepare(file, "CharDevice"),
            "volume \"data\": hostPath type check failed: " + file + " is not a character device");
  EXPECT_EQ(Prepare("/dev/null", "BlockDevice"),
            "volume \"data\": hostPath type check failed: /dev/null is not a block device");
  EXPECT_THAT(Prepare(dir, "Sometimes").value_or(""), HasSubstr("unsupported hostPath type"));
  EXPECT_FALSE(fs::exists(missing)) << "checks must not create anything";
}

// A volume source newer than this agent (here: none it knows): the pod
// waits with the reason instead of running without its files.
TEST_F(VolumeManagerTest, AVolumeTypeWithoutAPluginHoldsThePodWithTheReason) {
  v1::PodTemplateSpec pod;
  pod.mutable_spec()->add_volumes()->set_name("config");
  EXPECT_EQ(volumes_->Prepare(pod, context_),
            "volume \"config\": this agent cannot prepare volumes of this type yet (it prepares " +
                volumes_->SupportedTypes() + ")");
}

TEST_F(VolumeManagerTest, SocketType) {
  const std::string path = root_ + "/agent.sock";
  const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  ASSERT_LT(path.size(), sizeof(address.sun_path));
  path.copy(address.sun_path, path.size());
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  EXPECT_EQ(Prepare(path, "Socket"), std::nullopt);
  ::close(fd);
}

TEST_F(VolumeManagerTest, DirectoryOrCreateMakesParentsWith0755) {
  const std::string path = root_ + "/a/b/c";
  ASSERT_EQ(Prepare(path, "DirectoryOrCreate"), std::nullopt);
  ASSERT_TRUE(fs::is_directory(path));
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 07777, 0755u);
}

TEST_F(VolumeManagerTest, FileOrCreateNeedsTheParentDirectory) {
  const std::string path = root_ + "/state.db";
  ASSERT_EQ(Prepare(path, "FileOrCreate"), std::nullopt);
  EXPECT_TRUE(fs::is_regular_file(path));
  EXPECT_EQ(fs::file_size(path), 0u);
  const std::string orphan = root_ + "/nope/state.db";
  EXPECT_THAT(Prepare(orphan, "FileOrCreate").value_or(""),
              HasSubstr("volume \"data\": cannot create file " + orphan));
  EXPECT_FALSE(fs::exists(root_ + "/nope"));
}

TEST_F(VolumeManagerTest, EmptyDirCreatedAndRemoved) {
  v1::PodTemplateSpec pod;
  v1::PodSpec& spec = *pod.mutable_spec();
  v1::Volume* volume = spec.add_volumes();
  volume->set_name("scratch");
  volume->mutable_empty_dir();
  ASSERT_EQ(volumes_->Prepare(pod, context_), std::nullopt);
  const std::string path = EmptyDirPath(context_, "scratch");
  EXPECT_EQ(path, context_.pod_dir + "/volumes/scratch");
  ASSERT_TRUE(fs::is_directory(path));
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 07777, 0777u);
  std::ofstream(path + "/kept") << "data";
  // Preparing again (agent restart) keeps the contents.
  ASSERT_EQ(volumes_->Prepare(pod, context_), std::nullopt);
  EXPECT_TRUE(fs::exists(path + "/kept"));
  volumes_->TearDown(&spec, context_);
  EXPECT_FALSE(fs::exists(context_.pod_dir));
}

TEST_F(VolumeManagerTest, MemoryEmptyDirIsATmpfs) {
  if (::geteuid() != 0) GTEST_SKIP() << "mounting tmpfs needs root";
  v1::PodTemplateSpec pod;
  v1::PodSpec& spec = *pod.mutable_spec();
  v1::Volume* volume = spec.add_volumes();
  volume->set_name("shm");
  volume->mutable_empty_dir()->set_medium("Memory");
  volume->mutable_empty_dir()->set_size_limit("1Mi");
  ASSERT_EQ(volumes_->Prepare(pod, context_), std::nullopt);
  const std::string path = EmptyDirPath(context_, "shm");
  std::ifstream mounts("/proc/self/mounts");
  std::string line;
  bool found = false;
  while (std::getline(mounts, line)) {
    if (line.find(" " + path + " tmpfs ") != std::string::npos) {
      found = true;
      EXPECT_THAT(line, HasSubstr("size=1024k"));
    }
  }
  EXPECT_TRUE(found) << path << " is not a tmpfs mount";
  ASSERT_EQ(volumes_->Prepare(pod, context_), std::nullopt) << "idempotent";
  volumes_->TearDown(&spec, context_);
  EXPECT_FALSE(fs::exists(context_.pod_dir));
}

TEST_F(VolumeManagerTest, ContainerMounts) {
  v1::PodTemplateSpec pod = HostPathPod(root_ + "/host", "DirectoryOrCreate");
  v1::PodSpec& spec = *pod.mutable_spec();
  spec.add_volumes()->set_name("scratch");
  spec.mutable_volumes(1)->mutable_empty_dir();
  v1::Container* container = spec.add_containers();
  container->set_name("c");
  auto add_mount = [&](const std::string& name, const std::string& path) {
    v1::VolumeMount* mount = container->add_volume_mounts();
    mount->set_name(name);
    mount->set_mount_path(path);
    return mount;
  };
  add_mount("data", "/data")->set_read_only(true);
  add_mount("data", "/logs")->set_sub_path("logs/app");
  add_mount("scratch", "/tmp/scratch")->set_mount_propagation("HostToContainer");
  ASSERT_EQ(volumes_->Prepare(pod, context_), std::nullopt);
  EXPECT_TRUE(fs::is_directory(root_ + "/host/logs/app")) << "subPath created like kubelet";

  std::vector<cri::Mount> mounts;
  ASSERT_EQ(BuildContainerMounts(spec, *container, context_, *volumes_, &mounts), "");
  ASSERT_EQ(mounts.size(), 3u);
  EXPECT_EQ(mounts[0].host_path(), root_ + "/host");
  EXPECT_TRUE(mounts[0].readonly());
  EXPECT_EQ(mounts[0].propagation(), cri::PROPAGATION_PRIVATE);
  EXPECT_EQ(mounts[1].host_path(), root_ + "/host/logs/app");
  EXPECT_EQ(mounts[1].container_path(), "/logs");
  EXPECT_FALSE(mounts[1].readonly());
  EXPECT_EQ(mounts[2].host_path(), context_.pod_dir + "/volumes/scratch");
  EXPECT_EQ(mounts[2].propagation(), cri::PROPAGATION_HOST_TO_CONTAINER);

  add_mount("data", "/bidi")->set_mount_propagation("Bidirectional");
  mounts.clear();
  EXPECT_THAT(BuildContainerMounts(spec, *container, context_, *volumes_, &mounts),
              HasSubstr("only to privileged containers"));
  container->mutable_security_context()->set_privileged(true);
  mounts.clear();
  ASSERT_EQ(BuildContainerMounts(spec, *container, context_, *volumes_, &mounts), "");
  EXPECT_EQ(mounts.back().propagation(), cri::PROPAGATION_BIDIRECTIONAL);

  add_mount("data", "/escape")->set_sub_path("../etc");
  mounts.clear();
  EXPECT_THAT(BuildContainerMounts(spec, *container, context_, *volumes_, &mounts),
              HasSubstr("must be a relative path without \"..\""));
}

// A volume type the manager knows only through its plugin.
class RecordingVolume final : public VolumePlugin {
 public:
  explicit RecordingVolume(std::vector<std::string>* calls) : calls_(calls) {}
  std::string_view Name() const override { return "recorded"; }
  bool Handles(const v1::Volume& volume) const override { return volume.name().starts_with("rec"); }
  std::string HostPath(const v1::Volume& volume, const PodContext& context) const override {
    return context.pod_dir + "/recorded/" + volume.name();
  }
  std::string Prepare(const v1::Volume& volume, const v1::PodTemplateSpec&,
                      const PodContext&) const override {
    calls_->push_back("prepare " + volume.name());
    return volume.name() == "rec-broken" ? "source missing" : "";
  }
  std::string Update(const v1::Volume& volume, const v1::PodTemplateSpec&,
                     const PodContext&) const override {
    calls_->push_back("update " + volume.name());
    return "";
  }
  void TearDown(const v1::Volume& volume, const PodContext&) const override {
    calls_->push_back("tear down " + volume.name());
  }

 private:
  std::vector<std::string>* calls_;
};

TEST(VolumePluginTest, ANewVolumeTypeIsItsPlugin) {
  std::vector<std::string> calls;
  std::vector<std::unique_ptr<VolumePlugin>> plugins;
  plugins.push_back(std::make_unique<RecordingVolume>(&calls));
  plugins.push_back(MakeEmptyDirVolume());
  VolumeManager volumes(std::move(plugins));
  EXPECT_EQ(volumes.SupportedTypes(), "recorded, emptyDir");

  PodContext context;
  context.pod_dir = (fs::temp_directory_path() / "volume-plugin-test").string();
  v1::PodTemplateSpec pod;
  v1::PodSpec& spec = *pod.mutable_spec();
  spec.add_volumes()->set_name("rec-config");
  v1::Container* container = spec.add_containers();
  v1::VolumeMount* mount = container->add_volume_mounts();
  mount->set_name("rec-config");
  mount->set_mount_path("/etc/app");
  ASSERT_EQ(volumes.Prepare(pod, context), std::nullopt);
  ASSERT_EQ(volumes.Update(pod, context), std::nullopt);
  std::vector<cri::Mount> mounts;
  ASSERT_EQ(BuildContainerMounts(spec, *container, context, volumes, &mounts), "");
  EXPECT_EQ(mounts.at(0).host_path(), context.pod_dir + "/recorded/rec-config");
  volumes.TearDown(&spec, context);
  EXPECT_EQ(calls, (std::vector<std::string>{"prepare rec-config", "update rec-config",
                                             "tear down rec-config"}));

  spec.add_volumes()->set_name("rec-broken");
  EXPECT_EQ(volumes.Prepare(pod, context), "volume \"rec-broken\": source missing");
  // A volume no plugin handles cannot be mounted, and the message says what can.
  spec.mutable_volumes(0)->set_name("other");
  mount->set_name("other");
  mounts.clear();
  EXPECT_THAT(BuildContainerMounts(spec, *container, context, volumes, &mounts),
              HasSubstr("volume has no supported source (recorded, emptyDir)"));
}

}  // namespace
}  // namespace fleetset::agent
