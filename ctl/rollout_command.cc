// `fleetsetctl rollout status|history|undo ds/NAME`, as kubectl's. The
// coordinator computes the status text (kubectl's wording) and keeps the
// revisions; this side polls, prints and picks the exit code.
#include <ostream>
#include <thread>

#include "commands.h"
#include "connection.h"
#include "describers.h"
#include "resources.h"
#include "tabwriter.h"

namespace fleetset::ctl {
namespace {

constexpr std::chrono::seconds kPollInterval{1};

struct RolloutOptions {
  std::vector<std::string> args;
  bool watch = true;
  std::string timeout = "0s";
  int64_t revision = 0;
  std::string dry_run = "none";
};

std::optional<ResourceArgs> DaemonSetArgs(const RolloutOptions& options, const std::string& verb,
                                          Io& io) {
  std::string error;
  auto resources = ParseResourceArgsOf(options.args, verb, {ResourceKind::kDaemonSet}, &error);
  if (resources && resources->names.empty()) {
    error = "resource(s) were provided, but no name was specified";
    resources.reset();
  }
  if (!resources) Fail(io, error);
  return resources;
}

v1::ObjectKey Key(const GlobalOptions& global, const std::string& name) {
  v1::ObjectKey key;
  key.set_namespace_(global.Namespace());
  key.set_name(name);
  return key;
}

CallOptions ClientCheck() {
  CallOptions call;
  call.precondition_is_client_check = true;
  return call;
}

void RunStatus(const RolloutOptions& options, const GlobalOptions& global, Io& io) {
  const auto resources = DaemonSetArgs(options, "rollout status", io);
  if (!resources) return;
  if (resources->names.size() != 1) return Fail(io, "rollout status takes exactly one DaemonSet");
  const auto timeout = ParseKubectlDuration(options.timeout);
  if (!timeout) {
    return Fail(io, "invalid argument \"" + options.timeout +
                        "\" for \"--timeout\" flag: time: invalid duration \"" + options.timeout +
                        "\"");
  }
  auto connection = Connection::Open(global, io);
  if (!connection) return;
  using Clock = std::chrono::steady_clock;
  const auto deadline = timeout->count() > 0 ? Clock::now() + *timeout : Clock::time_point::max();
  v1::RolloutStatusRequest request;
  *request.mutable_key() = Key(global, resources->names.front());
  std::string last_message;
  while (true) {
    v1::RolloutStatusResponse response;
    if (!connection->Read(&v1::OperatorService::Stub::RolloutStatus, request, &response,
                          ClientCheck())) {
      return;
    }
    if (!response.message().empty() && response.message() != last_message) {
      last_message = response.message();
      io.out << last_message << (last_message.ends_with("\n") ? "" : "\n");
      io.out.flush();
    }
    if (!response.failure().empty()) return Fail(io, response.failure());
    if (response.done() || !options.watch) return;
    const auto now = Clock::now();
    if (now >= deadline) return Fail(io, "timed out waiting for the condition");
    std::this_thread::sleep_for(std::min<Clock::duration>(kPollInterval, deadline - now));
  }
}

void PrintHistory(const v1::RolloutHistoryResponse& response, const std::string& name,
                  int64_t revision, Io& io) {
  const std::string object = QualifiedName(DaemonSetType(), name);
  if (revision > 0) {
    const auto& revisions = response.revisions();
    auto it = std::find_if(revisions.begin(), revisions.end(), [&](const v1::DaemonSetRevision& r) {
      return r.revision() == revision;
    });
    if (it == revisions.end()) return Fail(io, "unable to find the specified revision");
    io.out << object << " with revision #" << revision << "\n";
    {
      TabWriter w(io.out);
      DescribePodTemplate(w, it->template_());
    }
    io.out << "\n";
    return;
  }
  // kubectl's name printer puts a space after the name, then the table.
  io.out << object << " \n";
  if (response.revisions().empty()) {
    io.out << "No rollout history found.\n";
    return;
  }
  std::vector<v1::DaemonSetRevision> revisions(response.revisions().begin(),
                                               response.revisions().end());
  std::sort(revisions.begin(), revisions.end(),
            [](const auto& a, const auto& b) { return a.revision() < b.revision(); });
  {
    TabWriter w(io.out);
    w.Write(0, "REVISION\tCHANGE-CAUSE\n");
    for (const v1::DaemonSetRevision& entry : revisions) {
      w.Write(0, std::to_string(entry.revision()) + "\t" +
                     (entry.change_cause().empty() ? std::string("<none>") : entry.change_cause()) +
                     "\n");
    }
  }
  io.out << "\n";
}

void RunHistory(const RolloutOptions& options, const GlobalOptions& global, Io& io) {
  const auto resources = DaemonSetArgs(options, "rollout history", io);
  if (!resources) return;
  auto connection = Connection::Open(global, io);
  if (!connection) return;
  for (const std::string& name : resources->names) {
    v1::RolloutHistoryRequest request;
    *request.mutable_key() = Key(global, name);
    request.set_revision(options.revision);
    v1::RolloutHistoryResponse response;
    if (connection->Read(&v1::OperatorService::Stub::RolloutHistory, request, &response,
                         ClientCheck())) {
      PrintHistory(response, name, options.revision, io);
    } else if (connection->unreachable()) {
      return;
    }
  }
}

void RunUndo(const RolloutOptions& options, const GlobalOptions& global, Io& io) {
  const auto resources = DaemonSetArgs(options, "rollout undo", io);
  if (!resources) return;
  auto connection = Connection::Open(global, io);
  if (!connection) return;
  const char* suffix = DryRunSuffix(options.dry_run);
  for (const std::string& name : resources->names) {
    v1::RolloutUndoRequest request;
    *request.mutable_key() = Key(global, name);
    request.set_to_revision(options.revision);
    request.set_dry_run(options.dry_run != "none");
    v1::ApplyDaemonSetResponse response;
    if (connection->Write(&v1::OperatorService::Stub::RolloutUndo, request, &response,
                          ClientCheck())) {
      io.out << QualifiedName(DaemonSetType(), name) << " "
             << (response.result().empty() ? "rolled back" : response.result()) << suffix << "\n";
    } else if (connection->unreachable()) {
      return;
    }
  }
}

CLI::App* AddVerb(CLI::App& rollout, const std::string& name, const std::string& description,
                  const std::shared_ptr<RolloutOptions>& options, bool one_only = false) {
  CLI::App* command = rollout.add_subcommand(name, description);
  command
      ->add_option("args", options->args,
                   one_only ? "ds/NAME or daemonset NAME" : "ds/NAME... or daemonset NAME...")
      ->required();
  return command;
}

}  // namespace

void AddRolloutCommand(CLI::App& app, Io& io, const GlobalOptions& global) {
  CLI::App* rollout =
      app.add_subcommand("rollout", "Manage the rollout of DaemonSets: status, history, undo");
  rollout->require_subcommand(1);

  auto status = std::make_shared<RolloutOptions>();
  CLI::App* status_command =
      AddVerb(*rollout, "status",
              "Show the rollout status of a DaemonSet; with --watch (the default) wait until it is "
              "rolled out (exit 0) or fails (exit 1)",
              status);
  status_command->add_flag("-w,--watch", status->watch,
                           "Keep printing the status until the rollout finishes (--watch=false: "
                           "print it once)");
  status_command
      ->add_option("--timeout", status->timeout,
                   "How long to wait before giving up (e.g. 5m); 0s waits forever")
      ->default_str("0s");
  status_command->footer("Examples:\n  fleetsetctl rollout status ds/fluentd -n kube-system\n");
  status_command->callback([status, &global, &io] { RunStatus(*status, global, io); });

  auto history = std::make_shared<RolloutOptions>();
  CLI::App* history_command =
      AddVerb(*rollout, "history",
              "List a DaemonSet's revisions and their change causes; with --revision, show that "
              "revision's pod template",
              history);
  history_command->add_option("--revision", history->revision,
                              "Show the pod template of this revision");
  history_command->footer(
      "Examples:\n  fleetsetctl rollout history daemonset/fluentd-elasticsearch -n kube-system\n"
      "  fleetsetctl rollout history ds/fluentd --revision=2\n");
  history_command->callback([history, &global, &io] { RunHistory(*history, global, io); });

  auto undo = std::make_shared<RolloutOptions>();
  CLI::App* undo_command =
      AddVerb(*rollout, "undo",
              "Roll a DaemonSet back to the previous revision, or to --to-revision", undo);
  undo_command->add_option("--to-revision", undo->revision,
                           "The revision to roll back to; 0 (default) is the previous one");
  AddDryRunFlag(undo_command, &undo->dry_run,
                "none: roll back; server or client: have the coordinator check the rollback "
                "without changing anything");
  undo_command->footer(
      "Examples:\n  fleetsetctl rollout undo daemonset/fluentd-elasticsearch -n kube-system\n"
      "  fleetsetctl rollout undo daemonset/fluentd-elasticsearch --to-revision=1 -n "
      "kube-system\n");
  undo_command->callback([undo, &global, &io] { RunUndo(*undo, global, io); });
}

}  // namespace fleetset::ctl
