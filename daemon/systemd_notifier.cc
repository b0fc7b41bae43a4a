#include "daemon/systemd_notifier.h"

#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

#include <cstdlib>
#include <cstring>
#include <ctime>

namespace fleetset {
namespace {

// STATUS= is one line: a newline inside it would end the assignment and
// let the rest be read as further assignments (a pod name or an error text
// could otherwise say "STOPPING=1").
std::string OneLine(std::string_view text) {
  std::string line(text);
  for (char& c : line) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return line;
}

}  // namespace

void Notifier::Ready(std::string_view status) {
  if (!Active()) return;
  Send(status.empty() ? "READY=1" : "READY=1\nSTATUS=" + OneLine(status));
}

void Notifier::Status(std::string_view status) {
  if (Active()) Send("STATUS=" + OneLine(status));
}

void Notifier::Reloading() {
  if (!Active()) return;
  // systemd 253's Type=notify-reload needs the CLOCK_MONOTONIC time of the
  // reload to match it with the request; older versions ignore it.
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  const long long usec = static_cast<long long>(now.tv_sec) * 1000000 + now.tv_nsec / 1000;
  Send("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec));
}

void Notifier::Watchdog() {
  if (Active()) Send("WATCHDOG=1");
}

void Notifier::Stopping() {
  if (Active()) Send("STOPPING=1");
}

SystemdNotifier::SystemdNotifier() {
  const char* socket = std::getenv("NOTIFY_SOCKET");
  active_ = socket != nullptr && socket[0] != '\0';
}

std::optional<std::chrono::microseconds> SystemdNotifier::WatchdogInterval() const {
  uint64_t usec = 0;
  // Also checks WATCHDOG_PID, so a child that inherited the variables does
  // not believe it is the one being watched.
  if (sd_watchdog_enabled(0, &usec) <= 0) return std::nullopt;
  return std::chrono::microseconds(usec);
}

void SystemdNotifier::Send(const std::string& message) {
  const int result = sd_notify(0, message.c_str());
  if (result > 0 || reported_failure_) return;
  reported_failure_ = true;
  spdlog::warn("cannot notify the service manager through NOTIFY_SOCKET: {}",
               result < 0 ? std::strerror(-result) : "NOTIFY_SOCKET is not set");
}

}  // namespace fleetset
