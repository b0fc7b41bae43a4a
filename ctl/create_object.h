// What `create configmap` and `create secret ...` share, as kubectl's
// `create` generators do: exactly one NAME, --dry-run and -o, and sending
// the object made from the flags with ApplyObject (create_only).
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "commands.h"
#include "fleetset/v1/object.pb.h"

namespace fleetset::ctl {

// A `create` subcommand's name, one-line description and examples (each
// line indented two spaces and ending with a newline; nullptr keeps the
// footer the subcommand takes from its parent).
struct CreateCommandText {
  const char* name;
  const char* description;
  const char* examples;
};

// Makes the object named `name` from the command's own flags; returns
// kubectl's message (without "error: ") when they are wrong.
using BuildObject =
    std::function<std::optional<std::string>(const std::string& name, v1::Object* object)>;

// Adds `create SUBCOMMAND NAME [--dry-run=none|client|server] [-o
// json|yaml|name]` under `parent` and returns it, for the flags `build`
// reads. When run, it checks that exactly one NAME is given and -o is one
// it can print, builds the object and sends it with ApplyObject and
// create_only in the namespace of -n (with --dry-run=client, sends
// nothing). It prints kubectl's `configmap/NAME created` (with the dry-run
// suffix) or the object as -o asks; a refusal reads as kubectl's
// `error: failed to create configmap: configmaps "x" already exists`.
CLI::App* AddCreateObjectCommand(CLI::App& parent, const CreateCommandText& text, BuildObject build,
                                 Io& io, const GlobalOptions& global);

// The same, for a command whose flags fill `options`: the object is
// build(*options, name, object).
template <typename Options>
CLI::App* AddCreateObjectCommand(
    CLI::App& parent, const CreateCommandText& text, std::shared_ptr<Options> options,
    std::optional<std::string> (*build)(const Options&, const std::string&, v1::Object*), Io& io,
    const GlobalOptions& global) {
  return AddCreateObjectCommand(
      parent, text,
      [options, build](const std::string& name, v1::Object* object) {
        return build(*options, name, object);
      },
      io, global);
}

}  // namespace fleetset::ctl
