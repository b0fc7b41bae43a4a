#include "coordinator/server.h"

#include <grpcpp/server_builder.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include "coordinator/auth/admin_config.h"
#include "coordinator/cluster/cluster_identity.h"
#include "coordinator/controllers/node_states.h"
#include "coordinator/leader/etcd_leader_lease_store.h"
#include "coordinator/storage/memory_storage.h"
#include "coordinator/storage/sqlite_storage.h"
#include "coordinator/storage/watch_barrier.h"
#include "fleetset/agent_stream_transport.h"
#include "fleetset/pki/pki_error.h"
#include "fleetset/strings.h"

namespace fleetset::coordinator {

namespace {

// Certificates are checked against the time TLS peers use, whatever clock
// the controllers run on in a test; so is the leader's lease.
const RealClock kWallClock;

std::string HostName() {
  char name[256] = {};
  if (gethostname(name, sizeof(name) - 1) != 0 || name[0] == '\0') return "coordinator";
  return name;
}

// The key whose version the coordinators' compaction steps advance (with
// the store's prefix): under /coordinator/, which migrate does not copy.
constexpr char kCompactionKey[] = "/coordinator/compaction";

// How errors name the store: the data directory, or the etcd members.
std::string StoreName(const ServerOptions& options) {
  if (!options.shared.enabled()) return "data dir " + options.data_dir;
  return "etcd " + Join(options.shared.etcd.servers, ",");
}

std::string MemberName(const SharedStoreOptions& shared) {
  return shared.name.empty() ? HostName() : shared.name;
}

// The address admin.conf names: the listen address, with a wildcard host
// made loopback (admin.conf is read on the coordinator's machine).
std::string LocalAddress(const std::string& listen, int port) {
  std::string host = listen.substr(0, listen.rfind(':'));
  if (host.empty() || host == "0.0.0.0") host = "127.0.0.1";
  if (host == "[::]") host = "[::1]";
  return host + ":" + std::to_string(port);
}

}  // namespace

void CoordinatorServer::OpenSharedStore(const SharedStoreOptions& shared,
                                        const std::string& data_dir) {
  // The data directory keeps this coordinator's own files (its serving
  // certificate, the audit log) and the cluster's CA and keys the operator
  // copied there: one process at a time.
  storage::EnsureDirectory(data_dir);
  data_dir_lock_ = std::make_unique<storage::DirectoryLock>(data_dir);
  durable_ = metrics_->Instrument(storage::OpenEtcdStorage(shared.etcd));
  volatile_store_ = durable_.get();
  // A client of its own: renewals must not queue behind the store's writes.
  election_store_ = std::make_unique<EtcdLeaderLeaseStore>(
      std::make_unique<storage::EtcdClient>(storage::ClientOptions(shared.etcd)),
      shared.etcd.prefix);
  LeaderElectionOptions election;
  election.identity = MemberName(shared);
  election.lease_ttl = shared.leader_lease_duration;
  election.on_change = [this](bool leading, const LeaderRecord&) {
    metrics_->LeaderChanged(leading);
    // A new leader looks at everything at once rather than at the next
    // resync; loops are woken only once they exist.
    for (ControlLoop* loop : {daemon_set_loop_.get(), node_lifecycle_loop_.get()}) {
      if (loop != nullptr) loop->Wake();
    }
  };
  election_ = std::make_unique<LeaderElection>(*election_store_, kWallClock, election);
  leader_ = election_.get();
  // A follower campaigns as soon as a dead leader's lease takes the key
  // away, not up to a retry interval later.
  leader_key_watch_ = durable_->Watch(
      election.key, 0, [this, key = election.key](const std::vector<storage::WatchEvent>& events) {
        for (const storage::WatchEvent& event : events) {
          if (event.type == storage::WatchEvent::Type::kDelete && event.kv.key == key) {
            election_->KeyGone();
          }
        }
      });
  fenced_durable_ = std::make_unique<FencedStorage>(*durable_, election.key,
                                                    [this] { return election_->Fence(); });
  StartMaintenance(shared);
}

void CoordinatorServer::StartMaintenance(const SharedStoreOptions& shared) {
  if (shared.compaction_interval.count() == 0 && shared.db_metric_poll_interval.count() == 0) {
    return;
  }
  // Apart from the store's: a status call that waits on a member cut off
  // must not hold up writes.
  maintenance_etcd_ = std::make_unique<storage::EtcdClient>(storage::ClientOptions(shared.etcd));
  if (shared.compaction_interval.count() > 0) {
    compactor_ = std::make_unique<storage::EtcdCompactor>(*maintenance_etcd_,
                                                          shared.etcd.prefix + kCompactionKey);
    ControlLoopOptions loop;
    loop.resync_period = shared.compaction_interval;
    // Every coordinator takes its steps; the shared key picks who compacts.
    compaction_loop_ = std::make_unique<ControlLoop>(
        "etcd-compactor",
        [this] {
          if (const int64_t revision = compactor_->Step()) {
            spdlog::info("compacted etcd's history up to revision {}", revision);
          }
          return std::nullopt;
        },
        always_leader_, loop);
  }
  if (shared.db_metric_poll_interval.count() > 0) {
    db_sizes_ = std::make_unique<storage::EtcdDbSizes>(*maintenance_etcd_);
    metrics_->WatchEtcdDbSizes(*db_sizes_);
    ControlLoopOptions loop;
    loop.resync_period = shared.db_metric_poll_interval;
    db_size_loop_ = std::make_unique<ControlLoop>(
        "etcd-db-size",
        [this] {
          db_sizes_->Poll();
          return std::nullopt;
        },
        always_leader_, loop);
  }
}

void CoordinatorServer::OpenStores(const ServerOptions& options) {
  if (options.shared.enabled()) {
    OpenSharedStore(options.shared, options.data_dir);
  } else {
    // The store first: it holds the data directory's lock, so a second
    // coordinator on the same directory stops before it touches pki/.
    durable_ = metrics_->Instrument(storage::OpenSqliteStorage(options.data_dir));
    volatile_ = storage::OpenMemoryStorage();
    volatile_store_ = volatile_.get();
    metrics_->LeaderChanged(true);
  }
}

void CoordinatorServer::CheckIdentity(const ServerOptions& options,
                                      const EncryptionProviders& providers) {
  if (!options.shared.enabled()) return;
  CheckClusterIdentity(*durable_, IdentityOf(pki_->ca_pin(), providers), options.data_dir);
}

void CoordinatorServer::Assemble(const ServerOptions& options, const Clock& clock) {
  OpenStores(options);
  PkiOptions pki = options.pki;
  pki.data_dir = options.data_dir;
  pki.listen = options.listen;
  pki_ = ClusterPki::Open(pki, kWallClock);
  AuditLogOptions audit = options.audit;
  if (audit.path.empty()) audit.path = options.data_dir + "/audit.log";
  audit_ = std::make_unique<AuditLog>(audit);
  std::string encryption_config = options.encryption_provider_config;
  if (encryption_config.empty()) {
    encryption_config = options.data_dir + "/pki/encryption-config.yaml";
    if (EnsureEncryptionConfig(encryption_config)) {
      spdlog::info("made a key to encrypt secrets at rest in {}", encryption_config);
    }
  }
  const EncryptionProviders providers = LoadEncryptionConfig(encryption_config);
  CheckIdentity(options, providers);
  secrets_transformer_ = std::make_unique<AesGcmTransformer>(providers);
  registries_ =
      std::make_unique<Registries>(*durable_, *volatile_store_, clock, secrets_transformer_.get());
  if (const size_t rewritten = registries_->secrets.Rewrite([this](std::string_view stored) {
        return secrets_transformer_->WrittenByCurrent(stored);
      })) {
    spdlog::info("re-encrypted {} secrets with the first key of {}", rewritten, encryption_config);
  }
  events_ = std::make_unique<EventRecorder>(registries_->events, clock);
  events_->Load();
  Registries* controller_registries = registries_.get();
  EventRecorder* controller_events = events_.get();
  if (fenced_durable_) {
    controller_registries_ = std::make_unique<Registries>(*fenced_durable_, *fenced_durable_, clock,
                                                          secrets_transformer_.get());
    controller_events_ = std::make_unique<EventRecorder>(controller_registries_->events, clock);
    controller_events_->Load();
    controller_registries = controller_registries_.get();
    controller_events = controller_events_.get();
  }

  const ControllerOptions& controllers = options.controllers;
  CoordinatorMetrics* metrics = metrics_.get();
  ControlLoopOptions loop;
  loop.resync_period = controllers.resync_period;
  loop.batch_window = controllers.batch_window;
  loop.pass_observer = [metrics, observer = controllers.pass_observer](auto took) {
    metrics->PassDone(took);
    if (observer) observer(took);
  };

  informers_ = std::make_unique<SharedInformers>(*registries_);
  daemon_set_controller_ = std::make_unique<DaemonSetController>(
      *controller_registries, *informers_, *controller_events, clock);
  ControlLoopOptions daemon_set_loop = loop;
  daemon_set_loop.resync_period = controllers.controller_resync_period;
  daemon_set_loop.after_pass = options.after_pass;
  daemon_set_loop.while_following = [this] { daemon_set_controller_->KeepUp(); };
  daemon_set_loop_ = std::make_unique<ControlLoop>(
      "daemonset-controller", [this] { return daemon_set_controller_->SyncOnce(); }, *leader_,
      daemon_set_loop);
  node_lifecycle_controller_ = std::make_unique<NodeLifecycleController>(
      *controller_registries, *informers_, *controller_events, clock,
      controllers.node_grace_period);
  ControlLoopOptions node_lifecycle_loop = loop;
  node_lifecycle_loop.resync_period = controllers.controller_resync_period;
  node_lifecycle_loop_ = std::make_unique<ControlLoop>(
      "node-lifecycle-controller", [this] { return node_lifecycle_controller_->SyncOnce(); },
      *leader_, node_lifecycle_loop);
  AgentHubOptions hub;
  hub.lease_duration =
      std::chrono::duration_cast<std::chrono::seconds>(controllers.node_grace_period);
  hub.lease_renewal_interval =
      std::min(hub.lease_renewal_interval, controllers.node_grace_period / 4);
  hub_ = std::make_unique<AgentHub>(*registries_, *informers_, *events_, clock, hub);
  // The hub serves agents on every coordinator, leading or not.
  static const AlwaysLeader kEveryCoordinator;
  StartMembers(options);
  hub_loop_ = std::make_unique<ControlLoop>(
      "agent-hub",
      [this] {
        hub_->SyncOnce();
        members_->Heartbeat();
        return std::nullopt;
      },
      kEveryCoordinator, loop);

  daemon_set_controller_->Start([this] { daemon_set_loop_->Wake(); });
  node_lifecycle_controller_->Start([this] { node_lifecycle_loop_->Wake(); });
  hub_->Start([this] { hub_loop_->Wake(); });
  informers_->Start();
  if (!options.manual_passes) {
    daemon_set_loop_->Start();
    node_lifecycle_loop_->Start();
    hub_loop_->Start();
    if (compaction_loop_) compaction_loop_->Start();
    if (db_size_loop_) db_size_loop_->Start();
  }
  if (election_) election_->Start();

  config_object_api_ = std::make_unique<ConfigObjectApi>(*registries_);
  config_object_api_->EnsureBuiltIns(Caller::System("coordinator"));
  daemon_set_api_ = std::make_unique<DaemonSetApi>(*registries_);
  node_api_ = std::make_unique<NodeApi>(*registries_, *events_, clock);
  pod_api_ = std::make_unique<PodApi>(*registries_);
  event_api_ = std::make_unique<EventApi>(*registries_);
  token_api_ = std::make_unique<TokenApi>(*registries_, kWallClock);
  user_api_ = std::make_unique<UserApi>(*registries_, *pki_, kWallClock);
  enrollment_api_ = std::make_unique<EnrollmentApi>(*registries_, *token_api_, *pki_,
                                                    options.node_certificate_ttl);
  authenticator_ =
      std::make_unique<Authenticator>(pki_->client_roots(), registries_->certificates, kWallClock);
  access_ = std::make_unique<Access>(*authenticator_, audit_.get(), kWallClock);
  agent_service_ = std::make_unique<AgentServiceImpl>(*hub_, *enrollment_api_, *access_);
  operator_service_ = std::make_unique<OperatorServiceImpl>(
      OperatorApis{*daemon_set_api_, *config_object_api_, *node_api_, *pod_api_, *event_api_,
                   *token_api_, *user_api_, *pki_, *registries_, *members_},
      *access_);
  metrics_->Watch([this] { return Counts(); }, *agent_service_);
}

void CoordinatorServer::StartMembers(const ServerOptions& options) {
  CoordinatorMemberOptions member;
  member.name = MemberName(options.shared);
  member.address = options.shared.advertise_address;
  // Port 0 is known once bound (see Start).
  const std::string port = options.listen.substr(options.listen.rfind(':') + 1);
  if (member.address.empty() && port != "0" && !port.empty()) {
    member.address = HostName() + ":" + port;
  }
  member.store = options.shared.enabled() ? "etcd" : "sqlite";
  member.heartbeat_interval = options.shared.member_heartbeat;
  members_ = std::make_unique<CoordinatorMembers>(*durable_, kWallClock, member, [this, member] {
    if (!election_ || election_->IsLeader()) return member.name;
    // Its own name as the last holder seen means a lease that ran out.
    const std::string holder = election_->Leader().identity;
    return holder == member.name ? std::string() : holder;
  });
}

std::unique_ptr<CoordinatorServer> CoordinatorServer::Start(const ServerOptions& options,
                                                            const Clock& clock,
                                                            std::string* error) {
  std::unique_ptr<CoordinatorServer> server(new CoordinatorServer());
  server->metrics_ = std::make_unique<CoordinatorMetrics>();
  CoordinatorMetrics* metrics = server->metrics_.get();
  // Bound first: an address asked for and not had fails the start, before
  // agents could connect to a coordinator nothing can health-check.
  if (!options.metrics_listen.empty()) {
    HttpEndpointOptions http;
    http.address = options.metrics_listen;
    http.metrics = [metrics] { return metrics->metrics().Render(); };
    http.health = [metrics] { return metrics->Health(); };
    server->http_ = StartDaemonEndpoint("--metrics-listen", std::move(http), error);
    if (!server->http_) return nullptr;
  }
  try {
    server->Assemble(options, clock);
  } catch (const storage::StorageError& store_error) {
    *error = StoreName(options) + ": " + store_error.what();
    return nullptr;
  } catch (const ApiError& api_error) {
    *error = StoreName(options) + ": " + api_error.what();
    return nullptr;
  } catch (const pki::PkiError& pki_error) {
    *error = std::string("certificates: ") + pki_error.what();
    return nullptr;
  } catch (const std::runtime_error& audit_error) {
    *error = audit_error.what();
    return nullptr;
  }
  grpc::ServerBuilder builder;
  if (!options.listen.empty()) {
    // TLS only, with a client certificate asked for but checked by the
    // Authenticator (see auth/authenticator.h); gRPC allows TLS 1.2 and 1.3.
    grpc::SslServerCredentialsOptions tls(GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_BUT_DONT_VERIFY);
    tls.pem_key_cert_pairs.push_back(
        {server->pki_->serving_key_pem(), server->pki_->serving_chain_pem()});
    tls.pem_root_certs = server->pki_->trust_pem();
    builder.AddListeningPort(options.listen, grpc::SslServerCredentials(tls), &server->port_);
  }
  builder.RegisterService(server->agent_service_.get());
  builder.RegisterService(server->operator_service_.get());
  builder.SetMaxReceiveMessageSize(options.max_message_bytes);
  // Dead agents are noticed by keepalive pings, not only by their silence.
  // Generous: with 10,000 agents a ping every 30 s closed hundreds of live
  // connections whose acknowledgement a busy coordinator read after 10 s,
  // and each came back as a new TLS handshake (bench/README.md). Node
  // leases, not pings, decide when a node is gone.
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, 60000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 20000);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 5000);
  SetCoordinatorStreamTransport(builder);
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || (!options.listen.empty() && server->port_ == 0)) {
    *error = "cannot listen on " + options.listen + " (address in use or invalid)";
    return nullptr;
  }
  spdlog::info("serving on {} (port {}, mutual TLS), data in {}", options.listen, server->port_,
               options.data_dir);
  if (options.shared.advertise_address.empty()) {
    server->members_->SetAddress(HostName() + ":" + std::to_string(server->port_));
    // The hub loop's first pass ran before the port was known; a pass now
    // records this coordinator at once instead of at the next resync.
    server->hub_loop_->Wake();
  }
  if (options.write_admin_config && !options.listen.empty()) {
    server->admin_config_path_ = options.data_dir + "/admin.conf";
    try {
      EnsureAdminConfig(*server->pki_, *server->registries_, server->admin_config_path_,
                        LocalAddress(options.listen, server->port_), kWallClock);
    } catch (const std::exception& admin_error) {
      *error = server->admin_config_path_ + ": " + admin_error.what();
      return nullptr;
    }
  }
  return server;
}

CoordinatorServer::~CoordinatorServer() { Shutdown(); }

std::shared_ptr<grpc::Channel> CoordinatorServer::InProcessChannel() {
  return server_->InProcessChannel(grpc::ChannelArguments());
}

void CoordinatorServer::SyncOnce() {
  auto caught_up = [this] {
    hub_->WaitForReports();
    storage::WaitForWatchers(*durable_);
    if (volatile_) storage::WaitForWatchers(*volatile_);
  };
  caught_up();
  if (!leader_->IsLeader()) {
    daemon_set_controller_->KeepUp();
    hub_->SyncOnce();
    return;
  }
  node_lifecycle_controller_->SyncOnce();
  caught_up();
  daemon_set_controller_->SyncOnce();
  caught_up();
  hub_->SyncOnce();
}

bool CoordinatorServer::Leading() const { return leader_->IsLeader(); }

FleetCounts CoordinatorServer::Counts() const {
  FleetCounts counts;
  counts.connected_agents = hub_->ConnectedAgents();
  // From the shared caches: read every second for systemd's STATUS=.
  for (const auto& node : informers_->nodes.List()) {
    (NodeReady(*node) ? counts.nodes_ready : counts.nodes_not_ready) += 1;
  }
  for (const auto& daemon_set : informers_->daemon_sets.List()) {
    counts.daemon_sets.push_back(
        {daemon_set->metadata().namespace_(), daemon_set->metadata().name(), daemon_set->status()});
  }
  return counts;
}

std::string CoordinatorServer::Summary() const {
  const FleetCounts counts = Counts();
  return std::to_string(counts.nodes_ready + counts.nodes_not_ready) + " nodes (" +
         std::to_string(counts.nodes_ready) + " Ready), " +
         std::to_string(counts.daemon_sets.size()) + " daemon sets";
}

void CoordinatorServer::Shutdown() {
  if (shut_down_) return;
  shut_down_ = true;
  // First: its callbacks read the registries and the agent service.
  if (http_) http_->Stop();
  if (server_) server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  for (ControlLoop* loop : {daemon_set_loop_.get(), node_lifecycle_loop_.get(), hub_loop_.get(),
                            compaction_loop_.get(), db_size_loop_.get()}) {
    if (loop != nullptr) loop->Stop();
  }
  if (daemon_set_controller_) daemon_set_controller_->Stop();
  // Handing the lease back lets another coordinator lead at once.
  leader_key_watch_.reset();
  if (election_) election_->Stop();
  if (informers_) informers_->Stop();
}

}  // namespace fleetset::coordinator
