#include "support/coordinator_process.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <regex>
#include <sstream>
#include <thread>

#include "support/coordinator_client.h"
#include "support/run_command.h"

namespace fleetset::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::steady_clock;

// Startup is a SQLite open and a listen; generous for a loaded machine.
constexpr milliseconds kStartTimeout{30000};
constexpr milliseconds kStopTimeout{10000};

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

std::unique_ptr<CoordinatorProcess> CoordinatorProcess::Start(
    const std::string& dir, std::vector<std::string> extra_flags,
    const std::map<std::string, std::string>& env) {
  const std::string program = BuiltProgram("coordinator/fleetset-coordinator");
  if (!std::filesystem::exists(program)) {
    ADD_FAILURE() << "build fleetset-coordinator first: " << program;
    return nullptr;
  }
  std::unique_ptr<CoordinatorProcess> coordinator(
      new CoordinatorProcess(dir + "/coordinator-data", dir + "/coordinator.log"));
  std::filesystem::create_directories(coordinator->data_dir_);
  // Port 0: the kernel picks a free port and the coordinator logs it, so
  // there is no window in which another process could take it.
  std::vector<std::string> args = {program, "--listen", "127.0.0.1:0", "--data-dir",
                                   coordinator->data_dir_};
  // The same for the metrics endpoint, unless the test sets it: the default
  // port would be taken by the first of several coordinators.
  if (std::find(extra_flags.begin(), extra_flags.end(), "--metrics-listen") == extra_flags.end()) {
    args.insert(args.end(), {"--metrics-listen", "127.0.0.1:0"});
  }
  args.insert(args.end(), extra_flags.begin(), extra_flags.end());
  if (!coordinator->Launch(args, env)) return nullptr;

  const auto deadline = steady_clock::now() + kStartTimeout;
  while (steady_clock::now() < deadline) {
    if (!coordinator->Running()) {
      ADD_FAILURE() << "fleetset-coordinator exited with "
                    << coordinator->child_.exit_code().value_or(-1) << " while starting:\n"
                    << coordinator->Output();
      return nullptr;
    }
    if (const std::optional<int> port = coordinator->LoggedPort()) {
      coordinator->port_ = *port;
      break;
    }
    std::this_thread::sleep_for(milliseconds(50));
  }
  if (coordinator->port_ == 0) {
    ADD_FAILURE() << "fleetset-coordinator never logged its port:\n" << coordinator->Output();
    return nullptr;
  }
  // The port is open; the first answer proves the service behind it works.
  CommandResult version;
  while (steady_clock::now() < deadline) {
    std::vector<std::string> command = coordinator->CtlCommand();
    command.insert(command.end(), {"--request-timeout", "5s", "version"});
    version = RunCommand(command);
    if (version.exit_code == 0) return coordinator;
    std::this_thread::sleep_for(milliseconds(100));
  }
  ADD_FAILURE() << "fleetsetctl version never got an answer from " << coordinator->address()
                << ": exit " << version.exit_code << "\n"
                << version.out << version.err << "--- coordinator output ---\n"
                << coordinator->Output();
  return nullptr;
}

CoordinatorProcess::CoordinatorProcess(std::string data_dir, std::string output_path)
    : data_dir_(std::move(data_dir)), output_path_(std::move(output_path)) {}

CoordinatorProcess::~CoordinatorProcess() {
  if (Running()) {
    Signal(SIGTERM);
    if (!Wait(kStopTimeout)) {
      ADD_FAILURE() << "fleetset-coordinator ignored SIGTERM for " << kStopTimeout.count()
                    << " ms; killing it";
      child_.Stop(milliseconds(0));
    }
  }
  if (::testing::Test::HasFailure()) {
    std::cerr << "--- fleetset-coordinator output (" << output_path_ << ") ---\n"
              << Output() << "--- end of fleetset-coordinator output ---\n";
  }
}

std::vector<std::string> CoordinatorProcess::CtlCommand() const {
  return {BuiltProgram("ctl/fleetsetctl"), "--config", admin_config(), "-s", address()};
}

std::vector<std::string> CoordinatorProcess::JoinFlags() const {
  auto operators = v1::OperatorService::NewStub(ChannelFromClientConfig(admin_config(), address()));
  const JoinToken join = CreateJoinToken(*operators);
  return {"--coordinator",  address(), "--token", join.token, "--discovery-token-ca-cert-hash",
          join.ca_cert_hash};
}

bool CoordinatorProcess::Launch(const std::vector<std::string>& args,
                                const std::map<std::string, std::string>& env) {
  std::string error;
  if (!child_.Start({args, env, output_path_}, &error)) {
    ADD_FAILURE() << "cannot start fleetset-coordinator: " << error;
    return false;
  }
  return true;
}

std::optional<int> CoordinatorProcess::LoggedPort() const {
  static const std::regex kServing(R"(serving on \S+ \(port ([0-9]+)[,)])");
  std::smatch match;
  const std::string output = Output();
  if (!std::regex_search(output, match, kServing)) return std::nullopt;
  const int port = std::stoi(match[1].str());
  if (port <= 0) return std::nullopt;
  return port;
}

int CoordinatorProcess::MetricsPort() const {
  static const std::regex kListening(R"(metrics and health on \S+ \(port ([0-9]+)\))");
  const auto deadline = steady_clock::now() + seconds(10);
  do {
    std::smatch match;
    const std::string output = Output();
    if (std::regex_search(output, match, kListening)) return std::stoi(match[1].str());
    std::this_thread::sleep_for(milliseconds(50));
  } while (steady_clock::now() < deadline);
  return 0;
}

bool CoordinatorProcess::Running() { return child_.Running(); }

std::optional<int> CoordinatorProcess::Wait(milliseconds timeout) { return child_.Wait(timeout); }

bool CoordinatorProcess::Signal(int signal) const { return child_.Signal(signal); }

std::string CoordinatorProcess::Output() const { return ReadAll(output_path_); }

}  // namespace fleetset::testing
