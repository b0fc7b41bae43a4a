#include "coordinator/storage/directory_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "coordinator/storage/storage.h"

namespace fleetset::coordinator::storage {
namespace {

StorageError SystemError(const std::string& what, const std::string& path) {
  return StorageError(what + " " + path + ": " + std::strerror(errno));
}

}  // namespace

void EnsureDirectory(const std::string& dir) {
  namespace fs = std::filesystem;
  fs::path path = fs::path(dir).lexically_normal();
  if (!path.has_filename()) path = path.parent_path();  // "a/b/" -> "a/b"
  std::error_code error;
  if (path.has_parent_path()) fs::create_directories(path.parent_path(), error);
  if (error)
    throw StorageError("cannot create " + path.parent_path().string() + ": " + error.message());
  if (mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) throw SystemError("cannot create", dir);
  struct stat info {};
  if (stat(path.c_str(), &info) != 0) throw SystemError("cannot use", dir);
  if (!S_ISDIR(info.st_mode)) throw StorageError("cannot use " + dir + ": not a directory");
}

DirectoryLock::DirectoryLock(const std::string& dir) {
  EnsureDirectory(dir);
  const std::string path = dir + "/lock";
  fd_ = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ < 0) throw SystemError("cannot open", path);
  if (flock(fd_, LOCK_EX | LOCK_NB) == 0) return;
  const bool held = errno == EWOULDBLOCK;
  StorageError error = held ? StorageError("another fleetset-coordinator is using " + dir)
                            : SystemError("cannot lock", path);
  close(fd_);
  throw error;
}

// Closing the last descriptor releases the lock.
DirectoryLock::~DirectoryLock() { close(fd_); }

}  // namespace fleetset::coordinator::storage
