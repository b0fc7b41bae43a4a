#include "agent/container_log_rotation.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <set>
#include <vector>

#include "agent/runtime_snapshot.h"

namespace fleetset::agent {
namespace {

namespace fs = std::filesystem;

constexpr char kCompressedSuffix[] = ".gz";
constexpr char kTemporarySuffix[] = ".tmp";

// Rotations of `log_path` ("<log>.*"), sorted by name, which is oldest
// first: the suffix is a timestamp.
std::vector<std::string> RotatedFiles(const std::string& log_path) {
  std::vector<std::string> rotated;
  const fs::path log(log_path);
  const std::string prefix = log.filename().string() + ".";
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator(log.parent_path(), ec)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with(prefix)) rotated.push_back(entry.path().string());
  }
  std::sort(rotated.begin(), rotated.end());
  return rotated;
}

// What an interrupted rotation leaves: a compression's temporary file, and
// a rotation whose compressed copy was complete when the original was not
// yet removed.
std::vector<std::string> RemoveLeftovers(std::vector<std::string> rotated) {
  std::error_code ec;
  std::erase_if(rotated, [&](const std::string& path) {
    const bool leftover =
        path.ends_with(kTemporarySuffix) ||
        (!path.ends_with(kCompressedSuffix) && fs::exists(path + kCompressedSuffix, ec));
    if (leftover) fs::remove(path, ec);
    return leftover;
  });
  return rotated;
}

// Leaves room for the file about to be rotated and the live one: at most
// max_files - 2 older rotations stay, the oldest going first (so that a
// reader following the newest ones is not cut off).
std::vector<std::string> RemoveExcess(std::vector<std::string> rotated, int max_files) {
  const size_t keep = static_cast<size_t>(std::max(max_files - 2, 0));
  std::error_code ec;
  while (rotated.size() > keep) {
    fs::remove(rotated.front(), ec);
    rotated.erase(rotated.begin());
  }
  return rotated;
}

uint64_t BytesUnder(const std::string& directory) {
  uint64_t bytes = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(directory, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::error_code size_ec;
    if (it->is_regular_file(size_ec)) {
      const uintmax_t size = it->file_size(size_ec);
      if (!size_ec) bytes += size;
    }
  }
  return bytes;
}

}  // namespace

std::string RotationSuffix(std::chrono::system_clock::time_point now) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof(text), "%Y%m%d-%H%M%S", &utc);
  return text;
}

bool CompressLogFile(const std::string& path, std::string* error) {
  const std::string compressed = path + kCompressedSuffix;
  const std::string temporary = compressed + kTemporarySuffix;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = "cannot open " + path;
    return false;
  }
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0) {
    *error = "cannot create " + temporary + ": " + std::strerror(errno);
    return false;
  }
  gzFile out = gzdopen(fd, "wb");
  if (out == nullptr) {
    ::close(fd);
    *error = "cannot compress into " + temporary;
    return false;
  }
  std::vector<char> buffer(1 << 16);
  bool ok = true;
  while (ok && in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    const auto got = static_cast<unsigned>(in.gcount());
    if (got > 0 && gzwrite(out, buffer.data(), got) != static_cast<int>(got)) ok = false;
  }
  ok = gzclose(out) == Z_OK && ok && !in.bad();
  std::error_code ec;
  if (!ok) {
    fs::remove(temporary, ec);
    *error = "cannot write " + temporary;
    return false;
  }
  fs::rename(temporary, compressed, ec);
  if (ec) {
    *error = "cannot rename " + temporary + ": " + ec.message();
    return false;
  }
  fs::remove(path, ec);
  return true;
}

LogRotation RotateContainerLog(const std::string& container, const std::string& log_path,
                               const ContainerLogPolicy& policy,
                               std::chrono::system_clock::time_point now,
                               const std::function<grpc::Status()>& reopen) {
  std::error_code ec;
  const uintmax_t size = fs::file_size(log_path, ec);
  if (ec) {
    // The live log is gone (removed by hand, or lost with a rename the
    // agent could not undo): have the runtime write a new one.
    if (!fs::exists(log_path, ec)) {
      if (grpc::Status status = reopen(); !status.ok()) {
        spdlog::warn("container {}: its log {} is missing and cannot be reopened: {}", container,
                     log_path, status.error_message());
      }
    }
    return LogRotation::kNotNeeded;
  }
  if (static_cast<int64_t>(size) < policy.max_size_bytes) return LogRotation::kNotNeeded;
  const std::string target = log_path + "." + RotationSuffix(now);
  // Two rotations in one second would share a name: the second waits for
  // the next check rather than replace the first.
  if (fs::exists(target, ec) || fs::exists(target + kCompressedSuffix, ec)) {
    return LogRotation::kFailed;
  }

  std::vector<std::string> rotated =
      RemoveExcess(RemoveLeftovers(RotatedFiles(log_path)), policy.max_files);
  for (const std::string& path : rotated) {
    if (path.ends_with(kCompressedSuffix)) continue;
    std::string error;
    if (!CompressLogFile(path, &error)) spdlog::warn("container {}: {}", container, error);
  }

  fs::rename(log_path, target, ec);
  if (ec) {
    spdlog::warn("container {}: cannot rotate {}: {}", container, log_path, ec.message());
    return LogRotation::kFailed;
  }
  if (grpc::Status status = reopen(); !status.ok()) {
    // The runtime still writes to the renamed file: give it back its name,
    // as kubelet does, so the log stays where readers look for it.
    spdlog::warn("container {}: the runtime did not reopen its log ({}); rotation undone",
                 container, status.error_message());
    fs::rename(target, log_path, ec);
    if (ec)
      spdlog::warn("container {}: cannot rename {} back: {}", container, target, ec.message());
    return LogRotation::kFailed;
  }
  return LogRotation::kRotated;
}

ContainerLogCheck RotateContainerLogs(CriRuntime& runtime, const std::string& node_name,
                                      const ContainerLogPolicy& policy, const Clock& clock) {
  ContainerLogCheck check;
  cri::ListContainersRequest list;
  list.mutable_filter()->mutable_state()->set_state(cri::CONTAINER_RUNNING);
  const auto labels = OwnershipLabels(node_name);
  list.mutable_filter()->mutable_label_selector()->insert(labels.begin(), labels.end());
  cri::ListContainersResponse listed;
  if (grpc::Status status = runtime.ListContainers(list, &listed); !status.ok()) {
    spdlog::warn("container log rotation: cannot list containers: {}", status.error_message());
    return check;
  }
  check.listed = true;
  std::set<std::string> pod_log_directories;
  for (const cri::Container& container : listed.containers()) {
    // Only a running container's log can be reopened, so only those are
    // rotated (as kubelet); the list may be a moment old.
    cri::ContainerStatusRequest request;
    request.set_container_id(container.id());
    cri::ContainerStatusResponse response;
    if (!runtime.ContainerStatus(request, &response).ok()) continue;
    const std::string& log_path = response.status().log_path();
    if (response.status().state() != cri::CONTAINER_RUNNING || log_path.empty()) continue;
    // <pod log directory>/<container>/<restart>.log
    pod_log_directories.insert(fs::path(log_path).parent_path().parent_path().string());
    const std::string subject = container.id().substr(0, 12);
    auto reopen = [&runtime, &container] {
      cri::ReopenContainerLogRequest reopen_request;
      reopen_request.set_container_id(container.id());
      cri::ReopenContainerLogResponse reopened;
      return runtime.ReopenContainerLog(reopen_request, &reopened);
    };
    if (RotateContainerLog(subject, log_path, policy, clock.WallNow(), reopen) ==
        LogRotation::kRotated) {
      ++check.rotations;
    }
  }
  for (const std::string& directory : pod_log_directories) check.log_bytes += BytesUnder(directory);
  return check;
}

}  // namespace fleetset::agent
