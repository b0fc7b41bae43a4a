// `fleetsetctl apply` and `fleetsetctl create`: read manifests from files,
// directories or stdin, validate them, and send each valid DaemonSet to the
// coordinator (or, with --dry-run=client, only report what would be sent).
#include <ostream>
#include <string>
#include <vector>

#include "commands.h"
#include "connection.h"
#include "fleetset/manifest.h"
#include "fleetset/manifest_files.h"
#include "resources.h"

namespace fleetset::ctl {
namespace {

struct ApplyOptions {
  std::vector<std::string> filenames;
  bool recursive = false;
  std::string dry_run = "none";
};

// Every document of every input, valid or not, in the order given.
struct Loaded {
  std::vector<LoadedDaemonSet> documents;
  // An input could not be read (already reported).
  bool unreadable = false;
};

Loaded LoadInputs(const ApplyOptions& options, Io& io) {
  Loaded loaded;
  for (const std::string& filename : options.filenames) {
    std::string error;
    auto files = ReadManifestFiles(filename, options.recursive, io.in, &error);
    if (!files) {
      io.err << "error: " << error << "\n";
      loaded.unreadable = true;
      continue;
    }
    for (const ManifestFile& file : *files) {
      // The namespace as written, before defaulting, to honour -n below.
      std::vector<DecodedDocument> raw = DecodeManifests(file.text, file.source);
      std::vector<LoadedDaemonSet> documents = LoadDaemonSets(file.text, file.source);
      for (size_t i = 0; i < documents.size(); ++i) {
        if (i < raw.size() && raw[i].object.daemon_set().metadata().namespace_().empty()) {
          documents[i].daemon_set.mutable_metadata()->clear_namespace_();
        }
        loaded.documents.push_back(std::move(documents[i]));
      }
    }
  }
  return loaded;
}

// kubectl's rule for -n: it fills a namespace the manifest leaves out and
// must agree with one the manifest gives. Without -n, "default".
bool SettleNamespace(LoadedDaemonSet& loaded, const GlobalOptions& global, Io& io) {
  v1::ObjectMeta* metadata = loaded.daemon_set.mutable_metadata();
  if (metadata->namespace_().empty()) {
    metadata->set_namespace_(global.Namespace());
    return true;
  }
  if (global.namespace_given() && metadata->namespace_() != global.namespace_) {
    Fail(io, "the namespace from the provided object \"" + metadata->namespace_() +
                 "\" does not match the namespace \"" + global.namespace_ +
                 "\". You must pass '--namespace=" + metadata->namespace_() +
                 "' to perform this operation.");
    return false;
  }
  return true;
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

std::string ObjectName(const v1::DaemonSet& daemon_set) {
  return QualifiedName(DaemonSetType(), daemon_set.metadata().name());
}

// --dry-run=client: nothing is sent, and (unlike the real run) nothing is
// reported as applied when any document is invalid.
void RunClientDryRun(Loaded& loaded, Io& io) {
  bool all_valid = !loaded.unreadable;
  std::vector<const LoadedDaemonSet*> accepted;
  for (const LoadedDaemonSet& document : loaded.documents) {
    if (ReportDocument(document, io.err)) {
      accepted.push_back(&document);
    } else {
      all_valid = false;
    }
  }
  const char* suffix =
      all_valid ? " (dry run)" : " (dry run; not applied: other documents are invalid)";
  for (const LoadedDaemonSet* document : accepted) {
    io.out << ObjectName(document->daemon_set) << " created" << suffix << "\n";
  }
  io.exit_code = all_valid ? 0 : 1;
}

// The real run (and --dry-run=server): as kubectl, each valid document is
// sent on its own; invalid ones are reported and the rest still go.
void RunAgainstCoordinator(Loaded& loaded, const ApplyOptions& options, const std::string& verb,
                           const GlobalOptions& global, Io& io) {
  bool failed = loaded.unreadable;
  std::unique_ptr<Connection> connection;
  const bool create = verb == "create";
  const bool server_dry_run = options.dry_run == "server";
  for (LoadedDaemonSet& document : loaded.documents) {
    if (!ReportDocument(document, io.err) || !SettleNamespace(document, global, io)) {
      failed = true;
      continue;
    }
    if (!connection && !(connection = Connection::Open(global, io))) return;
    v1::ApplyDaemonSetRequest request;
    *request.mutable_daemon_set() = document.daemon_set;
    request.set_create_only(create);
    request.set_dry_run(server_dry_run);
    v1::ApplyDaemonSetResponse response;
    CallOptions call;
    call.context = std::string("error when ") + (create ? "creating" : "applying") + " \"" +
                   document.source + "\"";
    if (!connection->Call(&v1::OperatorService::Stub::ApplyDaemonSet, request, &response, call)) {
      failed = true;
      if (connection->unreachable()) break;
      continue;
    }
    const std::string result =
        response.result().empty() ? (create ? "created" : "configured") : response.result();
    io.out << ObjectName(document.daemon_set) << " " << result
           << (server_dry_run ? " (server dry run)" : "") << "\n";
  }
  io.exit_code = failed ? 1 : 0;
}

void RunApply(const ApplyOptions& options, const std::string& verb, const GlobalOptions& global,
              Io& io) {
  Loaded loaded = LoadInputs(options, io);
  if (loaded.documents.empty() && !loaded.unreadable) {
    io.err << "error: no objects passed to " << verb << "\n";
    io.exit_code = 1;
    return;
  }
  if (options.dry_run == "client") return RunClientDryRun(loaded, io);
  RunAgainstCoordinator(loaded, options, verb, global, io);
}

void AddOne(CLI::App& app, Io& io, const GlobalOptions& global, const std::string& verb,
            const std::string& description) {
  auto options = std::make_shared<ApplyOptions>();
  CLI::App* command = app.add_subcommand(verb, description);
  CLI::Option* files = command->add_option(
      "-f,--filename", options->filenames,
      "File, directory or - (stdin) with DaemonSet manifests (YAML or JSON); may be repeated");
  // `create` has subcommands of its own (`create user`) that need no file.
  if (verb == "apply") files->required();
  command->add_flag("-R,--recursive", options->recursive,
                    "Process the directory given with -f recursively");
  command
      ->add_option("--dry-run", options->dry_run,
                   "none: send to the coordinator; server: the coordinator validates and "
                   "reports the result without storing anything; client: validate locally and "
                   "print what would be sent, without contacting a coordinator")
      ->check(CLI::IsMember({"none", "client", "server"}))
      ->default_str("none");
  command->footer("Examples:\n  fleetsetctl " + verb + " -f daemonset.yaml\n  fleetsetctl " + verb +
                  " -f manifests/ -R --dry-run=server\n  cat ds.yaml | fleetsetctl " + verb +
                  " -f -\n");
  command->callback([command, options, verb, &global, &io] {
    if (!command->get_subcommands().empty()) return;  // `create user` ran
    if (options->filenames.empty()) return Fail(io, "must specify -f (or a subcommand: user)");
    RunApply(*options, verb, global, io);
  });
}

}  // namespace

void AddApplyCommands(CLI::App& app, Io& io, const GlobalOptions& global) {
  AddOne(app, io, global, "apply",
         "Apply DaemonSet manifests: create each DaemonSet, or update it when it exists "
         "(prints created, configured or unchanged)");
  AddOne(app, io, global, "create",
         "Create DaemonSets from manifests; fails with AlreadyExists for one that exists");
}

}  // namespace fleetset::ctl
