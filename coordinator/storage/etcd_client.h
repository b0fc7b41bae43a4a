// A client of an etcd v3 cluster over its gRPC API, knowing nothing of
// what the coordinator keeps in it: ranges, raw transactions (compares on
// create_revision, mod_revision, value or lease; puts attached to a lease),
// compaction, leases and member status, for the etcd store and for leader
// election.
//
// Endpoints are the kube-apiserver's --etcd-servers: every member's client
// URL, http:// or https:// (with --etcd-cafile, --etcd-certfile and
// --etcd-keyfile). Each has a channel of its own, so each is verified
// against its own host name. A request goes to the endpoint that last
// answered and moves on to the next when that one cannot be reached or has
// no leader; every attempt together ends within the request timeout. A
// write is moved on only when it cannot have been applied (the connection
// was never up, or the member refused it for want of a leader), never
// after it may have reached the leader.
//
// Every request carries etcd's "hasleader" requirement: a member cut off
// from the quorum refuses at once instead of waiting for its own timeout,
// and ends the watch streams it serves.
#pragma once

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "coordinator/storage/storage.h"
#include "etcd/etcdserverpb/rpc.grpc.pb.h"

namespace fleetset::coordinator::storage {

struct EtcdClientOptions {
  // Client URLs of the members: http://host:port or https://host:port.
  std::vector<std::string> servers;
  // PEM files for https: the CA that signed the members' certificates
  // (empty: the system's), and the client's certificate and key when the
  // members ask for one.
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  // The deadline of one request, every endpoint it is tried on included.
  std::chrono::milliseconds request_timeout{5000};
};

// A request etcd did not answer, or refused. The message is one line:
// "etcd unavailable: ..." when no member could serve it.
class EtcdError : public StorageError {
 public:
  EtcdError(grpc::StatusCode code, const std::string& message)
      : StorageError(message), code_(code) {}
  grpc::StatusCode code() const { return code_; }
  // No member could serve the request (DescribeEtcdFailure's "etcd
  // unavailable"), as opposed to one etcd refused for its own reasons.
  bool unavailable() const { return Unavailable(code_); }
  static bool Unavailable(grpc::StatusCode code);

 private:
  grpc::StatusCode code_;
};

// The one-line description of a failed call, as EtcdError and failed
// transactions carry it.
std::string DescribeEtcdFailure(const grpc::Status& status);

class EtcdClient {
 public:
  // Throws StorageError when a URL is malformed or a PEM file unreadable;
  // connects lazily.
  explicit EtcdClient(EtcdClientOptions options);
  EtcdClient(const EtcdClient&) = delete;
  EtcdClient& operator=(const EtcdClient&) = delete;
  ~EtcdClient();

  // Blocking calls; each throws EtcdError when it fails.
  etcdserverpb::RangeResponse Range(const etcdserverpb::RangeRequest& request);
  etcdserverpb::TxnResponse Txn(const etcdserverpb::TxnRequest& request);
  etcdserverpb::CompactionResponse Compact(int64_t revision, bool physical);
  etcdserverpb::LeaseGrantResponse LeaseGrant(int64_t ttl_seconds);
  void LeaseRevoke(int64_t lease);
  // Renews `lease` once; returns its new TTL in seconds (<= 0: it is gone).
  int64_t LeaseKeepAliveOnce(int64_t lease);
  etcdserverpb::LeaseTimeToLiveResponse LeaseTimeToLive(int64_t lease, bool keys);
  // One member's own status (no failover: the caller chose it).
  etcdserverpb::StatusResponse Status(size_t endpoint);

  // The same transaction without waiting: `done` runs once, on the
  // client's completion thread, with the call's status and (when it is OK)
  // the response; it must not block. Many may be in flight at once; etcd
  // orders them as they reach its leader. The client must outlive them
  // (each ends within the request timeout).
  using TxnDone =
      std::function<void(const grpc::Status& status, const etcdserverpb::TxnResponse& response)>;
  void TxnAsync(etcdserverpb::TxnRequest request, TxnDone done);

  // A watch stream on the endpoint the client prefers now. The caller
  // writes create requests, reads until the stream ends, then reports the
  // endpoint with StreamFailed so that the next stream goes elsewhere.
  struct WatchStream {
    size_t endpoint = 0;
    std::unique_ptr<grpc::ClientContext> context;
    std::unique_ptr<
        grpc::ClientReaderWriter<etcdserverpb::WatchRequest, etcdserverpb::WatchResponse>>
        stream;
  };
  WatchStream OpenWatch();
  void StreamFailed(size_t endpoint);

  const std::string& endpoint_url(size_t endpoint) const;
  // How many members it was given (the endpoints are 0 to this, excluded).
  size_t endpoint_count() const { return endpoints_.size(); }

 private:
  struct Endpoint;
  struct AsyncTxn;
  using Clock = std::chrono::system_clock;

  // Runs `attempt` on each endpoint in turn, from the preferred one, until
  // one answers or moving on is not safe; throws EtcdError on failure.
  void Call(bool mutating,
            const std::function<grpc::Status(Endpoint&, grpc::ClientContext&)>& attempt);
  void StartAttempt(std::unique_ptr<AsyncTxn> call);
  // The completion thread: finishes or retries each asynchronous attempt.
  void Complete();
  void Prepare(grpc::ClientContext& context, Clock::time_point deadline) const;
  // Makes the endpoint after `failed` the preferred one (unless another
  // thread already moved on).
  void MoveOn(size_t failed);

  const EtcdClientOptions options_;
  std::vector<std::unique_ptr<Endpoint>> endpoints_;
  std::atomic<size_t> preferred_ = 0;
  grpc::CompletionQueue completions_;
  std::thread completion_thread_;
};

}  // namespace fleetset::coordinator::storage
