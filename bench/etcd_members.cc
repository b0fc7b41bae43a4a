#include "bench/etcd_members.h"

#include <cstdlib>
#include <fstream>

#include "coordinator/storage/etcd_client.h"
#include "fleetset/strings.h"
#include "support/http_get.h"
#include "support/run_command.h"

namespace fleetset::bench {
namespace {

std::string Script() { return testing::SourcePath("tests/env/etcd-env.sh"); }

}  // namespace

std::unique_ptr<EtcdMembers> EtcdMembers::Start(const std::string& dir, int members,
                                                std::string* error) {
  // etcd's defaults (100 ms heartbeats, 1 s elections), as a production
  // cluster would run, not the tests' faster ones.
  ::setenv("ETCD_ENV_HEARTBEAT_MS", "100", 1);
  ::setenv("ETCD_ENV_ELECTION_MS", "1000", 1);
  const testing::CommandResult started =
      testing::RunCommand({Script(), "start", dir, std::to_string(members)});
  if (started.exit_code != 0) {
    *error = "etcd did not start: " + started.err;
    testing::RunCommand({Script(), "stop", dir});
    return nullptr;
  }
  std::vector<std::string> endpoints = SplitList(started.out.substr(0, started.out.find('\n')));
  return std::unique_ptr<EtcdMembers>(new EtcdMembers(dir, std::move(endpoints)));
}

EtcdMembers::EtcdMembers(std::string dir, std::vector<std::string> endpoints)
    : dir_(std::move(dir)), endpoints_(std::move(endpoints)) {
  coordinator::storage::EtcdClientOptions options;
  options.servers = endpoints_;
  client_ = std::make_unique<coordinator::storage::EtcdClient>(options);
}

EtcdMembers::~EtcdMembers() {
  client_.reset();
  testing::RunCommand({Script(), "stop", dir_});
}

std::vector<pid_t> EtcdMembers::pids() const {
  std::vector<pid_t> pids;
  for (size_t n = 1; n <= endpoints_.size(); ++n) {
    std::ifstream file(dir_ + "/member" + std::to_string(n) + "/pid");
    pid_t pid = 0;
    if (file >> pid) pids.push_back(pid);
  }
  return pids;
}

std::optional<int64_t> EtcdMembers::Revision() const {
  etcdserverpb::RangeRequest request;
  request.set_key("/");
  request.set_limit(1);
  request.set_count_only(true);
  try {
    return client_->Range(request).header().revision();
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::optional<EtcdMembers::KeysWritten> EtcdMembers::Keys() const {
  // "http://127.0.0.1:PORT"
  const std::string& endpoint = endpoints_.front();
  const int port = std::atoi(endpoint.c_str() + endpoint.rfind(':') + 1);
  // HTTP/1.0, so that etcd sends the page whole rather than in chunks.
  const std::string response =
      testing::HttpExchange(port, "GET /metrics HTTP/1.0\r\n\r\n", /*half_close=*/false);
  const size_t body = response.find("\r\n\r\n");
  if (body == std::string::npos) return std::nullopt;
  const std::string metrics = response.substr(body + 4);
  const std::optional<double> puts = testing::SampleValue(metrics, "etcd_mvcc_put_total");
  const std::optional<double> deletes = testing::SampleValue(metrics, "etcd_mvcc_delete_total");
  if (!puts || !deletes) return std::nullopt;
  return KeysWritten{*puts, *deletes};
}

}  // namespace fleetset::bench
