#include "agent/desired_state_cache.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace fleetset::agent {
namespace {

std::string Errno(const std::string& what) { return what + ": " + std::strerror(errno); }

bool WriteAll(int fd, const std::string& contents) {
  size_t written = 0;
  while (written < contents.size()) {
    ssize_t n = ::write(fd, contents.data() + written, contents.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    written += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

bool WriteFileAtomically(const std::string& path, const std::string& contents, std::string* error) {
  const std::filesystem::path target(path);
  std::error_code ec;
  std::filesystem::create_directories(target.parent_path(), ec);
  const std::string temporary = path + ".tmp";
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (error) *error = Errno("open " + temporary);
    return false;
  }
  const bool ok = WriteAll(fd, contents) && ::fsync(fd) == 0;
  const int saved_errno = errno;
  ::close(fd);
  if (!ok) {
    errno = saved_errno;
    if (error) *error = Errno("write " + temporary);
    ::unlink(temporary.c_str());
    return false;
  }
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    if (error) *error = Errno("rename " + temporary);
    ::unlink(temporary.c_str());
    return false;
  }
  // The rename is durable only once the directory entry is.
  int dir = ::open(target.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return true;
}

std::optional<v1::DesiredState> DesiredStateCache::Load(std::string* error) const {
  std::ifstream in(path_, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  v1::DesiredState state;
  if (!state.ParseFromString(buffer.str())) {
    if (error) *error = path_ + ": not a valid desired-state cache; ignoring it";
    return std::nullopt;
  }
  return state;
}

bool DesiredStateCache::Save(const v1::DesiredState& state, std::string* error) const {
  std::string bytes;
  if (!state.SerializeToString(&bytes)) {
    if (error) *error = "cannot serialise desired state";
    return false;
  }
  return WriteFileAtomically(path_, bytes, error);
}

}  // namespace fleetset::agent
