// fleetset-coordinator: the fleet's central server.
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstring>
#include <iostream>

#include <sys/stat.h>

#include "coordinator/coordinator_config.h"
#include "coordinator/migrate/migrate_command.h"
#include "coordinator/server.h"
#include "daemon/lock_order_checks.h"
#include "daemon/logging.h"
#include "daemon/systemd_notifier.h"

namespace {

using namespace fleetset;
using namespace fleetset::coordinator;

// Blocks SIGTERM/SIGINT in every thread (gRPC's included) so that the main
// thread alone receives them, with sigwait.
sigset_t BlockStopSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "migrate") {
    return RunMigrateCommand(std::vector<std::string>(argv + 2, argv + argc), std::cout, std::cerr);
  }
  CoordinatorCommandLine parsed = ParseCoordinatorCommandLine(
      std::vector<std::string>(argv + 1, argv + argc), std::cout, std::cerr);
  if (parsed.exit) return parsed.exit_code;
  const CoordinatorConfig& config = parsed.config;
  LoggingOptions logging;
  logging.program = "fleetset-coordinator";
  logging.level = config.log_level;
  SetUpLogging(logging);
  DisableMutexDeadlockDetection();
  const sigset_t signals = BlockStopSignals();
  // Keys, admin.conf and the audit log are the owner's alone.
  umask(077);

  SystemdNotifier notifier;
  RealClock clock;
  ServerOptions options;
  options.listen = config.listen;
  options.data_dir = config.data_dir;
  options.metrics_listen = config.metrics_listen;
  options.controllers.node_grace_period = config.node_monitor_grace_period;
  options.pki.tls_cert_file = config.tls_cert_file;
  options.pki.tls_private_key_file = config.tls_private_key_file;
  options.pki.client_ca_file = config.client_ca_file;
  options.pki.signing_cert_file = config.cluster_signing_cert_file;
  options.pki.signing_key_file = config.cluster_signing_key_file;
  options.pki.extra_sans = config.tls_sans;
  options.node_certificate_ttl = config.node_cert_ttl;
  options.encryption_provider_config = config.encryption_provider_config;
  options.audit.path = config.audit_log_path;
  options.audit.max_bytes = config.audit_log_max_size_mb * 1024 * 1024;
  options.audit.max_backups = config.audit_log_max_backup;
  options.shared.etcd.servers = config.etcd_servers;
  options.shared.etcd.ca_file = config.etcd_cafile;
  options.shared.etcd.cert_file = config.etcd_certfile;
  options.shared.etcd.key_file = config.etcd_keyfile;
  options.shared.etcd.prefix = config.etcd_prefix;
  options.shared.name = config.name;
  options.shared.advertise_address = config.advertise_address;
  options.shared.leader_lease_duration = config.leader_elect_lease_duration;
  options.shared.compaction_interval = config.etcd_compaction_interval;
  options.shared.db_metric_poll_interval = config.etcd_db_metric_poll_interval;
  // The DaemonSet controller's loop pings the watchdog: a wedged loop gets
  // the service restarted. STATUS= follows the fleet's size.
  std::atomic<CoordinatorServer*> started = nullptr;
  std::string last_status;
  auto last_ping = std::chrono::steady_clock::time_point();
  auto last_summary = std::chrono::steady_clock::time_point();
  options.after_pass = [&] {
    // Passes can come every few milliseconds under load; once a second is
    // plenty for a watchdog measured in tens of seconds.
    const auto now = std::chrono::steady_clock::now();
    if (now - last_ping < std::chrono::seconds(1)) return;
    last_ping = now;
    notifier.Watchdog();
    // The summary walks every node: every 10 s is enough for STATUS=.
    if (started == nullptr || now - last_summary < std::chrono::seconds(10)) return;
    last_summary = now;
    std::string status = started.load()->Summary();
    if (status != last_status) notifier.Status(status);
    last_status = status;
  };
  std::string error;
  std::unique_ptr<CoordinatorServer> server = CoordinatorServer::Start(options, clock, &error);
  if (!server) {
    spdlog::error("{}", error);
    return 1;
  }
  started = server.get();
  notifier.Ready(server->Summary());

  int received = 0;
  sigwait(&signals, &received);
  spdlog::info("received {}, stopping", strsignal(received));
  notifier.Stopping();
  server->Shutdown();
  return 0;
}
