#include "agent/image_garbage_collector.h"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <spdlog/spdlog.h>
#include <sys/statvfs.h>

#include <algorithm>
#include <vector>

namespace fleetset::agent {
namespace {

class StatvfsStats final : public FilesystemStats {
 public:
  std::optional<FilesystemCapacity> Measure(const std::string& path) const override {
    struct statvfs stats {};
    if (::statvfs(path.c_str(), &stats) != 0 || stats.f_blocks == 0) return std::nullopt;
    FilesystemCapacity capacity;
    capacity.capacity_bytes = static_cast<uint64_t>(stats.f_blocks) * stats.f_frsize;
    capacity.available_bytes = static_cast<uint64_t>(stats.f_bavail) * stats.f_frsize;
    return capacity;
  }
};

// The runtime's sandbox image, from its verbose status: containerd gives
// its configuration as JSON under "config" ("sandboxImage"), CRI-O its
// "pause_image". Empty when the runtime does not say.
std::string SandboxImageOf(CriRuntime& runtime) {
  cri::StatusRequest request;
  request.set_verbose(true);
  cri::StatusResponse response;
  if (!runtime.Status(request, &response).ok()) return "";
  const auto config = response.info().find("config");
  if (config == response.info().end()) return "";
  google::protobuf::Struct parsed;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  if (!google::protobuf::util::JsonStringToMessage(config->second, &parsed, options).ok())
    return "";
  for (const char* key : {"sandboxImage", "pause_image"}) {
    const auto field = parsed.fields().find(key);
    if (field != parsed.fields().end() && field->second.has_string_value()) {
      return field->second.string_value();
    }
  }
  return "";
}

}  // namespace

const FilesystemStats& StatvfsFilesystemStats() {
  static const StatvfsStats stats;
  return stats;
}

ImageGarbageCollector::ImageGarbageCollector(CriRuntime& runtime,
                                             const FilesystemStats& filesystems, const Clock& clock,
                                             ImageGcPolicy policy)
    : runtime_(runtime), filesystems_(filesystems), clock_(clock), policy_(policy) {}

bool ImageGarbageCollector::DetectImages(std::set<std::string>* in_use) {
  cri::ListImagesResponse images;
  cri::ListContainersResponse containers;
  if (!runtime_.ListImages({}, &images).ok() || !runtime_.ListContainers({}, &containers).ok()) {
    return false;
  }
  // A container of any state, anyone's, holds its image (kubelet counts
  // every container the runtime has): removing it would break a restart.
  std::map<std::string, std::string> id_by_name;
  for (const cri::Image& image : images.images()) {
    id_by_name[image.id()] = image.id();
    for (const std::string& tag : image.repo_tags()) id_by_name[tag] = image.id();
    for (const std::string& digest : image.repo_digests()) id_by_name[digest] = image.id();
  }
  for (const cri::Container& container : containers.containers()) {
    for (const std::string& name : {container.image_ref(), container.image().image()}) {
      if (auto it = id_by_name.find(name); it != id_by_name.end()) in_use->insert(it->second);
    }
  }
  const auto now = clock_.Now();
  std::map<std::string, ImageRecord> records;
  for (const cri::Image& image : images.images()) {
    auto known = records_.find(image.id());
    ImageRecord record = known != records_.end() ? known->second : ImageRecord{now, {}, 0, false};
    record.size = image.size();
    record.pinned = image.pinned();
    if (in_use->count(image.id()) != 0) record.last_used = now;
    records[image.id()] = record;
  }
  // Images gone from the runtime are forgotten.
  records_ = std::move(records);
  return true;
}

std::optional<FilesystemCapacity> ImageGarbageCollector::MeasureImageFs() {
  cri::ImageFsInfoResponse info;
  if (!runtime_.ImageFsInfo({}, &info).ok() || info.image_filesystems().empty()) {
    return std::nullopt;
  }
  return filesystems_.Measure(info.image_filesystems(0).fs_id().mountpoint());
}

std::optional<std::string> ImageGarbageCollector::ImageIdOf(const std::string& image) {
  cri::ImageStatusRequest request;
  request.mutable_image()->set_image(image);
  cri::ImageStatusResponse response;
  if (!runtime_.ImageStatus(request, &response).ok() || response.image().id().empty()) {
    return std::nullopt;
  }
  return response.image().id();
}

std::set<std::string> ImageGarbageCollector::ProtectedImages(const std::set<std::string>& needed) {
  std::set<std::string> names = needed;
  if (std::string sandbox = SandboxImageOf(runtime_); !sandbox.empty()) names.insert(sandbox);
  // The runtime resolves each name ("busybox" is
  // "docker.io/library/busybox:latest") to the image it holds.
  std::set<std::string> ids;
  for (const std::string& name : names) {
    if (auto id = ImageIdOf(name)) ids.insert(*id);
  }
  return ids;
}

void ImageGarbageCollector::FreeSpace(uint64_t to_free, const std::set<std::string>& in_use,
                                      const std::set<std::string>& protected_ids,
                                      ImageGcResult* result) {
  const auto now = clock_.Now();
  std::vector<std::pair<std::string, ImageRecord>> candidates;
  for (const auto& [id, record] : records_) {
    if (in_use.count(id) != 0 || protected_ids.count(id) != 0 || record.pinned) continue;
    if (now - record.first_detected < policy_.minimum_age) continue;
    candidates.emplace_back(id, record);
  }
  // Least recently used first; never used ones before any used one, the
  // longest known first.
  std::sort(candidates.begin(), candidates.end(), [](const auto& a, const auto& b) {
    if (a.second.last_used != b.second.last_used) return a.second.last_used < b.second.last_used;
    return a.second.first_detected < b.second.first_detected;
  });
  for (const auto& [id, record] : candidates) {
    if (result->bytes_freed >= to_free) break;
    cri::RemoveImageRequest request;
    request.mutable_image()->set_image(id);
    cri::RemoveImageResponse response;
    if (grpc::Status status = runtime_.RemoveImage(request, &response); !status.ok()) {
      spdlog::warn("image garbage collection: cannot remove image {}: {}", id,
                   status.error_message());
      continue;
    }
    spdlog::info("image garbage collection: removed unused image {} ({} bytes)", id, record.size);
    records_.erase(id);
    ++result->images_removed;
    result->bytes_freed += record.size;
  }
  if (result->bytes_freed < to_free) {
    spdlog::warn(
        "image garbage collection: freed {} bytes of the {} wanted; no other image may go yet",
        result->bytes_freed, to_free);
  }
}

ImageGcResult ImageGarbageCollector::Collect(const std::set<std::string>& needed) {
  ImageGcResult result;
  std::set<std::string> in_use;
  const bool detected = DetectImages(&in_use);
  const std::optional<FilesystemCapacity> fs = MeasureImageFs();
  if (!fs || fs->capacity_bytes == 0) return result;
  result.measured = true;
  result.capacity_bytes = fs->capacity_bytes;
  result.used_bytes = fs->capacity_bytes - std::min(fs->available_bytes, fs->capacity_bytes);
  if (!detected || policy_.high_threshold_percent >= 100) return result;
  // kubelet's arithmetic: usage is what is not available.
  const uint64_t usage_percent = 100 - fs->available_bytes * 100 / fs->capacity_bytes;
  if (usage_percent < static_cast<uint64_t>(policy_.high_threshold_percent)) return result;
  const auto low = static_cast<uint64_t>(policy_.low_threshold_percent);
  // capacity * low / 100 without overflowing.
  const uint64_t low_mark_bytes =
      fs->capacity_bytes / 100 * low + fs->capacity_bytes % 100 * low / 100;
  if (result.used_bytes <= low_mark_bytes) return result;
  const uint64_t to_free = result.used_bytes - low_mark_bytes;
  spdlog::info("image filesystem {}% used (high mark {}%): freeing {} bytes", usage_percent,
               policy_.high_threshold_percent, to_free);
  FreeSpace(to_free, in_use, ProtectedImages(needed), &result);
  return result;
}

}  // namespace fleetset::agent
