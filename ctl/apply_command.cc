// `fleetsetctl apply` and `fleetsetctl create`: read manifests from files,
// directories or stdin, validate them, and (with --dry-run=client) report
// what would be applied without any coordinator.
#include <ostream>
#include <string>
#include <vector>

#include "commands.h"
#include "fleetset/manifest.h"
#include "fleetset/manifest_files.h"

namespace fleetset::ctl {
namespace {

struct ApplyOptions {
  std::vector<std::string> filenames;
  bool recursive = false;
  std::string dry_run = "none";
};

std::string ObjectName(const v1::DaemonSet& daemon_set) {
  return "daemonset.apps/" + daemon_set.metadata().name();
}

// Prints every error of one document, kubectl-style, and returns whether
// the document was valid.
bool ReportDocument(const LoadedDaemonSet& loaded, std::ostream& err) {
  if (loaded.ok()) return true;
  const std::string& name = loaded.daemon_set.metadata().name();
  err << "error: " << loaded.source << ": DaemonSet"
      << (name.empty() ? std::string() : " \"" + name + "\"") << " is invalid:\n";
  for (const FieldError& error : loaded.errors) err << "* " << error.ToString() << "\n";
  return false;
}

void RunApply(const ApplyOptions& options, const std::string& verb, Io& io) {
  if (options.dry_run != "client") {
    io.err << "error: " << verb
           << " needs a coordinator connection, which this build of fleetsetctl does not have "
              "yet; use --dry-run=client to validate offline\n";
    io.exit_code = 1;
    return;
  }
  std::vector<LoadedDaemonSet> accepted;
  bool all_valid = true;
  size_t documents = 0;
  for (const std::string& filename : options.filenames) {
    std::string error;
    auto files = ReadManifestFiles(filename, options.recursive, io.in, &error);
    if (!files) {
      io.err << "error: " << error << "\n";
      all_valid = false;
      continue;
    }
    for (const ManifestFile& file : *files) {
      for (LoadedDaemonSet& loaded : LoadDaemonSets(file.text, file.source)) {
        ++documents;
        if (ReportDocument(loaded, io.err)) {
          accepted.push_back(std::move(loaded));
        } else {
          all_valid = false;
        }
      }
    }
  }
  if (documents == 0 && all_valid) {
    io.err << "error: no objects passed to " << verb << "\n";
    io.exit_code = 1;
    return;
  }
  // Like kubectl, nothing is applied when any document is invalid; the
  // valid ones are still named so the user sees what was understood.
  const char* suffix =
      all_valid ? " (dry run)" : " (dry run; not applied: other documents are invalid)";
  for (const LoadedDaemonSet& loaded : accepted) {
    io.out << ObjectName(loaded.daemon_set) << " created" << suffix << "\n";
  }
  io.exit_code = all_valid ? 0 : 1;
}

void AddOne(CLI::App& app, Io& io, const std::string& verb, const std::string& description) {
  auto options = std::make_shared<ApplyOptions>();
  CLI::App* command = app.add_subcommand(verb, description);
  command
      ->add_option("-f,--filename", options->filenames,
                   "File, directory or - (stdin) with DaemonSet manifests (YAML or JSON); "
                   "may be repeated")
      ->required();
  command->add_flag("-R,--recursive", options->recursive,
                    "Process the directory given with -f recursively");
  command
      ->add_option("--dry-run", options->dry_run,
                   "none: apply for real; client: validate locally and print what would be "
                   "applied, without contacting a coordinator")
      ->check(CLI::IsMember({"none", "client", "server"}))
      ->default_str("none");
  command->callback([options, verb, &io] { RunApply(*options, verb, io); });
}

}  // namespace

void AddApplyCommands(CLI::App& app, Io& io) {
  AddOne(app, io, "apply", "Apply DaemonSet manifests (create or update)");
  AddOne(app, io, "create", "Create DaemonSets from manifests; fails if they exist");
}

}  // namespace fleetset::ctl
