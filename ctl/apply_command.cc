// `fleetsetctl apply` and `fleetsetctl create`: read manifests from files,
// directories or stdin, validate them, and send each valid object (a
// DaemonSet, ConfigMap, Secret, PriorityClass or Namespace) to the
// coordinator, in the order given (or, with --dry-run=client, only report
// what would be sent). Kubernetes kinds that only mean something to an API
// server are skipped with a note.
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "commands.h"
#include "connection.h"
#include "fleetset/manifest.h"
#include "fleetset/manifest_files.h"
#include "fleetset/object_kinds.h"
#include "fleetset/strings.h"
#include "resources.h"

namespace fleetset::ctl {
namespace {

struct ApplyOptions {
  std::vector<std::string> filenames;
  bool recursive = false;
  std::string dry_run = "none";
};

// One document: what LoadObjects made of it, and what it said itself
// before defaults were applied.
struct Document {
  LoadedObject loaded;
  std::string name;
  // The kind's resource type; nullptr for a document of no managed kind.
  const ResourceType* type = nullptr;
};

// Every document of every input, valid or not, in the order given.
struct Loaded {
  std::vector<Document> documents;
  // An input could not be read (already reported).
  bool unreadable = false;
};

Document MakeDocument(LoadedObject loaded, const DecodedDocument* raw) {
  Document document{std::move(loaded), raw != nullptr ? raw->name : "", nullptr};
  document.type = FindResourceTypeOfKind(KindName(document.loaded.object.kind_case()));
  // The namespace as written, before defaulting, to honour -n below.
  v1::ObjectMeta* metadata = MutableMetadataOf(document.loaded.object);
  if (metadata != nullptr && raw != nullptr && MetadataOf(raw->object) != nullptr &&
      MetadataOf(raw->object)->namespace_().empty()) {
    metadata->clear_namespace_();
  }
  return document;
}

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
      const std::vector<DecodedDocument> raw = DecodeManifests(file.text, file.source);
      std::vector<LoadedObject> objects = LoadObjects(file.text, file.source);
      for (size_t i = 0; i < objects.size(); ++i) {
        loaded.documents.push_back(
            MakeDocument(std::move(objects[i]), i < raw.size() ? &raw[i] : nullptr));
      }
    }
  }
  return loaded;
}

// kubectl's rule for -n, for namespaced kinds: it fills a namespace the
// manifest leaves out and must agree with one the manifest gives. Without
// -n, "default".
bool SettleNamespace(Document& document, const GlobalOptions& global, Io& io) {
  if (!document.type->namespaced) return true;
  v1::ObjectMeta* metadata = MutableMetadataOf(document.loaded.object);
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

// A skipped document gets one line on stderr and counts as neither
// applied nor failed: `serviceaccount/fluent-bit skipped: fleetset has no
// ServiceAccounts`.
bool ReportSkipped(const Document& document, std::ostream& err) {
  if (document.loaded.skipped.empty()) return false;
  err << Lower(document.loaded.kind) << "/" << document.name
      << " skipped: " << document.loaded.skipped << "\n";
  return true;
}

// Prints every error of one document, kubectl-style, and returns whether
// the document was valid.
bool ReportDocument(const Document& document, std::ostream& err) {
  if (document.loaded.ok()) return true;
  const std::string& kind = document.loaded.kind.empty() ? "object" : document.loaded.kind;
  err << "error: " << document.loaded.source << ": " << kind
      << (document.name.empty() ? std::string() : " \"" + document.name + "\"") << " is invalid:\n";
  for (const FieldError& error : document.loaded.errors) err << "* " << error.ToString() << "\n";
  return false;
}

std::string ObjectName(const Document& document) {
  return QualifiedName(*document.type, MetadataOf(document.loaded.object)->name());
}

// --dry-run=client: nothing is sent, and (unlike the real run) nothing is
// reported as applied when any document is invalid.
void RunClientDryRun(const Loaded& loaded, Io& io) {
  bool all_valid = !loaded.unreadable;
  std::vector<const Document*> accepted;
  for (const Document& document : loaded.documents) {
    if (ReportSkipped(document, io.err)) continue;
    if (ReportDocument(document, io.err)) {
      accepted.push_back(&document);
    } else {
      all_valid = false;
    }
  }
  const char* suffix =
      all_valid ? " (dry run)" : " (dry run; not applied: other documents are invalid)";
  for (const Document* document : accepted) {
    io.out << ObjectName(*document) << " created" << suffix << "\n";
  }
  io.exit_code = all_valid ? 0 : 1;
}

// Sends one apply request; returns the coordinator's result, or nullopt
// when the call failed (already reported).
template <typename Request, typename Response>
std::optional<std::string> SendRequest(Connection& connection,
                                       Connection::Method<Request, Response> method,
                                       Request& request, bool create, bool dry_run,
                                       const CallOptions& call) {
  request.set_create_only(create);
  request.set_dry_run(dry_run);
  Response response;
  if (!connection.Write(method, request, &response, call)) return std::nullopt;
  if (!response.result().empty()) return response.result();
  return create ? "created" : "configured";
}

// DaemonSets go with ApplyDaemonSet, the other kinds with ApplyObject.
std::optional<std::string> Send(Connection& connection, const v1::Object& object, bool create,
                                bool dry_run, const CallOptions& call) {
  if (object.has_daemon_set()) {
    v1::ApplyDaemonSetRequest request;
    *request.mutable_daemon_set() = object.daemon_set();
    return SendRequest(connection, &v1::OperatorService::Stub::ApplyDaemonSet, request, create,
                       dry_run, call);
  }
  v1::ApplyObjectRequest request;
  *request.mutable_object() = object;
  return SendRequest(connection, &v1::OperatorService::Stub::ApplyObject, request, create, dry_run,
                     call);
}

// The real run (and --dry-run=server): as kubectl, each valid document is
// sent on its own, in order; invalid ones are reported and the rest still
// go.
void RunAgainstCoordinator(Loaded& loaded, const ApplyOptions& options, const std::string& verb,
                           const GlobalOptions& global, Io& io) {
  bool failed = loaded.unreadable;
  std::unique_ptr<Connection> connection;
  const bool create = verb == "create";
  for (Document& document : loaded.documents) {
    if (ReportSkipped(document, io.err)) continue;
    if (!ReportDocument(document, io.err) || !SettleNamespace(document, global, io)) {
      failed = true;
      continue;
    }
    if (!connection && !(connection = Connection::Open(global, io))) return;
    CallOptions call;
    call.context = std::string("error when ") + (create ? "creating" : "applying") + " \"" +
                   document.loaded.source + "\"";
    const std::optional<std::string> result =
        Send(*connection, document.loaded.object, create, options.dry_run == "server", call);
    if (!result) {
      failed = true;
      if (connection->unreachable()) break;
      continue;
    }
    io.out << ObjectName(document) << " " << *result << DryRunSuffix(options.dry_run) << "\n";
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
      "File, directory or - (stdin) with manifests (YAML or JSON) of DaemonSets, ConfigMaps, "
      "Secrets, PriorityClasses and Namespaces; may be repeated");
  // `create` has subcommands of its own (`create user`, `create configmap`,
  // `create secret`) that need no file.
  if (verb == "apply") files->required();
  command->add_flag("-R,--recursive", options->recursive,
                    "Process the directory given with -f recursively");
  AddDryRunFlag(command, &options->dry_run,
                "none: send to the coordinator; server: the coordinator validates and reports "
                "the result without storing anything; client: validate locally and print what "
                "would be sent, without contacting a coordinator");
  command->footer("Examples:\n  fleetsetctl " + verb + " -f daemonset.yaml\n  fleetsetctl " + verb +
                  " -f manifests/ -R --dry-run=server\n  cat ds.yaml | fleetsetctl " + verb +
                  " -f -\n");
  command->callback([command, options, verb, &global, &io] {
    if (!command->get_subcommands().empty()) return;  // `create user` ... ran
    if (options->filenames.empty()) {
      std::vector<std::string> names;
      for (const CLI::App* subcommand : command->get_subcommands([](CLI::App*) { return true; })) {
        names.push_back(subcommand->get_name());
      }
      return Fail(io, "must specify -f (or a subcommand: " + Join(names, ", ") + ")");
    }
    RunApply(*options, verb, global, io);
  });
}

}  // namespace

void AddApplyCommands(CLI::App& app, Io& io, const GlobalOptions& global) {
  AddOne(app, io, global, "apply",
         "Apply manifests: create each object (DaemonSet, ConfigMap, Secret, PriorityClass, "
         "Namespace), or update it when it exists (prints created, configured or unchanged); "
         "other Kubernetes kinds of a bundle (ServiceAccount, ClusterRole ...) are skipped");
  AddOne(app, io, global, "create",
         "Create objects from manifests (AlreadyExists for one that exists), or from the "
         "command line: create user, create configmap, create secret");
}

}  // namespace fleetset::ctl
