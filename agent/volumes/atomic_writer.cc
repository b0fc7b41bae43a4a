#include "agent/volumes/atomic_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <set>
#include <vector>

namespace fleetset::agent {
namespace {

namespace fs = std::filesystem;

constexpr char kNewDataDirLink[] = "..data_tmp";
constexpr size_t kMaxPathLength = 4096;
constexpr size_t kMaxFileNameLength = 255;
// What kubelet's volume ownership adds for an fsGroup to a read-only
// volume: read for owner and group, and on directories also search and
// setgid (so that anything created inside keeps the group).
constexpr mode_t kGroupReadMask = 0440;
constexpr mode_t kGroupDirMask = S_ISGID | 0550;
constexpr mode_t kDirMode = 0755;

std::string Failure(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}

// The payload with its paths cleaned ("./a//b" is "a/b"), or an error.
std::string CleanPayload(const FilePayload& payload, FilePayload* clean) {
  for (const auto& [path, file] : payload) {
    if (std::string error = CheckPayloadPath(path); !error.empty()) return error;
    std::string normal = fs::path(path).lexically_normal().string();
    while (normal.ends_with('/')) normal.pop_back();
    (*clean)[normal] = file;
  }
  return "";
}

mode_t FileMode(const FileProjection& file, std::optional<gid_t> fs_group) {
  return (file.mode & 07777) | (fs_group ? kGroupReadMask : 0);
}

mode_t DirMode(std::optional<gid_t> fs_group) { return kDirMode | (fs_group ? kGroupDirMask : 0); }

// The top-level name of a payload path: what is visible in the volume.
std::string TopLevelName(const std::string& path) { return path.substr(0, path.find('/')); }

// Whether `path` holds `contents` with `mode` exactly.
bool FileIs(const std::string& path, const std::string& contents, mode_t mode) {
  struct stat info {};
  if (::lstat(path.c_str(), &info) != 0 || !S_ISREG(info.st_mode)) return false;
  if ((info.st_mode & 07777) != mode || static_cast<size_t>(info.st_size) != contents.size()) {
    return false;
  }
  const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return false;
  std::string on_disk(contents.size(), '\0');
  size_t read_so_far = 0;
  while (read_so_far < on_disk.size()) {
    const ssize_t n = ::read(fd, on_disk.data() + read_so_far, on_disk.size() - read_so_far);
    if (n <= 0) break;
    read_so_far += static_cast<size_t>(n);
  }
  ::close(fd);
  return read_so_far == contents.size() && on_disk == contents;
}

// Every path inside the previous version (files and directories), relative.
std::set<std::string> OldPaths(const std::string& old_dir) {
  std::set<std::string> paths;
  std::error_code error;
  for (fs::recursive_directory_iterator it(old_dir, error), end; !error && it != end;
       it.increment(error)) {
    paths.insert(it->path().lexically_relative(old_dir).string());
  }
  return paths;
}

// The payload's paths and every directory above them.
std::set<std::string> NewPaths(const FilePayload& payload) {
  std::set<std::string> paths;
  for (const auto& entry : payload) {
    for (fs::path path = entry.first; !path.empty(); path = path.parent_path()) {
      paths.insert(path.string());
    }
  }
  return paths;
}

// A new, empty timestamped directory in `target_dir`; its name, or "".
std::string MakeTimestampedDir(const std::string& target_dir, mode_t mode, std::string* error) {
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  auto nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(
                   now - std::chrono::system_clock::from_time_t(seconds))
                   .count();
  std::tm utc{};
  ::gmtime_r(&seconds, &utc);
  char prefix[64];
  std::strftime(prefix, sizeof(prefix), "..%Y_%m_%d_%H_%M_%S.", &utc);
  for (int attempt = 0; attempt < 100; ++attempt, ++nanos) {
    char suffix[24];
    std::snprintf(suffix, sizeof(suffix), "%09lld", static_cast<long long>(nanos % 1000000000));
    const std::string name = std::string(prefix) + suffix;
    const std::string path = target_dir + "/" + name;
    if (::mkdir(path.c_str(), mode) == 0) {
      // Whatever the umask, so that any user in the container can descend.
      ::chmod(path.c_str(), mode);
      return name;
    }
    if (errno != EEXIST) break;
  }
  *error = Failure("cannot create a data directory in", target_dir);
  return "";
}

std::string WriteFile(const std::string& path, const std::string& contents, mode_t mode) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0) return Failure("cannot create", path);
  size_t written = 0;
  while (written < contents.size()) {
    const ssize_t n = ::write(fd, contents.data() + written, contents.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      std::string error = Failure("cannot write", path);
      ::close(fd);
      return error;
    }
    written += static_cast<size_t>(n);
  }
  // The mode asked for, not what the umask left of it.
  const bool moded = ::fchmod(fd, mode) == 0;
  std::string error = moded ? "" : Failure("cannot set the mode of", path);
  ::close(fd);
  return error;
}

// Creates the directories from `data_dir` down to `dir`, each with `mode`.
std::string MakeDirs(const fs::path& data_dir, const fs::path& relative, mode_t mode) {
  fs::path path = data_dir;
  for (const fs::path& part : relative) {
    path /= part;
    if (::mkdir(path.c_str(), mode) != 0 && errno != EEXIST) {
      return Failure("cannot create directory", path.string());
    }
    ::chmod(path.c_str(), mode);
  }
  return "";
}

std::string WritePayload(const std::string& data_dir, const FilePayload& payload,
                         std::optional<gid_t> fs_group) {
  for (const auto& [path, file] : payload) {
    const fs::path relative(path);
    if (std::string error = MakeDirs(data_dir, relative.parent_path(), DirMode(fs_group));
        !error.empty()) {
      return error;
    }
    std::string error = WriteFile(data_dir + "/" + path, file.data, FileMode(file, fs_group));
    if (!error.empty()) return error;
  }
  return "";
}

// Gives the volume root and everything in `data_dir` the pod's fsGroup.
std::string ChangeGroup(const std::string& target_dir, const std::string& data_dir, gid_t group) {
  std::vector<std::string> paths = {target_dir, data_dir};
  std::error_code error;
  for (fs::recursive_directory_iterator it(data_dir, error), end; !error && it != end;
       it.increment(error)) {
    paths.push_back(it->path().string());
  }
  if (error) return "cannot list " + data_dir + ": " + error.message();
  for (const std::string& path : paths) {
    if (::lchown(path.c_str(), static_cast<uid_t>(-1), group) != 0) {
      return Failure("cannot change the group of", path);
    }
  }
  struct stat info {};
  if (::stat(target_dir.c_str(), &info) == 0) {
    ::chmod(target_dir.c_str(), (info.st_mode & 07777) | kGroupDirMask);
  }
  return "";
}

// user-visible name -> ..data/name, for each new top-level name.
std::string LinkVisibleNames(const std::string& target_dir, const FilePayload& payload) {
  for (const auto& entry : payload) {
    const std::string name = TopLevelName(entry.first);
    const std::string link = target_dir + "/" + name;
    struct stat info {};
    if (::lstat(link.c_str(), &info) == 0) continue;
    if (::symlink((std::string(kDataDirLink) + "/" + name).c_str(), link.c_str()) != 0) {
      return Failure("cannot link", link);
    }
  }
  return "";
}

// Points ..data at `data_dir_name` in one step: a new link renamed over it.
std::string SwapDataLink(const std::string& target_dir, const std::string& data_dir_name) {
  const std::string data_link = target_dir + "/" + kDataDirLink;
  const std::string new_link = target_dir + "/" + kNewDataDirLink;
  ::unlink(new_link.c_str());  // left by a write that was interrupted
  if (::symlink(data_dir_name.c_str(), new_link.c_str()) != 0) {
    return Failure("cannot link", new_link);
  }
  if (::rename(new_link.c_str(), data_link.c_str()) != 0) {
    std::string error = Failure("cannot replace", data_link);
    ::unlink(new_link.c_str());
    return error;
  }
  return "";
}

// The timestamped directory ..data names, "" when there is none. Only a
// name of the writer's own counts, so a tampered link can never make the
// writer remove something outside the volume.
std::string CurrentDataDir(const std::string& target_dir, std::string* error) {
  const std::string link = target_dir + "/" + kDataDirLink;
  std::error_code read_error;
  const fs::path current = fs::read_symlink(link, read_error);
  if (read_error) {
    if (read_error != std::errc::no_such_file_or_directory) {
      *error = "cannot read " + link + ": " + read_error.message();
    }
    return "";
  }
  const std::string name = current.string();
  if (!name.starts_with("..") || name.find('/') != std::string::npos || name == "..") {
    *error = link + " names " + name + ", not a data directory";
    return "";
  }
  return name;
}

}  // namespace

std::string CheckPayloadPath(const std::string& path) {
  if (path.empty()) return "invalid path: must not be empty";
  if (path.front() == '/') return "invalid path: must be relative path: " + path;
  if (path.size() > kMaxPathLength) {
    return "invalid path: must be less than or equal to " + std::to_string(kMaxPathLength) +
           " characters";
  }
  for (const fs::path& part : fs::path(path)) {
    if (part == "..") return "invalid path: must not contain '..': " + path;
    if (part.string().size() > kMaxFileNameLength) {
      return "invalid path: filenames must be less than or equal to " +
             std::to_string(kMaxFileNameLength) + " characters";
    }
  }
  if (path.starts_with("..")) return "invalid path: must not start with '..': " + path;
  if (fs::path(path).lexically_normal() == ".") return "invalid path: must name a file: " + path;
  return "";
}

std::string WriteAtomically(const std::string& target_dir, const FilePayload& payload,
                            std::optional<gid_t> fs_group) {
  FilePayload clean;
  if (std::string error = CleanPayload(payload, &clean); !error.empty()) return error;

  std::string error;
  const std::string old_name = CurrentDataDir(target_dir, &error);
  if (!error.empty()) return error;
  const std::string old_dir = old_name.empty() ? "" : target_dir + "/" + old_name;

  std::set<std::string> to_remove;
  if (!old_name.empty()) {
    const std::set<std::string> wanted = NewPaths(clean);
    for (const std::string& path : OldPaths(old_dir)) {
      if (!wanted.contains(path)) to_remove.insert(path);
    }
    const bool unchanged = std::all_of(clean.begin(), clean.end(), [&](const auto& entry) {
      return FileIs(old_dir + "/" + entry.first, entry.second.data,
                    FileMode(entry.second, fs_group));
    });
    if (unchanged && to_remove.empty()) return "";
  }

  const std::string new_name = MakeTimestampedDir(target_dir, DirMode(fs_group), &error);
  if (new_name.empty()) return error;
  const std::string new_dir = target_dir + "/" + new_name;
  auto abandon = [&](std::string why) {
    std::error_code ignored;
    fs::remove_all(new_dir, ignored);
    return why;
  };
  if (error = WritePayload(new_dir, clean, fs_group); !error.empty()) return abandon(error);
  // Before the swap, so that no container ever sees files without the group.
  if (fs_group) {
    if (error = ChangeGroup(target_dir, new_dir, *fs_group); !error.empty()) return abandon(error);
  }
  if (error = LinkVisibleNames(target_dir, clean); !error.empty()) return abandon(error);
  if (error = SwapDataLink(target_dir, new_name); !error.empty()) return abandon(error);

  // Only top-level names are links of the volume's root; deeper paths went
  // with the old directory.
  for (const std::string& path : to_remove) {
    if (path.find('/') == std::string::npos) ::unlink((target_dir + "/" + path).c_str());
  }
  if (!old_dir.empty()) {
    std::error_code remove_error;
    fs::remove_all(old_dir, remove_error);
    if (remove_error) return "cannot remove " + old_dir + ": " + remove_error.message();
  }
  return "";
}

}  // namespace fleetset::agent
