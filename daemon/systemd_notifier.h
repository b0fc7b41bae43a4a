// Tells the service manager how a fleetset daemon is doing (sd_notify(3)): READY=1
// once serving, STATUS= one-line summaries, WATCHDOG=1 keep-alives from the
// event loop, RELOADING=1 around a SIGHUP, STOPPING=1 on the way out.
//
// The daemons talk to the Notifier interface so tests can record what it
// would have said instead of needing a service manager.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fleetset {

class Notifier {
 public:
  virtual ~Notifier() = default;

  // The daemon is serving; `status` (may be empty) becomes its STATUS line.
  void Ready(std::string_view status);
  // A one-line summary shown by `systemctl status`.
  void Status(std::string_view status);
  // Starting to re-read the configuration; call Ready() when done.
  void Reloading();
  // Keep-alive. Send it from the event loop itself, so that a wedged loop
  // stops the pings and systemd restarts the daemon.
  void Watchdog();
  void Stopping();

  // How often the service manager expects Watchdog() at the latest
  // (WatchdogSec=); nullopt when it does not watch. Ping at half of it.
  virtual std::optional<std::chrono::microseconds> WatchdogInterval() const = 0;

 protected:
  // Whether anyone listens; lets every call skip building the message.
  virtual bool Active() const = 0;
  // One datagram of newline-separated VARIABLE=value assignments.
  virtual void Send(const std::string& message) = 0;
};

// The real thing, over libsystemd. Without NOTIFY_SOCKET (not started by
// systemd, or started with Type=simple) every call returns at once.
class SystemdNotifier final : public Notifier {
 public:
  // Reads NOTIFY_SOCKET once; the environment is not modified, so children
  // the daemon starts would inherit it (it starts none).
  SystemdNotifier();

  std::optional<std::chrono::microseconds> WatchdogInterval() const override;

 protected:
  bool Active() const override { return active_; }
  void Send(const std::string& message) override;

 private:
  bool active_ = false;
  // A failing socket is reported once, not on every watchdog ping.
  bool reported_failure_ = false;
};

// For tests: keeps every message instead of sending it.
class RecordingNotifier final : public Notifier {
 public:
  std::optional<std::chrono::microseconds> WatchdogInterval() const override {
    return watchdog_interval;
  }

  std::vector<std::string> messages;
  std::optional<std::chrono::microseconds> watchdog_interval;

 protected:
  bool Active() const override { return true; }
  void Send(const std::string& message) override { messages.push_back(message); }
};

}  // namespace fleetset
