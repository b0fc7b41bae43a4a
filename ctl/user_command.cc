// `fleetsetctl create user NAME --role ROLE`: a new operator. The key is
// made here and never reaches the coordinator, which signs a certificate
// request for it; the user's whole config (server, CA, certificate, key) is
// printed on stdout for the admin to hand over. `get users` and `delete
// user` go through get and delete.
#include <ostream>

#include "commands.h"
#include "connection.h"
#include "fleetset/duration.h"
#include "fleetset/pki/certificate_request.h"
#include "fleetset/pki/client_config.h"
#include "fleetset/pki/keys.h"

namespace fleetset::ctl {
namespace {

struct CreateUserOptions {
  std::string name;
  std::string role;
  std::string ttl;
};

void RunCreateUser(const CreateUserOptions& options, const GlobalOptions& global, Io& io) {
  std::optional<std::chrono::milliseconds> ttl = std::chrono::milliseconds(0);
  if (!options.ttl.empty()) ttl = ParseDuration(options.ttl, kLongestTtl);
  if (!ttl || (!options.ttl.empty() && *ttl < std::chrono::minutes(1))) {
    return Fail(io, "--ttl: \"" + options.ttl + "\": must be a duration from 1m to 87600h");
  }
  auto connection = Connection::Open(global, io);
  if (!connection) return;
  const pki::PrivateKey key = pki::PrivateKey::GenerateEcP256();
  v1::CreateUserRequest request;
  request.set_name(options.name);
  request.set_role(options.role);
  request.set_ttl_seconds(std::chrono::duration_cast<std::chrono::seconds>(*ttl).count());
  request.set_certificate_request(
      pki::CreateCertificateRequest(key, {options.name, {options.role}}));
  v1::CreateUserResponse response;
  if (!connection->Write(&v1::OperatorService::Stub::CreateUser, request, &response)) return;
  io.out << pki::RenderClientConfig(
      {connection->servers(), response.ca_certificate(), response.certificate(), key.ToPem()});
  io.err << "user/" << options.name << " created (role " << options.role
         << "); the config above holds its private key: hand it over privately\n";
}

}  // namespace

void AddCreateUserCommand(CLI::App& create, Io& io, const GlobalOptions& global) {
  auto options = std::make_shared<CreateUserOptions>();
  CLI::App* user = create.add_subcommand(
      "user",
      "Create an operator with a role and print a fleetsetctl config for them (admin only)");
  user->add_option("name", options->name, "NAME of the user (as in the certificate's CN)")
      ->required();
  user->add_option("--role", options->role,
                   "admin (everything, including tokens, users, Namespaces and PriorityClasses), "
                   "edit (DaemonSets, ConfigMaps, Secrets, nodes, rollouts, pods) or view (read "
                   "only, not Secrets)")
      ->required()
      ->check(CLI::IsMember({"admin", "edit", "view"}));
  user->add_option("--ttl", options->ttl,
                   "How long the certificate is valid, e.g. 720h (default: one year)");
  user->footer(
      "Example:\n"
      "  fleetsetctl create user alice --role view > alice.yaml\n"
      "  # alice: export FLEETSET_CONFIG=$PWD/alice.yaml\n");
  user->callback([options, &global, &io] { RunCreateUser(*options, global, io); });
}

}  // namespace fleetset::ctl
