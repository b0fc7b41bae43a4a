// Who may do what, with the real programs: a coordinator process serving
// mutual TLS only, fleetsetctl with the configs it hands out, and agents
// joining with bootstrap tokens. Each refusal is checked on the service it
// concerns, with the one-line reason a person would read.
#include <gmock/gmock.h>
#include <google/protobuf/util/json_util.h>
#include <grpcpp/create_channel.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "agent/node_credentials.h"
#include "fleetset/identity.h"
#include "fleetset/pki/certificate.h"
#include "fleetset/pki/certificate_request.h"
#include "fleetset/pki/keys.h"
#include "fleetset/pki/secret_files.h"
#include "fleetset/tls_channel.h"
#include "fleetset/v1/agent_service.grpc.pb.h"
#include "fleetset/v1/audit.pb.h"
#include "fleetset/version.h"
#include "support/coordinator_client.h"
#include "support/coordinator_process.h"
#include "support/fleet_e2e.h"
#include "support/run_command.h"

namespace fleetset::testing {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

constexpr char kDaemonSet[] = R"(apiVersion: apps/v1
kind: DaemonSet
metadata: {name: probe}
spec:
  selector: {matchLabels: {app: probe}}
  template:
    metadata: {labels: {app: probe}}
    spec: {containers: [{name: probe, image: docker.io/fleetset/busybox:test}]}
)";

std::string Mode(const std::string& path) {
  struct stat info {};
  if (stat(path.c_str(), &info) != 0) return "missing";
  char text[8];
  snprintf(text, sizeof text, "%o", info.st_mode & 07777);
  return text;
}

grpc::Status ListNodes(const std::shared_ptr<grpc::Channel>& channel) {
  v1::ListNodesResponse response;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + 10s);
  return v1::OperatorService::NewStub(channel)->ListNodes(&context, v1::ListNodesRequest(),
                                                          &response);
}

// Opens an agent stream saying Hello as `node_name`; the status it ends
// with, or OK when the coordinator answered with the node's desired state.
grpc::Status ConnectAs(const std::shared_ptr<grpc::Channel>& channel,
                       const std::string& node_name) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + 10s);
  auto stream = v1::AgentService::NewStub(channel)->Connect(&context);
  v1::AgentMessage hello;
  hello.mutable_hello()->set_node_name(node_name);
  hello.mutable_hello()->set_protocol_version(kProtocolVersion);
  stream->Write(hello);
  v1::CoordinatorMessage answer;
  if (stream->Read(&answer)) {
    context.TryCancel();
    return grpc::Status::OK;
  }
  return stream->Finish();
}

// Asks to join as `node_name` with `token`, over TLS that trusts `ca_pem`.
grpc::Status Join(const std::string& address, const std::string& ca_pem, const std::string& token,
                  const std::string& node_name) {
  const pki::PrivateKey key = pki::PrivateKey::GenerateEcP256();
  v1::JoinRequest request;
  request.set_token(token);
  request.set_node_name(node_name);
  request.set_certificate_request(
      pki::CreateCertificateRequest(key, {NodeCommonName(node_name), {kNodeGroup}}));
  v1::CertificateResponse response;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + 10s);
  return v1::AgentService::NewStub(
             grpc::CreateChannel(address, CoordinatorCredentials(ca_pem, "", "")))
      ->Join(&context, request, &response);
}

class SecurityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "security-XXXXXX";
    ASSERT_NE(mkdtemp(dir_.data()), nullptr);
    coordinator_ = CoordinatorProcess::Start(dir_);
    ASSERT_NE(coordinator_, nullptr);
    pki_dir_ = coordinator_->data_dir() + "/pki";
    ca_pem_ = pki::ReadWholeFile(pki_dir_ + "/ca.crt");
    admin_ = ChannelFromClientConfig(coordinator_->admin_config());
    operators_ = v1::OperatorService::NewStub(admin_);
  }
  void TearDown() override {
    coordinator_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::shared_ptr<grpc::Channel> As(const pki::Subject& subject,
                                    std::chrono::system_clock::time_point issued,
                                    std::chrono::seconds validity) {
    return ChannelAs(IssueFromCa(pki_dir_, subject, issued, validity), coordinator_->address());
  }

  // fleetsetctl with the config at `config`.
  CommandResult CtlWith(const std::string& config, std::vector<std::string> args) {
    args.insert(args.begin(), {BuiltProgram("ctl/fleetsetctl"), "--config", config, "-s",
                               coordinator_->address()});
    return RunCommand(args);
  }
  CommandResult Admin(std::vector<std::string> args) {
    return CtlWith(coordinator_->admin_config(), std::move(args));
  }
  // `fleetsetctl create user NAME --role ROLE`, its config saved for use.
  std::string CreateUser(const std::string& name, const std::string& role) {
    const CommandResult created = Admin({"create", "user", name, "--role", role});
    EXPECT_EQ(created.exit_code, 0) << created.err;
    const std::string path = dir_ + "/" + name + ".yaml";
    pki::WriteFileAtomically(path, created.out, 0600);
    return path;
  }

  std::vector<v1::AuditEvent> AuditEvents() {
    std::vector<v1::AuditEvent> events;
    std::ifstream in(coordinator_->data_dir() + "/audit.log");
    for (std::string line; std::getline(in, line);) {
      v1::AuditEvent event;
      EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(line, &event).ok()) << line;
      events.push_back(event);
    }
    return events;
  }

  std::string dir_;
  std::string pki_dir_;
  std::string ca_pem_;
  std::unique_ptr<CoordinatorProcess> coordinator_;
  std::shared_ptr<grpc::Channel> admin_;
  std::unique_ptr<v1::OperatorService::Stub> operators_;
};

TEST_F(SecurityTest, CallsWithoutAValidCertificateAreRefusedOnBothServices) {
  const auto now = std::chrono::system_clock::now();
  // No client certificate at all.
  const auto anonymous =
      grpc::CreateChannel(coordinator_->address(), CoordinatorCredentials(ca_pem_, "", ""));
  grpc::Status status = ListNodes(anonymous);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << status.error_message();
  EXPECT_EQ(status.error_message(), "no client certificate: cannot list nodes");
  status = ConnectAs(anonymous, "node-1");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << status.error_message();

  // A certificate from another CA, naming an admin and a node.
  const TestTls stranger = MakeTestTls({"admin", {"admin"}});
  const auto foreign = ChannelAs(
      {ca_pem_, stranger.client.certificate_pem, stranger.client.key_pem}, coordinator_->address());
  status = ListNodes(foreign);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << status.error_message();
  EXPECT_THAT(status.error_message(), HasSubstr("client certificate"));
  EXPECT_EQ(ConnectAs(foreign, "node-1").error_code(), grpc::StatusCode::UNAUTHENTICATED);

  // Certificates of this CA that expired yesterday.
  status = ListNodes(As({"admin", {"admin"}}, now - 48h, 24h));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << status.error_message();
  EXPECT_THAT(status.error_message(), HasSubstr("expired"));
  status = ConnectAs(As({NodeCommonName("node-1"), {kNodeGroup}}, now - 48h, 24h), "node-1");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << status.error_message();
  EXPECT_THAT(status.error_message(), HasSubstr("expired"));

  // Plaintext gets no gRPC answer at all; nor does a client that trusts
  // another CA get past the handshake.
  EXPECT_EQ(
      ListNodes(grpc::CreateChannel(coordinator_->address(), grpc::InsecureChannelCredentials()))
          .error_code(),
      grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(ListNodes(ChannelAs(stranger.client, coordinator_->address())).error_code(),
            grpc::StatusCode::UNAVAILABLE);

  // fleetsetctl without a config says where it looked, in one line.
  const CommandResult bare =
      RunCommand({"/usr/bin/env", "-u", "FLEETSET_CONFIG", "HOME=" + dir_,
                  BuiltProgram("ctl/fleetsetctl"), "-s", coordinator_->address(), "get", "nodes"});
  EXPECT_EQ(bare.exit_code, 1);
  EXPECT_THAT(bare.err, HasSubstr("error: no credentials: no fleetsetctl config at " + dir_ +
                                  "/.config/fleetset/config.yaml or "));
  EXPECT_EQ(std::count(bare.err.begin(), bare.err.end(), '\n'), 1) << bare.err;

  // The refusals are in the audit log, with where they came from.
  int refused = 0;
  for (const v1::AuditEvent& event : AuditEvents()) {
    if (event.result() != "Unauthorized") continue;
    ++refused;
    EXPECT_THAT(event.source_address(), HasSubstr("127.0.0.1")) << event.DebugString();
  }
  EXPECT_GE(refused, 5);
}

TEST_F(SecurityTest, NodesJoinOnlyWithALiveTokenAndThePinnedCa) {
  const JoinToken good = CreateJoinToken(*operators_);
  const std::string address = coordinator_->address();
  EXPECT_EQ(
      Join(address, ca_pem_, good.token.substr(0, 7) + "0000000000000000", "node-1").error_code(),
      grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Join(address, ca_pem_, "not-a-token", "node-1").error_code(),
            grpc::StatusCode::UNAUTHENTICATED);

  // Tokens are listed by ID, never with their secret.
  const CommandResult listed = Admin({"token", "list"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  const std::vector<TableRow> tokens = ParseTable(listed.out);
  ASSERT_EQ(tokens.size(), 1u) << listed.out;
  EXPECT_EQ(tokens[0].at("ID"), good.token.substr(0, 6));
  EXPECT_EQ(tokens[0].at("DESCRIPTION"), "test");
  EXPECT_EQ(tokens[0].at("CREATED-BY"), "admin");
  EXPECT_THAT(listed.out, ::testing::Not(HasSubstr(good.token.substr(7))));

  // A deleted token.
  const JoinToken deleted = CreateJoinToken(*operators_);
  const CommandResult removed = Admin({"token", "delete", deleted.token.substr(0, 6)});
  ASSERT_EQ(removed.exit_code, 0) << removed.err;
  EXPECT_EQ(removed.out, "bootstrap token \"" + deleted.token.substr(0, 6) + "\" deleted\n");
  grpc::Status status = Join(address, ca_pem_, deleted.token, "node-1");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << status.error_message();

  // An expired one: a token of one second, used once it has run out.
  const CommandResult short_lived = Admin({"token", "create", "--ttl", "1s"});
  ASSERT_EQ(short_lived.exit_code, 0) << short_lived.err;
  const std::string expired_token = short_lived.out.substr(0, short_lived.out.find('\n'));
  std::this_thread::sleep_for(2100ms);
  status = Join(address, ca_pem_, expired_token, "node-1");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << status.error_message();
  EXPECT_THAT(status.error_message(), HasSubstr("expired"));

  // The agent's side: a coordinator whose CA is not the pinned one is
  // refused before anything is sent.
  agent::NodeCredentialOptions options;
  options.pki_dir = dir_ + "/node-1/pki";
  options.node_name = "node-1";
  options.token = good.token;
  options.ca_cert_hash = "sha256:" + std::string(64, '0');
  agent::NodeCredentials pinned_elsewhere(options);
  try {
    pinned_elsewhere.Join(address);
    ADD_FAILURE() << "joined a coordinator with another CA";
  } catch (const agent::CredentialError& error) {
    EXPECT_THAT(error.what(), HasSubstr("does not match --discovery-token-ca-cert-hash"));
  }
  EXPECT_FALSE(std::filesystem::exists(options.pki_dir + "/node.pem"));

  // With the right pin it joins, and its key stays private.
  options.ca_cert_hash = good.ca_cert_hash;
  agent::NodeCredentials credentials(options);
  credentials.Join(address);
  EXPECT_EQ(Mode(options.pki_dir + "/node.pem"), "600");
  const pki::CertificateInfo info =
      pki::Certificate::FromPem(pki::ReadWholeFile(options.pki_dir + "/node.pem")).Info();
  EXPECT_EQ(info.subject.common_name, "system:node:node-1");
  EXPECT_EQ(info.subject.organizations, std::vector<std::string>{"system:nodes"});
  EXPECT_EQ(ConnectAs(grpc::CreateChannel(address, credentials.ChannelCredentials()), "node-1")
                .error_code(),
            grpc::StatusCode::OK);
}

TEST_F(SecurityTest, ANodeRenewsItsCertificateAndADeletedNodesCertificateIsRefused) {
  const JoinToken join = CreateJoinToken(*operators_);
  agent::NodeCredentialOptions options;
  options.pki_dir = dir_ + "/edge-1/pki";
  options.node_name = "edge-1";
  options.token = join.token;
  options.ca_cert_hash = join.ca_cert_hash;
  agent::NodeCredentials credentials(options);
  credentials.Join(coordinator_->address());
  const std::string first = pki::ReadWholeFile(options.pki_dir + "/node.pem");
  const auto first_channel =
      grpc::CreateChannel(coordinator_->address(), credentials.ChannelCredentials());
  ASSERT_TRUE(ConnectAs(first_channel, "edge-1").ok());

  // Renewal over mutual TLS: a new key and certificate, both usable.
  credentials.Renew(coordinator_->address());
  const std::string second = pki::ReadWholeFile(options.pki_dir + "/node.pem");
  EXPECT_NE(second, first);
  EXPECT_EQ(Mode(options.pki_dir + "/node.pem"), "600");
  const auto renewed =
      grpc::CreateChannel(coordinator_->address(), credentials.ChannelCredentials());
  EXPECT_TRUE(ConnectAs(renewed, "edge-1").ok());
  // A node certificate calls nothing on the operator service.
  const grpc::Status operator_call = ListNodes(renewed);
  EXPECT_EQ(operator_call.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(operator_call.error_message(), HasSubstr("node certificates may only use the agent"));

  // `delete node` revokes every certificate of the node at once.
  const CommandResult deleted = Admin({"delete", "node", "edge-1"});
  ASSERT_EQ(deleted.exit_code, 0) << deleted.err;
  const grpc::Status refused = ConnectAs(
      grpc::CreateChannel(coordinator_->address(), credentials.ChannelCredentials()), "edge-1");
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(refused.error_message(), HasSubstr("was revoked"));
  EXPECT_THROW(credentials.Renew(coordinator_->address()), agent::CredentialError);
}

TEST_F(SecurityTest, RolesLimitUsersAndADeletedUserIsRefusedAtOnce) {
  const std::string manifest = dir_ + "/probe.yaml";
  std::ofstream(manifest) << kDaemonSet;
  const std::string alice = CreateUser("alice", "view");
  const std::string bob = CreateUser("bob", "edit");

  // view reads, and may not apply.
  EXPECT_EQ(CtlWith(alice, {"get", "ds"}).exit_code, 0);
  CommandResult result = CtlWith(alice, {"apply", "-f", manifest});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.err, "Error from server (Forbidden): error when applying \"" + manifest +
                            "\": user \"alice\" (role view) cannot apply daemonsets in "
                            "namespace \"default\"\n");
  // edit applies, and may neither make users nor tokens.
  result = CtlWith(bob, {"apply", "-f", manifest});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  result = CtlWith(bob, {"create", "user", "carol", "--role", "admin"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.out, "");
  EXPECT_EQ(result.err,
            "Error from server (Forbidden): user \"bob\" (role edit) cannot create users\n");
  result = CtlWith(bob, {"token", "create"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(
      result.err,
      "Error from server (Forbidden): user \"bob\" (role edit) cannot create bootstraptokens\n");

  const CommandResult users = Admin({"get", "users"});
  ASSERT_EQ(users.exit_code, 0) << users.err;
  const std::vector<TableRow> rows = ParseTable(users.out);
  std::map<std::string, std::string> roles;
  for (const TableRow& row : rows) roles[row.at("NAME")] = row.at("ROLE");
  EXPECT_EQ(roles, (std::map<std::string, std::string>{
                       {"admin", "admin"}, {"alice", "view"}, {"bob", "edit"}}));

  // Deleting a user revokes their certificate for the very next call.
  result = Admin({"delete", "user", "alice"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "user \"alice\" deleted\n");
  result = CtlWith(alice, {"get", "ds"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("Error from server (Unauthorized): client certificate "));
  EXPECT_THAT(result.err, HasSubstr("of user \"alice\" was revoked"));

  // Private files are private.
  for (const std::string& file :
       {pki_dir_ + "/ca.key", pki_dir_ + "/server.key", coordinator_->admin_config(),
        coordinator_->data_dir() + "/audit.log"}) {
    EXPECT_EQ(Mode(file), "600") << file;
  }

  // The audit log has who did what, and what was refused.
  bool alice_refused = false;
  bool bob_applied = false;
  bool admin_created_alice = false;
  for (const v1::AuditEvent& event : AuditEvents()) {
    if (event.user() == "alice" && event.verb() == "apply" && event.result() == "Forbidden") {
      alice_refused = event.role() == "view" && event.object() == "daemonsets/default/probe";
    }
    if (event.user() == "bob" && event.verb() == "apply" && event.result() == "allowed") {
      bob_applied = !event.certificate_serial().empty() && event.has_time();
    }
    if (event.user() == "admin" && event.verb() == "create" && event.object() == "users/alice") {
      admin_created_alice = event.result() == "allowed";
    }
  }
  EXPECT_TRUE(alice_refused);
  EXPECT_TRUE(bob_applied);
  EXPECT_TRUE(admin_created_alice);
}

// The attack the fleet was open to: with the certificate of one node, ask
// to be another. The other node keeps its stream, its pods and its record.
TEST_F(FleetE2ETest, ANodeCannotPassItselfOffAsAnother) {
  ASSERT_EQ(Ctl("apply", "-f", WriteFile("probe.yaml", kDaemonSet)).exit_code, 0);
  ASSERT_TRUE(WaitForDaemonSetCounts("probe", "default", 2));
  auto pod_on = [&](const std::string& node) {
    const CommandResult pods =
        Ctl("get", "pods", "--field-selector", "spec.nodeName=" + node, "-o", "name");
    return pods.out;
  };
  const std::string worker2_pod = pod_on(kWorker2Node);
  ASSERT_THAT(worker2_pod, HasSubstr("pod/probe-"));

  // worker-1's own certificate and key, as its agent keeps them.
  const std::string pki_dir = Agent(kWorker1Node).root_dir() + "/pki";
  const std::string node_pem = pki::ReadWholeFile(pki_dir + "/node.pem");
  const size_t key_at = node_pem.find("-----BEGIN PRIVATE KEY-----");
  ASSERT_NE(key_at, std::string::npos);
  const auto worker1 = ChannelAs({pki::ReadWholeFile(pki_dir + "/ca.crt"),
                                  node_pem.substr(0, key_at), node_pem.substr(key_at)},
                                 Coordinator().address());
  const grpc::Status impostor = ConnectAs(worker1, kWorker2Node);
  EXPECT_EQ(impostor.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(impostor.error_message(),
            "node \"worker-1\" cannot connect as node \"worker-2\": a node may only speak for "
            "itself");
  EXPECT_THAT(Coordinator().Output(),
              HasSubstr("node worker-1 (from its certificate) asked to be node worker-2: refused"));

  // worker-2 is untouched: still connected, Ready, with the same pod, for
  // several of its heartbeats.
  std::this_thread::sleep_for(3s);
  EXPECT_THAT(Coordinator().Output(),
              ::testing::Not(HasSubstr("agent of node worker-2 disconnected")));
  EXPECT_EQ(pod_on(kWorker2Node), worker2_pod);
  const CommandResult nodes = Ctl("get", "nodes");
  for (const TableRow& row : ParseTable(nodes.out)) {
    if (row.at("NAME") == kWorker2Node) {
      EXPECT_EQ(row.at("STATUS"), "Ready");
    }
  }
  ASSERT_TRUE(WaitForDaemonSetCounts("probe", "default", 2));
}

}  // namespace
}  // namespace fleetset::testing
