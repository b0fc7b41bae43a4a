#include "support/notify_socket_listener.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace fleetset::testing {
namespace {

// systemd accepts notifications of up to a few kilobytes; a larger buffer
// keeps a long STATUS= line from being cut silently.
constexpr size_t kMaxMessage = 64 * 1024;

[[noreturn]] void Fail(const std::string& what) {
  throw std::runtime_error("notify socket: " + what + ": " + std::strerror(errno));
}

bool HasLine(std::string_view message, std::string_view line) {
  size_t start = 0;
  while (start <= message.size()) {
    const size_t end = std::min(message.find('\n', start), message.size());
    if (message.substr(start, end - start) == line) return true;
    start = end + 1;
  }
  return false;
}

}  // namespace

NotifySocketListener::NotifySocketListener() {
  // Under /tmp, not the build tree: a unix socket path must fit in
  // sockaddr_un's 108 bytes.
  std::string pattern = "/tmp/fleetset-notify-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) Fail("mkdtemp");
  directory_ = pattern;
  path_ = directory_ + "/notify.sock";
  fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) Fail("socket");
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path_.c_str(), sizeof address.sun_path - 1);
  if (bind(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    Fail("bind " + path_);
  }
}

NotifySocketListener::~NotifySocketListener() {
  if (fd_ >= 0) close(fd_);
  unlink(path_.c_str());
  rmdir(directory_.c_str());
}

std::optional<std::string> NotifySocketListener::Receive(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd waiting{fd_, POLLIN, 0};
    const int ready = poll(&waiting, 1, static_cast<int>(std::max<int64_t>(left.count(), 0)));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) Fail("poll");
    if (ready == 0) return std::nullopt;
    std::vector<char> buffer(kMaxMessage);
    const ssize_t size = recv(fd_, buffer.data(), buffer.size(), 0);
    if (size < 0 && errno == EINTR) continue;
    if (size < 0) Fail("recv");
    return std::string(buffer.data(), static_cast<size_t>(size));
  }
}

std::optional<std::string> NotifySocketListener::WaitFor(std::string_view assignment,
                                                         std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() < 0) return std::nullopt;
    std::optional<std::string> message = Receive(left);
    if (!message) return std::nullopt;
    if (HasLine(*message, assignment)) return message;
  }
}

}  // namespace fleetset::testing
