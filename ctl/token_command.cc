// `fleetsetctl token create|list|delete`: bootstrap tokens for nodes to
// join with, as `kubeadm token` manages them. The secret is shown once, at
// creation; the coordinator keeps only its hash.
#include <google/protobuf/util/time_util.h>

#include <ostream>

#include "commands.h"
#include "connection.h"
#include "fleetset/display.h"
#include "fleetset/duration.h"
#include "fleetset/strings.h"

namespace fleetset::ctl {
namespace {

using google::protobuf::util::TimeUtil;

struct TokenCreateOptions {
  std::string ttl = "24h";
  std::string description;
  bool print_join_command = false;
};

void RunCreate(const TokenCreateOptions& options, const GlobalOptions& global, Io& io) {
  // kubeadm's --ttl: 0 is a token that never expires.
  const auto ttl = options.ttl == "0" ? std::optional<std::chrono::milliseconds>(0)
                                      : ParseDuration(options.ttl, kLongestTtl);
  if (!ttl) {
    return Fail(io, "--ttl: \"" + options.ttl +
                        "\": must be a duration such as 24h or 30m, up to 87600h, or 0 for a "
                        "token that never expires");
  }
  auto connection = Connection::Open(global, io);
  if (!connection) return;
  v1::CreateTokenRequest request;
  request.set_ttl_seconds(std::chrono::duration_cast<std::chrono::seconds>(*ttl).count());
  request.set_description(options.description);
  v1::CreateTokenResponse response;
  if (!connection->Write(&v1::OperatorService::Stub::CreateToken, request, &response)) return;
  if (!options.print_join_command) {
    io.out << response.token() << "\n";
    return;
  }
  io.out << "fleetset-agent --coordinator " << Join(connection->servers(), ",") << " --token "
         << response.token() << " --discovery-token-ca-cert-hash " << response.ca_cert_hash()
         << "\n";
}

// The TTL column: what is left, as kubeadm shows it.
std::string TimeLeft(const v1::BootstrapToken& token) {
  if (!token.spec().has_expires()) return "<forever>";
  const auto left = std::chrono::seconds(TimeUtil::TimestampToTimeT(token.spec().expires())) -
                    std::chrono::duration_cast<std::chrono::seconds>(
                        std::chrono::system_clock::now().time_since_epoch());
  return left.count() <= 0 ? "<expired>" : FormatAge(left);
}

void RunList(const GlobalOptions& global, Io& io) {
  auto connection = Connection::Open(global, io);
  if (!connection) return;
  v1::ListTokensResponse response;
  if (!connection->Read(&v1::OperatorService::Stub::ListTokens, v1::ListTokensRequest(),
                        &response)) {
    return;
  }
  if (response.items().empty()) {
    io.err << "No bootstrap tokens found\n";
    return;
  }
  std::vector<std::vector<std::string>> rows{{"ID", "TTL", "EXPIRES", "DESCRIPTION", "CREATED-BY"}};
  for (const v1::BootstrapToken& token : response.items()) {
    rows.push_back(
        {token.metadata().name(), TimeLeft(token),
         token.spec().has_expires() ? TimeUtil::ToString(token.spec().expires()) : "<never>",
         token.spec().description().empty() ? "<none>" : token.spec().description(),
         token.spec().created_by()});
  }
  PrintTable(io.out, rows);
}

void RunDelete(const std::vector<std::string>& tokens, const GlobalOptions& global, Io& io) {
  auto connection = Connection::Open(global, io);
  if (!connection) return;
  for (const std::string& token : tokens) {
    // kubeadm takes the ID or the whole token; only the ID is sent.
    const std::string id = token.substr(0, token.find('.'));
    v1::DeleteTokenRequest request;
    request.set_id(id);
    v1::DeleteResponse response;
    if (connection->Write(&v1::OperatorService::Stub::DeleteToken, request, &response)) {
      io.out << "bootstrap token \"" << id << "\" deleted\n";
    } else if (connection->unreachable()) {
      return;
    }
  }
}

}  // namespace

void AddTokenCommand(CLI::App& app, Io& io, const GlobalOptions& global) {
  CLI::App* token = app.add_subcommand(
      "token", "Manage bootstrap tokens, with which nodes join the fleet (admin only)");
  token->require_subcommand(1);

  auto create_options = std::make_shared<TokenCreateOptions>();
  CLI::App* create = token->add_subcommand(
      "create", "Create a bootstrap token and print it (its secret is shown only now)");
  create
      ->add_option("--ttl", create_options->ttl,
                   "How long the token is valid, e.g. 30m or 24h; 0: it never expires")
      ->default_str("24h");
  create->add_option("--description", create_options->description,
                     "A note shown by token list, e.g. what the token is for");
  create->add_flag("--print-join-command", create_options->print_join_command,
                   "Print the whole fleetset-agent command that joins a node with the token");
  create->callback([create_options, &global, &io] { RunCreate(*create_options, global, io); });

  CLI::App* list = token->add_subcommand("list", "List the bootstrap tokens (IDs, not secrets)");
  list->callback([&global, &io] { RunList(global, io); });

  auto ids = std::make_shared<std::vector<std::string>>();
  CLI::App* remove = token->add_subcommand(
      "delete", "Delete bootstrap tokens: no node can join with them any more");
  remove->add_option("token", *ids, "TOKEN-ID... (or the whole token)")->required();
  remove->callback([ids, &global, &io] { RunDelete(*ids, global, io); });
}

}  // namespace fleetset::ctl
