#include "create_object.h"

#include <memory>
#include <vector>

#include "config_objects.h"
#include "connection.h"
#include "fleetset/object_kinds.h"
#include "object_output.h"
#include "resources.h"

namespace fleetset::ctl {
namespace {

struct CreateObjectOptions {
  // The NAME argument; exactly one is required.
  std::vector<std::string> names;
  std::string dry_run = "none";
  std::string output;
};

// kubectl's checks before anything is read: exactly one NAME, an -o it
// can print. Reports the problem and returns false.
bool CheckOptions(const CreateObjectOptions& options, Io& io) {
  if (options.names.size() != 1) {
    Fail(io, "exactly one NAME is required, got " + std::to_string(options.names.size()));
    return false;
  }
  std::string error;
  const auto format = ParseOutputFormat(options.output, &error);
  if (!format || *format == OutputFormat::kWide) {
    Fail(io, "unable to match a printer suitable for the output format \"" + options.output +
                 "\", allowed formats are: json,name,yaml");
    return false;
  }
  return true;
}

// kubectl's printer for an object it created: the object itself for
// -o json|yaml|name, else `TYPE/NAME created`.
void PrintCreated(const v1::Object& object, const CreateObjectOptions& options, Io& io) {
  const ResourceType& type = *FindResourceTypeOfKind(KindName(object.kind_case()));
  const std::string name = QualifiedName(type, MetadataOf(object)->name());
  std::string error;
  const OutputFormat format =
      ParseOutputFormat(options.output, &error).value_or(OutputFormat::kTable);
  switch (format) {
    case OutputFormat::kName:
      io.out << name << "\n";
      return;
    case OutputFormat::kJson:
    case OutputFormat::kYaml:
      PrintObjects(io.out, format, {MemberOf(object)}, true);
      return;
    default:
      io.out << name << " created" << DryRunSuffix(options.dry_run) << "\n";
  }
}

void CreateObject(v1::Object object, const CreateObjectOptions& options,
                  const GlobalOptions& global, Io& io) {
  // As kubectl's, the object names a namespace only when -n is given.
  MutableMetadataOf(object)->set_namespace_(global.namespace_);
  if (options.dry_run == "client") return PrintCreated(object, options, io);
  auto connection = Connection::Open(global, io);
  if (!connection) return;
  v1::ApplyObjectRequest request;
  *request.mutable_object() = object;
  MutableMetadataOf(*request.mutable_object())->set_namespace_(global.Namespace());
  request.set_create_only(true);
  request.set_dry_run(options.dry_run == "server");
  v1::ApplyObjectResponse response;
  CallOptions call;
  call.context = "failed to create " + Lower(KindName(object.kind_case()));
  call.wrapped_in_context = true;
  if (!connection->Write(&v1::OperatorService::Stub::ApplyObject, request, &response, call)) return;
  const bool stored = response.object().kind_case() == object.kind_case();
  PrintCreated(stored ? response.object() : request.object(), options, io);
}

}  // namespace

CLI::App* AddCreateObjectCommand(CLI::App& parent, const CreateCommandText& text, BuildObject build,
                                 Io& io, const GlobalOptions& global) {
  auto options = std::make_shared<CreateObjectOptions>();
  CLI::App* command = parent.add_subcommand(text.name, text.description);
  command->add_option("name", options->names, "NAME of the object")->required();
  AddDryRunFlag(command, &options->dry_run,
                "none: create it; server: the coordinator validates it and reports the result "
                "without storing anything; client: print it without contacting a coordinator");
  command->add_option("-o,--output", options->output,
                      "Print the object as json or yaml, or its name (name), instead of "
                      "TYPE/NAME created");
  if (text.examples != nullptr) command->footer(std::string("Examples:\n") + text.examples);
  command->callback([options, build = std::move(build), &global, &io] {
    if (!CheckOptions(*options, io)) return;
    v1::Object object;
    if (auto problem = build(options->names.front(), &object)) return Fail(io, *problem);
    CreateObject(std::move(object), *options, global, io);
  });
  return command;
}

}  // namespace fleetset::ctl
