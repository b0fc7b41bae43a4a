#include "fleetset/pki/secret_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <system_error>
#include <vector>

#include "fleetset/pki/pki_error.h"

namespace fleetset::pki {

namespace {

std::string ErrnoText(int error) { return std::system_category().message(error); }

[[noreturn]] void ThrowErrno(const std::string& what, int error) {
  throw PkiError(what + ": " + ErrnoText(error));
}

// Closes the descriptor unless it was handed over, and removes the
// temporary file unless it was renamed into place.
class TemporaryFile {
 public:
  TemporaryFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  TemporaryFile(const TemporaryFile&) = delete;
  TemporaryFile& operator=(const TemporaryFile&) = delete;
  ~TemporaryFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!path_.empty()) ::unlink(path_.c_str());
  }

  int fd() const { return fd_; }
  const std::string& path() const { return path_; }
  // close(2)'s result matters: NFS and some others report write errors
  // only there.
  int Close() {
    const int result = ::close(fd_);
    fd_ = -1;
    return result;
  }
  void Keep() { path_.clear(); }

 private:
  int fd_;
  std::string path_;
};

std::string ParentDirectory(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

void MakeDirectories(const std::string& directory, const std::string& path) {
  struct stat status;
  if (::stat(directory.c_str(), &status) == 0) return;
  for (size_t slash = directory.find('/', 1);; slash = directory.find('/', slash + 1)) {
    const std::string prefix = directory.substr(0, slash);
    if (::mkdir(prefix.c_str(), 0700) != 0 && errno != EEXIST) {
      ThrowErrno("cannot create " + prefix + " for " + path, errno);
    }
    if (slash == std::string::npos) break;
  }
}

void WriteAll(int fd, const std::string& contents, const std::string& path) {
  size_t written = 0;
  while (written < contents.size()) {
    const ssize_t result = ::write(fd, contents.data() + written, contents.size() - written);
    if (result < 0) {
      if (errno == EINTR) continue;
      ThrowErrno("cannot write " + path, errno);
    }
    written += static_cast<size_t>(result);
  }
}

void SyncDirectory(const std::string& directory, const std::string& path) {
  const int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) ThrowErrno("cannot open " + directory + " to sync " + path, errno);
  const int result = ::fsync(fd);
  const int error = errno;
  ::close(fd);
  if (result != 0) ThrowErrno("cannot sync " + directory + " after writing " + path, error);
}

}  // namespace

void WriteFileAtomically(const std::string& path, const std::string& contents, mode_t mode) {
  const std::string directory = ParentDirectory(path);
  MakeDirectories(directory, path);
  std::string name = path + ".tmp-XXXXXX";
  // mkostemp creates the file with O_EXCL and mode 0600, so nothing can
  // open it before its mode is the one asked for.
  const int fd = ::mkostemp(name.data(), O_CLOEXEC);
  if (fd < 0) ThrowErrno("cannot create a temporary file for " + path, errno);
  TemporaryFile temporary(fd, name);
  if (::fchmod(temporary.fd(), mode) != 0) ThrowErrno("cannot set the mode of " + path, errno);
  WriteAll(temporary.fd(), contents, path);
  if (::fsync(temporary.fd()) != 0) ThrowErrno("cannot sync " + path, errno);
  if (temporary.Close() != 0) ThrowErrno("cannot write " + path, errno);
  if (::rename(temporary.path().c_str(), path.c_str()) != 0) {
    ThrowErrno("cannot rename a temporary file over " + path, errno);
  }
  temporary.Keep();
  SyncDirectory(directory, path);
}

std::string ReadWholeFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) ThrowErrno("cannot read " + path, errno);
  std::string contents;
  std::vector<char> buffer(64 * 1024);
  while (true) {
    const ssize_t result = ::read(fd, buffer.data(), buffer.size());
    if (result < 0) {
      if (errno == EINTR) continue;
      const int error = errno;
      ::close(fd);
      ThrowErrno("cannot read " + path, error);
    }
    if (result == 0) break;
    contents.append(buffer.data(), static_cast<size_t>(result));
  }
  ::close(fd);
  return contents;
}

std::optional<std::string> CheckPrivateFileMode(const std::string& path) {
  struct stat status;
  if (::stat(path.c_str(), &status) != 0) ThrowErrno("cannot stat " + path, errno);
  if (!S_ISREG(status.st_mode)) return path + " is not a regular file";
  const mode_t permissions = status.st_mode & 07777;
  if ((permissions & 077) == 0) return std::nullopt;
  char octal[16];
  std::snprintf(octal, sizeof(octal), "%04o", static_cast<unsigned>(permissions));
  return path + " is readable by others (mode " + octal + "); chmod 600 it";
}

}  // namespace fleetset::pki
