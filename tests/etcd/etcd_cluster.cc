#include "etcd/etcd_cluster.h"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <memory>

#include "fleetset/strings.h"
#include "support/run_command.h"

namespace fleetset::testing {
namespace {

bool IsExecutable(const std::string& path) { return access(path.c_str(), X_OK) == 0; }

std::unique_ptr<EtcdCluster>& SharedSlot() {
  static std::unique_ptr<EtcdCluster> cluster;
  return cluster;
}

// Stops the shared cluster once every test has run.
class SharedClusterEnvironment : public ::testing::Environment {
 public:
  void TearDown() override { SharedSlot().reset(); }
};

[[maybe_unused]] const ::testing::Environment* const kEnvironment =
    ::testing::AddGlobalTestEnvironment(new SharedClusterEnvironment);

}  // namespace

std::string MissingEtcdPrerequisites() {
  std::string missing;
  auto need = [&](bool present, const char* hint) {
    if (present) return;
    if (!missing.empty()) missing += "; ";
    missing += hint;
  };
  need(IsExecutable("/usr/bin/etcd"), "/usr/bin/etcd (apt install etcd-server)");
  need(IsExecutable("/usr/bin/etcdctl"), "/usr/bin/etcdctl (apt install etcd-client)");
  need(IsExecutable("/usr/bin/ss") || IsExecutable("/bin/ss"), "ss (apt install iproute2)");
  need(IsExecutable("/usr/bin/openssl"), "openssl (apt install openssl)");
  return missing;
}

EtcdCluster::EtcdCluster(int members, bool tls, int max_txn_ops) : tls_(tls) {
  std::vector<std::string> arguments = {"start", dir_.path(), std::to_string(members)};
  if (tls) arguments.push_back("--tls");
  if (max_txn_ops > 0) arguments.push_back("--max-txn-ops=" + std::to_string(max_txn_ops));
  std::string out;
  Run(arguments, &out);
  if (!ok()) return;
  if (!out.empty() && out.back() == '\n') out.pop_back();
  endpoints_ = SplitList(out);
  if (endpoints_.size() != static_cast<size_t>(members)) error_ = "unexpected endpoints: " + out;
}

EtcdCluster::~EtcdCluster() { Run({"stop", dir_.path()}); }

void EtcdCluster::Run(const std::vector<std::string>& arguments, std::string* out) {
  std::vector<std::string> argv = {SourcePath("tests/env/etcd-env.sh")};
  argv.insert(argv.end(), arguments.begin(), arguments.end());
  const CommandResult result = RunCommand(argv);
  if (result.exit_code != 0) {
    error_ = "etcd-env.sh " + arguments.at(0) + " failed: " + result.err;
    return;
  }
  if (out != nullptr) *out = result.out;
}

coordinator::storage::EtcdOptions EtcdCluster::Options(const std::string& prefix) const {
  coordinator::storage::EtcdOptions options;
  options.servers = endpoints_;
  options.prefix = prefix;
  if (tls_) {
    options.ca_file = dir_.path() + "/tls/ca.pem";
    options.cert_file = dir_.path() + "/tls/client.pem";
    options.key_file = dir_.path() + "/tls/client-key.pem";
  }
  return options;
}

coordinator::storage::EtcdClientOptions EtcdCluster::ClientOptions() const {
  const coordinator::storage::EtcdOptions options = Options("");
  coordinator::storage::EtcdClientOptions client;
  client.servers = options.servers;
  client.ca_file = options.ca_file;
  client.cert_file = options.cert_file;
  client.key_file = options.key_file;
  return client;
}

void EtcdCluster::KillMember(int n) {
  Run({"kill-member", dir_.path(), std::to_string(n)});
  EXPECT_TRUE(ok()) << error_;
}

void EtcdCluster::StartMember(int n) {
  Run({"start-member", dir_.path(), std::to_string(n)});
  EXPECT_TRUE(ok()) << error_;
}

EtcdCluster& SharedEtcdCluster() {
  std::unique_ptr<EtcdCluster>& cluster = SharedSlot();
  if (!cluster) cluster = std::make_unique<EtcdCluster>();
  return *cluster;
}

std::string UniquePrefix(const std::string& name) {
  static std::atomic<int> next = 0;
  char number[8];
  std::snprintf(number, sizeof number, "%04d", ++next);
  return "/" + name + "-" + number;
}

}  // namespace fleetset::testing
