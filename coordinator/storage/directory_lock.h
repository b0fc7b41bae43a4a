// A data directory owned by one process: created private (it holds the
// whole fleet's configuration) and locked for the owner's lifetime, so that
// two coordinators never write one database, each planning from a stale
// copy of the other's state.
#pragma once

#include <string>

namespace fleetset::coordinator::storage {

// Creates `dir` (mode 0700) and its missing parents; throws StorageError
// when it cannot, or when `dir` exists and is not a directory.
void EnsureDirectory(const std::string& dir);

// An exclusive flock on DIR/lock (creating DIR first), released when the
// object is destroyed or the process exits. Throws StorageError naming the
// directory when another process holds it.
class DirectoryLock {
 public:
  explicit DirectoryLock(const std::string& dir);
  DirectoryLock(const DirectoryLock&) = delete;
  DirectoryLock& operator=(const DirectoryLock&) = delete;
  ~DirectoryLock();

 private:
  int fd_ = -1;
};

}  // namespace fleetset::coordinator::storage
