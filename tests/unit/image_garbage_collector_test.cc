// Image garbage collection with an in-memory runtime and a filesystem
// whose use the test sets: what goes, in what order, and what never goes.
// Time is a FakeClock the test moves.
#include "agent/image_garbage_collector.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "unit/agent_test_util.h"

namespace fleetset::testing {
namespace {

using agent::ImageGcPolicy;
using agent::ImageGcResult;
using namespace std::chrono_literals;

class SetFilesystem final : public agent::FilesystemStats {
 public:
  std::optional<agent::FilesystemCapacity> Measure(const std::string& path) const override {
    measured_path = path;
    return capacity;
  }
  std::optional<agent::FilesystemCapacity> capacity = agent::FilesystemCapacity{1000, 1000};
  mutable std::string measured_path;
};

constexpr char kOld[] = "docker.io/library/old:1";
constexpr char kOlder[] = "docker.io/library/older:1";
constexpr char kPause[] = "registry.k8s.io/pause:3.9";

class ImageGarbageCollectorTest : public ::testing::Test {
 protected:
  ImageGarbageCollectorTest() : runtime_(&clock_) {
    for (const char* image : {kImage, kOld, kOlder, kPause}) {
      runtime_.AddImage(image);
      runtime_.SetImageSize(image, 60);
    }
    runtime_.SetSandboxImage(kPause);
  }

  // Bytes used of the image filesystem's 1000.
  void SetUsage(uint64_t used_bytes) {
    filesystem_.capacity = agent::FilesystemCapacity{1000, 1000 - used_bytes};
  }

  agent::ImageGarbageCollector Collector(ImageGcPolicy policy = {}) {
    return agent::ImageGarbageCollector(runtime_, filesystem_, clock_, policy);
  }

  std::string Run(const std::string& pod, const std::string& image) {
    return RunBareContainer(runtime_, {pod, image, "/logs/" + pod, {}});
  }

  // kOld is used by a container that then goes while kImage stays in use;
  // a collection sees both, then ten minutes pass.
  void UseOldImageThenLetItGo(agent::ImageGarbageCollector& collector) {
    const std::string old_container = Run("a", kOld);
    Run("b", kImage);
    collector.Collect({});
    RemoveContainer(old_container);
    clock_.Advance(10min);
  }

  void RemoveContainer(const std::string& id) {
    cri::StopContainerRequest stop;
    stop.set_container_id(id);
    cri::StopContainerResponse stopped;
    ASSERT_TRUE(runtime_.StopContainer(stop, &stopped).ok());
    cri::RemoveContainerRequest remove;
    remove.set_container_id(id);
    cri::RemoveContainerResponse removed;
    ASSERT_TRUE(runtime_.RemoveContainer(remove, &removed).ok());
  }

  FakeClock clock_;
  FakeCriRuntime runtime_;
  SetFilesystem filesystem_;
};

TEST_F(ImageGarbageCollectorTest, BelowTheHighMarkOnlyMeasures) {
  auto collector = Collector();
  collector.Collect({});
  clock_.Advance(10min);
  // 84%. (kubelet's whole-percent arithmetic, 100 - available * 100 /
  // capacity, counts 84.9% as 85%.)
  SetUsage(840);
  const ImageGcResult result = collector.Collect({});
  EXPECT_TRUE(result.measured);
  EXPECT_EQ(result.used_bytes, 840u);
  EXPECT_EQ(result.capacity_bytes, 1000u);
  EXPECT_EQ(result.images_removed, 0);
  EXPECT_EQ(runtime_.CallCount("RemoveImage"), 0);
  // The runtime's image filesystem is what is measured.
  EXPECT_EQ(filesystem_.measured_path, "/var/lib/containerd/fake");
}

TEST_F(ImageGarbageCollectorTest, PastTheHighMarkRemovesLeastRecentlyUsedUntilTheLowMark) {
  auto collector = Collector();
  // kOld was used, then its container went; kOlder was never used.
  UseOldImageThenLetItGo(collector);
  collector.Collect({});
  clock_.Advance(10min);
  // 90% used: 100 bytes must go to be back at 80%, two 60-byte images.
  SetUsage(900);
  const ImageGcResult result = collector.Collect({});
  EXPECT_EQ(result.images_removed, 2);
  EXPECT_EQ(result.bytes_freed, 120u);
  EXPECT_FALSE(runtime_.HasImage(kOld));
  EXPECT_FALSE(runtime_.HasImage(kOlder));
  EXPECT_TRUE(runtime_.HasImage(kImage));
  EXPECT_TRUE(runtime_.HasImage(kPause));
}

TEST_F(ImageGarbageCollectorTest, StopsOnceEnoughIsFreedNeverUsedGoingFirst) {
  auto collector = Collector();
  UseOldImageThenLetItGo(collector);
  // 85%: 50 bytes to free, one image is enough.
  SetUsage(850);
  const ImageGcResult result = collector.Collect({});
  EXPECT_EQ(result.images_removed, 1);
  EXPECT_FALSE(runtime_.HasImage(kOlder));
  EXPECT_TRUE(runtime_.HasImage(kOld));
}

TEST_F(ImageGarbageCollectorTest, ImagesYoungerThanTheMinimumAgeStay) {
  auto collector = Collector({85, 80, 2min});
  SetUsage(950);
  collector.Collect({});
  EXPECT_TRUE(runtime_.HasImage(kOld));
  clock_.Advance(1min);
  EXPECT_EQ(collector.Collect({}).images_removed, 0);
  // A new image is young even when the others have aged.
  runtime_.AddImage("docker.io/library/new:1");
  clock_.Advance(90s);
  collector.Collect({});
  EXPECT_FALSE(runtime_.HasImage(kOld));
  EXPECT_TRUE(runtime_.HasImage("docker.io/library/new:1"));
}

TEST_F(ImageGarbageCollectorTest, NeverTheSandboxAPinnedANeededOrAnExitedContainersImage) {
  runtime_.AddImage("docker.io/library/pinned:1");
  runtime_.SetImagePinned("docker.io/library/pinned:1");
  const std::string exited = Run("a", kOlder);
  ASSERT_TRUE(runtime_.ExitContainer(exited, 1));
  auto collector = Collector({85, 80, 0s});
  SetUsage(1000);
  // The template names it as a user writes it; the runtime resolves it.
  const ImageGcResult result = collector.Collect({"old:1"});
  EXPECT_EQ(result.images_removed, 1);
  EXPECT_FALSE(runtime_.HasImage(kImage));
  EXPECT_TRUE(runtime_.HasImage(kOld));
  EXPECT_TRUE(runtime_.HasImage(kOlder));
  EXPECT_TRUE(runtime_.HasImage(kPause));
  EXPECT_TRUE(runtime_.HasImage("docker.io/library/pinned:1"));
}

TEST_F(ImageGarbageCollectorTest, AHighMarkOf100TurnsItOff) {
  auto collector = Collector({100, 80, 0s});
  SetUsage(1000);
  const ImageGcResult result = collector.Collect({});
  EXPECT_TRUE(result.measured);
  EXPECT_EQ(result.images_removed, 0);
  EXPECT_EQ(runtime_.CallCount("RemoveImage"), 0);
}

TEST_F(ImageGarbageCollectorTest, RemovesNothingItCannotMeasure) {
  auto collector = Collector({85, 80, 0s});
  filesystem_.capacity.reset();
  EXPECT_FALSE(collector.Collect({}).measured);
  SetUsage(1000);
  runtime_.FailNext("ListContainers", grpc::Status(grpc::StatusCode::UNAVAILABLE, "down"));
  const ImageGcResult result = collector.Collect({});
  EXPECT_TRUE(result.measured);
  EXPECT_EQ(runtime_.CallCount("RemoveImage"), 0);
}

}  // namespace
}  // namespace fleetset::testing
