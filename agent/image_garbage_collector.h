// Image garbage collection, as kubelet's image manager does it: when the
// image filesystem's use reaches imageGCHighThresholdPercent, images no
// container uses are removed, least recently used first, until use is
// back under imageGCLowThresholdPercent. An image goes only once it has
// been known for imageMinimumGCAge (so one just pulled for a pod about to
// start survives), and never the sandbox (pause) image, a pinned image, or
// an image the node's desired state names (a pod may need it next).
//
// The image records (when each image was first seen and last used by a
// container) live in the collector, in memory as kubelet keeps them: an
// agent restart starts them afresh, which only delays collection by the
// minimum age. Collect() blocks on the runtime and runs on the executor;
// the agent never runs two at once, so the records need no lock.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "agent/cri_runtime.h"
#include "fleetset/clock.h"

namespace fleetset::agent {

// kubelet collects images every five minutes.
inline constexpr std::chrono::minutes kImageGcPeriod{5};

struct ImageGcPolicy {
  int high_threshold_percent = 85;
  int low_threshold_percent = 80;
  std::chrono::milliseconds minimum_age{std::chrono::minutes(2)};
};

struct FilesystemCapacity {
  uint64_t capacity_bytes = 0;
  uint64_t available_bytes = 0;
};

// The size of a filesystem (kubelet asks cadvisor; the agent asks statvfs).
class FilesystemStats {
 public:
  virtual ~FilesystemStats() = default;
  // The filesystem holding `path`; nullopt when it cannot be measured.
  virtual std::optional<FilesystemCapacity> Measure(const std::string& path) const = 0;
};

// statvfs(3): the space an unprivileged user may still use counts as
// available, as cadvisor counts it.
const FilesystemStats& StatvfsFilesystemStats();

struct ImageGcResult {
  // The image filesystem could be measured (used and capacity are set).
  bool measured = false;
  uint64_t used_bytes = 0;
  uint64_t capacity_bytes = 0;
  int images_removed = 0;
  uint64_t bytes_freed = 0;
};

class ImageGarbageCollector {
 public:
  ImageGarbageCollector(CriRuntime& runtime, const FilesystemStats& filesystems, const Clock& clock,
                        ImageGcPolicy policy);

  // Updates the records, measures the image filesystem and, past the high
  // mark, removes images. `needed` are the images the desired state's
  // templates name, as they name them.
  ImageGcResult Collect(const std::set<std::string>& needed);

 private:
  struct ImageRecord {
    std::chrono::steady_clock::time_point first_detected;
    // Never used by a container while the agent watched: the first to go.
    std::optional<std::chrono::steady_clock::time_point> last_used;
    uint64_t size = 0;
    bool pinned = false;
  };

  // Lists images and containers; false when the runtime could not say.
  bool DetectImages(std::set<std::string>* in_use);
  std::optional<FilesystemCapacity> MeasureImageFs();
  // The image IDs that must stay whatever their use: the sandbox image and
  // those named in `needed`.
  std::set<std::string> ProtectedImages(const std::set<std::string>& needed);
  std::optional<std::string> ImageIdOf(const std::string& image);
  // Removes images until `to_free` bytes are freed; adds to `result`.
  void FreeSpace(uint64_t to_free, const std::set<std::string>& in_use,
                 const std::set<std::string>& protected_ids, ImageGcResult* result);

  CriRuntime& runtime_;
  const FilesystemStats& filesystems_;
  const Clock& clock_;
  const ImageGcPolicy policy_;
  std::map<std::string, ImageRecord> records_;  // by image ID
};

}  // namespace fleetset::agent
