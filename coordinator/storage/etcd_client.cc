#include "coordinator/storage/etcd_client.h"

#include <climits>
#include <utility>

#include "daemon/thread_name.h"
#include "fleetset/pki/pki_error.h"
#include "fleetset/pki/secret_files.h"
#include "fleetset/tls_channel.h"

namespace fleetset::coordinator::storage {
namespace {

// Quick reconnection: a member restarted after a crash is back within a
// second, and a request in the meantime goes to another member anyway.
constexpr int kReconnectBackoffMs = 100;
constexpr int kMaxReconnectBackoffMs = 1000;
// Pings an idle connection so that a member that vanished without closing
// it (a cut cable, a frozen host) is noticed; etcd accepts one every 5 s.
constexpr int kKeepaliveMs = 10000;
constexpr int kKeepaliveTimeoutMs = 5000;

std::string ReadPem(const std::string& path, const char* what) {
  if (path.empty()) return "";
  try {
    return pki::ReadWholeFile(path);
  } catch (const pki::PkiError& error) {
    throw StorageError(std::string("cannot read the etcd ") + what + " file: " + error.what());
  }
}

// The message without line breaks, so that a failure is one line.
std::string OneLine(std::string text) {
  for (char& c : text) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return text;
}

bool NoLeader(const grpc::Status& status) {
  return status.error_message().find("no leader") != std::string::npos;
}

// Whether a failed attempt may be made again on another member: a read
// always; a write only when it cannot have been applied.
bool TryNext(const grpc::Status& status, bool mutating, bool was_connected) {
  if (status.error_code() != grpc::StatusCode::UNAVAILABLE) return false;
  return !mutating || !was_connected || NoLeader(status);
}

}  // namespace

struct EtcdClient::Endpoint {
  std::string url;
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<etcdserverpb::KV::Stub> kv;
  std::unique_ptr<etcdserverpb::Watch::Stub> watch;
  std::unique_ptr<etcdserverpb::Lease::Stub> lease;
  std::unique_ptr<etcdserverpb::Maintenance::Stub> maintenance;

  bool Connected() const { return channel->GetState(false) == GRPC_CHANNEL_READY; }
};

// One asynchronous transaction, across the endpoints it is tried on.
struct EtcdClient::AsyncTxn {
  etcdserverpb::TxnRequest request;
  etcdserverpb::TxnResponse response;
  TxnDone done;
  Clock::time_point deadline;
  size_t first = 0;
  size_t tried = 0;
  size_t endpoint = 0;
  bool was_connected = false;
  std::unique_ptr<grpc::ClientContext> context;
  std::unique_ptr<grpc::ClientAsyncResponseReader<etcdserverpb::TxnResponse>> reader;
  grpc::Status status;
};

bool EtcdError::Unavailable(grpc::StatusCode code) {
  return code == grpc::StatusCode::UNAVAILABLE || code == grpc::StatusCode::DEADLINE_EXCEEDED ||
         code == grpc::StatusCode::CANCELLED;
}

std::string DescribeEtcdFailure(const grpc::Status& status) {
  const std::string message = OneLine(status.error_message());
  switch (status.error_code()) {
    case grpc::StatusCode::UNAVAILABLE:
      return "etcd unavailable: " + message;
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "etcd unavailable: no answer before the deadline (" + message + ")";
    case grpc::StatusCode::CANCELLED:
      return "etcd unavailable: the request was cancelled";
    default:
      return "etcd refused the request: " + message;
  }
}

EtcdClient::EtcdClient(EtcdClientOptions options) : options_(std::move(options)) {
  if (options_.servers.empty()) throw StorageError("no etcd servers given");
  const std::string ca = ReadPem(options_.ca_file, "CA");
  const std::string cert = ReadPem(options_.cert_file, "certificate");
  const std::string key = ReadPem(options_.key_file, "key");
  if (cert.empty() != key.empty()) {
    throw StorageError("an etcd client certificate needs its key, and a key its certificate");
  }
  for (const std::string& url : options_.servers) {
    std::shared_ptr<grpc::ChannelCredentials> credentials;
    std::string target;
    if (url.starts_with("https://")) {
      // TLS client credentials as agents and fleetsetctl build them.
      credentials = CoordinatorCredentials(ca, cert, key);
      target = url.substr(8);
    } else if (url.starts_with("http://")) {
      credentials = grpc::InsecureChannelCredentials();
      target = url.substr(7);
    } else {
      throw StorageError("etcd server " + url + " is not an http:// or https:// URL");
    }
    if (const size_t slash = target.find('/'); slash != std::string::npos) target.resize(slash);
    if (target.empty()) throw StorageError("etcd server " + url + " names no host");
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, kReconnectBackoffMs);
    args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, kReconnectBackoffMs);
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, kMaxReconnectBackoffMs);
    args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, kKeepaliveMs);
    args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, kKeepaliveTimeoutMs);
    // A list of every key of a kind may well exceed gRPC's default 4 MiB.
    args.SetMaxReceiveMessageSize(INT_MAX);
    // Each endpoint its own connection, even to one host.
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    auto endpoint = std::make_unique<Endpoint>();
    endpoint->url = url;
    endpoint->channel = grpc::CreateCustomChannel(target, credentials, args);
    endpoint->kv = etcdserverpb::KV::NewStub(endpoint->channel);
    endpoint->watch = etcdserverpb::Watch::NewStub(endpoint->channel);
    endpoint->lease = etcdserverpb::Lease::NewStub(endpoint->channel);
    endpoint->maintenance = etcdserverpb::Maintenance::NewStub(endpoint->channel);
    endpoints_.push_back(std::move(endpoint));
  }
  completion_thread_ = std::thread([this] { Complete(); });
}

EtcdClient::~EtcdClient() {
  completions_.Shutdown();
  completion_thread_.join();
}

const std::string& EtcdClient::endpoint_url(size_t endpoint) const {
  return endpoints_.at(endpoint)->url;
}

void EtcdClient::Prepare(grpc::ClientContext& context, Clock::time_point deadline) const {
  context.set_deadline(deadline);
  context.AddMetadata("hasleader", "true");
}

void EtcdClient::MoveOn(size_t failed) {
  size_t expected = failed;
  preferred_.compare_exchange_strong(expected, (failed + 1) % endpoints_.size());
}

void EtcdClient::Call(bool mutating,
                      const std::function<grpc::Status(Endpoint&, grpc::ClientContext&)>& attempt) {
  const Clock::time_point deadline = Clock::now() + options_.request_timeout;
  const size_t first = preferred_.load();
  grpc::Status status;
  for (size_t tried = 0; tried < endpoints_.size(); ++tried) {
    const size_t index = (first + tried) % endpoints_.size();
    Endpoint& endpoint = *endpoints_[index];
    const bool was_connected = endpoint.Connected();
    grpc::ClientContext context;
    Prepare(context, deadline);
    status = attempt(endpoint, context);
    if (status.ok()) return;
    if (!TryNext(status, mutating, was_connected)) break;
    MoveOn(index);
  }
  throw EtcdError(status.error_code(), DescribeEtcdFailure(status));
}

etcdserverpb::RangeResponse EtcdClient::Range(const etcdserverpb::RangeRequest& request) {
  etcdserverpb::RangeResponse response;
  Call(false, [&](Endpoint& endpoint, grpc::ClientContext& context) {
    return endpoint.kv->Range(&context, request, &response);
  });
  return response;
}

etcdserverpb::TxnResponse EtcdClient::Txn(const etcdserverpb::TxnRequest& request) {
  etcdserverpb::TxnResponse response;
  Call(true, [&](Endpoint& endpoint, grpc::ClientContext& context) {
    return endpoint.kv->Txn(&context, request, &response);
  });
  return response;
}

etcdserverpb::CompactionResponse EtcdClient::Compact(int64_t revision, bool physical) {
  etcdserverpb::CompactionRequest request;
  request.set_revision(revision);
  request.set_physical(physical);
  etcdserverpb::CompactionResponse response;
  Call(true, [&](Endpoint& endpoint, grpc::ClientContext& context) {
    return endpoint.kv->Compact(&context, request, &response);
  });
  return response;
}

etcdserverpb::LeaseGrantResponse EtcdClient::LeaseGrant(int64_t ttl_seconds) {
  etcdserverpb::LeaseGrantRequest request;
  request.set_ttl(ttl_seconds);
  etcdserverpb::LeaseGrantResponse response;
  Call(true, [&](Endpoint& endpoint, grpc::ClientContext& context) {
    return endpoint.lease->LeaseGrant(&context, request, &response);
  });
  if (!response.error().empty()) {
    throw EtcdError(grpc::StatusCode::UNKNOWN, "etcd refused the lease: " + response.error());
  }
  return response;
}

void EtcdClient::LeaseRevoke(int64_t lease) {
  etcdserverpb::LeaseRevokeRequest request;
  request.set_id(lease);
  etcdserverpb::LeaseRevokeResponse response;
  Call(true, [&](Endpoint& endpoint, grpc::ClientContext& context) {
    return endpoint.lease->LeaseRevoke(&context, request, &response);
  });
}

int64_t EtcdClient::LeaseKeepAliveOnce(int64_t lease) {
  etcdserverpb::LeaseKeepAliveRequest request;
  request.set_id(lease);
  etcdserverpb::LeaseKeepAliveResponse response;
  // Renewing twice is harmless: retried like a read.
  Call(false, [&](Endpoint& endpoint, grpc::ClientContext& context) {
    auto stream = endpoint.lease->LeaseKeepAlive(&context);
    if (stream->Write(request) && stream->WritesDone() && stream->Read(&response)) {
      context.TryCancel();
      stream->Finish().IgnoreError();
      return grpc::Status::OK;
    }
    grpc::Status status = stream->Finish();
    if (status.ok()) {
      return grpc::Status(grpc::StatusCode::UNAVAILABLE, "the keep-alive stream ended early");
    }
    return status;
  });
  return response.ttl();
}

etcdserverpb::LeaseTimeToLiveResponse EtcdClient::LeaseTimeToLive(int64_t lease, bool keys) {
  etcdserverpb::LeaseTimeToLiveRequest request;
  request.set_id(lease);
  request.set_keys(keys);
  etcdserverpb::LeaseTimeToLiveResponse response;
  Call(false, [&](Endpoint& endpoint, grpc::ClientContext& context) {
    return endpoint.lease->LeaseTimeToLive(&context, request, &response);
  });
  return response;
}

etcdserverpb::StatusResponse EtcdClient::Status(size_t endpoint) {
  grpc::ClientContext context;
  // No leader requirement: the status of a member cut off is the point.
  context.set_deadline(Clock::now() + options_.request_timeout);
  etcdserverpb::StatusResponse response;
  const grpc::Status status = endpoints_.at(endpoint)->maintenance->Status(
      &context, etcdserverpb::StatusRequest(), &response);
  if (!status.ok()) throw EtcdError(status.error_code(), DescribeEtcdFailure(status));
  return response;
}

void EtcdClient::TxnAsync(etcdserverpb::TxnRequest request, TxnDone done) {
  auto call = std::make_unique<AsyncTxn>();
  call->request = std::move(request);
  call->done = std::move(done);
  call->deadline = Clock::now() + options_.request_timeout;
  call->first = preferred_.load();
  StartAttempt(std::move(call));
}

void EtcdClient::StartAttempt(std::unique_ptr<AsyncTxn> call) {
  call->endpoint = (call->first + call->tried) % endpoints_.size();
  Endpoint& endpoint = *endpoints_[call->endpoint];
  call->was_connected = endpoint.Connected();
  call->context = std::make_unique<grpc::ClientContext>();
  Prepare(*call->context, call->deadline);
  call->response.Clear();
  call->reader = endpoint.kv->AsyncTxn(call->context.get(), call->request, &completions_);
  AsyncTxn& state = *call;
  // The completion queue owns the call until its tag comes back.
  state.reader->Finish(&state.response, &state.status, call.release());
}

void EtcdClient::Complete() {
  NameCurrentThread("etcd-complete");
  void* tag = nullptr;
  bool ok = false;
  while (completions_.Next(&tag, &ok)) {
    std::unique_ptr<AsyncTxn> call(static_cast<AsyncTxn*>(tag));
    const grpc::Status& status = call->status;
    if (!status.ok() && ++call->tried < endpoints_.size() &&
        TryNext(status, true, call->was_connected)) {
      MoveOn(call->endpoint);
      StartAttempt(std::move(call));
      continue;
    }
    call->done(status, call->response);
  }
}

EtcdClient::WatchStream EtcdClient::OpenWatch() {
  WatchStream watch;
  watch.endpoint = preferred_.load();
  watch.context = std::make_unique<grpc::ClientContext>();
  watch.context->AddMetadata("hasleader", "true");
  watch.stream = endpoints_[watch.endpoint]->watch->Watch(watch.context.get());
  return watch;
}

void EtcdClient::StreamFailed(size_t endpoint) { MoveOn(endpoint); }

}  // namespace fleetset::coordinator::storage
