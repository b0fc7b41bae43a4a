// fleetset-agent: runs DaemonSet pods on this node through its CRI runtime.
#include <iostream>
#include <variant>

#include "agent/agent.h"
#include "agent/agent_config.h"
#include "agent/status_printer.h"
#include "daemon/lock_order_checks.h"
#include "daemon/logging.h"
#include "daemon/systemd_notifier.h"

int main(int argc, char** argv) {
  using namespace fleetset::agent;
  CommandLineResult parsed = ParseAgentCommandLine(argc, argv, std::cout);
  if (auto* exit = std::get_if<ExitRequest>(&parsed)) return exit->exit_code;
  if (auto* error = std::get_if<ConfigError>(&parsed)) {
    std::cerr << "fleetset-agent: " << error->message << "\n";
    return error->exit_code;
  }
  AgentInvocation invocation = std::get<AgentInvocation>(std::move(parsed));
  if (invocation.mode == AgentMode::kStatus) {
    return PrintAgentStatus(invocation.config.root_dir, std::cout, std::cerr);
  }
  // FLEETSET_NODE= on every journal record: `journalctl FLEETSET_NODE=x`.
  fleetset::SetUpLogging({"fleetset-agent",
                          invocation.config.log_level,
                          {{"FLEETSET_NODE", invocation.config.NodeName()}},
                          std::nullopt});
  fleetset::DisableMutexDeadlockDetection();
  fleetset::SystemdNotifier notifier;
  Agent agent(std::move(invocation), notifier);
  return agent.Run();
}
