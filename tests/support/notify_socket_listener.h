// Plays systemd's side of sd_notify(3) for tests: a unix datagram socket in a
// private temporary directory whose path goes into NOTIFY_SOCKET of the
// process under test (this one, or a child such as the real agent).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace fleetset::testing {

class NotifySocketListener {
 public:
  // Throws std::runtime_error when the socket cannot be made.
  NotifySocketListener();
  ~NotifySocketListener();
  NotifySocketListener(const NotifySocketListener&) = delete;
  NotifySocketListener& operator=(const NotifySocketListener&) = delete;

  // The value for NOTIFY_SOCKET.
  const std::string& path() const { return path_; }

  // The next datagram, e.g. "READY=1\nSTATUS=serving"; nullopt after
  // `timeout` without one.
  std::optional<std::string> Receive(std::chrono::milliseconds timeout);

  // Receives, dropping other messages, until one holds the line
  // `assignment` (e.g. "READY=1" or "STOPPING=1"), and returns that message;
  // nullopt when `timeout` passes first.
  std::optional<std::string> WaitFor(std::string_view assignment,
                                     std::chrono::milliseconds timeout);

 private:
  std::string directory_;
  std::string path_;
  int fd_ = -1;
};

}  // namespace fleetset::testing
