// A running coordinator, put together: the stores, the registries over
// them, the controllers with their loops (run while this coordinator
// leads), the agent hub, the API layer and the gRPC front ends, and the
// metrics endpoint. main() and the tests start it alike.
#pragma once

#include <grpcpp/server.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "coordinator/agenthub/agent_hub.h"
#include "coordinator/api/config_object_api.h"
#include "coordinator/api/daemon_set_api.h"
#include "coordinator/api/enrollment_api.h"
#include "coordinator/api/event_api.h"
#include "coordinator/api/node_api.h"
#include "coordinator/api/pod_api.h"
#include "coordinator/api/token_api.h"
#include "coordinator/api/user_api.h"
#include "coordinator/auth/audit_log.h"
#include "coordinator/auth/authenticator.h"
#include "coordinator/auth/cluster_pki.h"
#include "coordinator/auth/secret_encryption.h"
#include "coordinator/controllers/control_loop.h"
#include "coordinator/controllers/daemon_set_controller.h"
#include "coordinator/controllers/event_recorder.h"
#include "coordinator/controllers/leader_gate.h"
#include "coordinator/controllers/node_lifecycle_controller.h"
#include "coordinator/coordinator_metrics.h"
#include "coordinator/frontend/access.h"
#include "coordinator/frontend/agent_service.h"
#include "coordinator/frontend/operator_service.h"
#include "coordinator/leader/fenced_storage.h"
#include "coordinator/leader/leader_election.h"
#include "coordinator/members/coordinator_members.h"
#include "coordinator/registry/registries.h"
#include "coordinator/storage/directory_lock.h"
#include "coordinator/storage/etcd_compactor.h"
#include "coordinator/storage/etcd_db_sizes.h"
#include "coordinator/storage/etcd_storage.h"
#include "daemon/http_endpoint.h"

namespace fleetset::coordinator {

struct ControllerOptions {
  // Without a renewed lease for this long a node becomes NotReady and gets
  // the node.kubernetes.io/unreachable taints (kube-controller-manager's
  // --node-monitor-grace-period).
  std::chrono::milliseconds node_grace_period{40000};
  // The agent hub looks for nodes whose desired state changed at least this
  // often; its passes also show the health check that the loops are alive.
  std::chrono::milliseconds resync_period{1000};
  // The controllers' safety-net pass when nothing changed. What time alone
  // changes (a lease running out, minReadySeconds) each asks for when due.
  std::chrono::milliseconds controller_resync_period{30000};
  // Changes arriving within this window share one pass.
  std::chrono::milliseconds batch_window{20};
  // Told how long each controller pass took (metrics).
  std::function<void(std::chrono::steady_clock::duration)> pass_observer;
};

// Several coordinators sharing one etcd cluster (docs/operations.md).
struct SharedStoreOptions {
  // No servers: the store is SQLite in the data directory and this
  // coordinator always leads.
  storage::EtcdOptions etcd;
  // This coordinator among the others: its name (the host name when
  // empty) and the address `get coordinators` lists (the host name with
  // the listen port when empty).
  std::string name;
  std::string advertise_address;
  // How long the leader's lease lasts without renewal.
  std::chrono::seconds leader_lease_duration{10};
  // How often each coordinator records itself for `get coordinators`.
  std::chrono::milliseconds member_heartbeat{5000};
  // kube-apiserver's --etcd-compaction-interval: how often etcd's history
  // is compacted, keeping one interval of it (storage/etcd_compactor.h);
  // zero leaves compaction to etcd or the operator.
  std::chrono::milliseconds compaction_interval{std::chrono::minutes(5)};
  // kube-apiserver's --etcd-db-metric-poll-interval: how often each
  // member's database size is asked for the metrics (storage/
  // etcd_db_sizes.h); zero: never.
  std::chrono::milliseconds db_metric_poll_interval{std::chrono::seconds(30)};

  bool enabled() const { return !etcd.servers.empty(); }
};

struct ServerOptions {
  // host:port, served over mutual TLS only; port 0 picks a free one (see
  // CoordinatorServer::port()); empty: no port, only InProcessChannel().
  std::string listen = "0.0.0.0:7400";
  std::string data_dir = "/var/lib/fleetset-coordinator";
  // The operator's certificate files and extra names for the serving
  // certificate; data_dir and listen are taken from above.
  PkiOptions pki;
  // How long a node certificate lasts (renewed by the agent at 2/3).
  std::chrono::seconds node_certificate_ttl{std::chrono::hours(24 * 30)};
  // The audit log; an empty path: <data_dir>/audit.log.
  AuditLogOptions audit;
  // kube-apiserver's --encryption-provider-config (see
  // auth/secret_encryption.h); empty: <data_dir>/pki/encryption-config.yaml,
  // made with a new key on first start.
  std::string encryption_provider_config;
  // Writes <data_dir>/admin.conf (see auth/admin_config.h).
  bool write_admin_config = true;
  ControllerOptions controllers;
  SharedStoreOptions shared;
  // Larger requests are refused with RESOURCE_EXHAUSTED.
  int max_message_bytes = 16 * 1024 * 1024;
  // Runs after every pass of the DaemonSet controller (systemd's watchdog).
  std::function<void()> after_pass;
  // host:port of the HTTP endpoint for /metrics and /healthz (port 0 picks
  // a free one, see metrics_port()); empty: none. An address that cannot
  // be bound fails the start.
  std::string metrics_listen;
  // The controllers and the agent hub run only when SyncOnce() is called
  // (tests that move a fake clock drive them pass by pass).
  bool manual_passes = false;
};

class CoordinatorServer {
 public:
  // Opens the store, starts the controllers and the hub, binds and starts
  // serving; nullptr with *error (naming the data dir or the address) when
  // any step fails.
  static std::unique_ptr<CoordinatorServer> Start(const ServerOptions& options, const Clock& clock,
                                                  std::string* error);
  ~CoordinatorServer();

  int port() const { return port_; }
  // The metrics endpoint's port; 0 when there is none.
  int metrics_port() const { return http_ ? http_->port() : 0; }
  Registries& registries() { return *registries_; }
  const ClusterPki& pki() const { return *pki_; }
  // Where admin.conf was written.
  const std::string& admin_config_path() const { return admin_config_path_; }
  AgentHub& hub() { return *hub_; }
  // A channel to this server that needs no port. Its calls act as the
  // coordinator itself (system), with every right: only code in this
  // process can make them.
  std::shared_ptr<grpc::Channel> InProcessChannel();

  // With manual_passes: one pass of the node lifecycle controller, the
  // DaemonSet controller and the agent hub, in that order, each after the
  // caches it reads have caught up with every change stored so far.
  void SyncOnce();

  // Whether this coordinator runs the controllers now: always with SQLite;
  // on a shared store, while it holds the leader's lease.
  bool Leading() const;

  // "3 nodes (2 Ready), 2 daemon sets" for systemd's STATUS=.
  std::string Summary() const;
  FleetCounts Counts() const;

  // Stops accepting calls, ends the streams and the loops. Idempotent.
  void Shutdown();

 private:
  CoordinatorServer() = default;
  // Everything up to the gRPC server; throws ApiError or StorageError.
  void Assemble(const ServerOptions& options, const Clock& clock);

  // The stores; in a shared store, also the leader election and the
  // fenced view of the store the controllers write through.
  void OpenStores(const ServerOptions& options);
  void OpenSharedStore(const SharedStoreOptions& shared, const std::string& data_dir);
  // Compacts etcd every shared.compaction_interval and asks its members'
  // database sizes every shared.db_metric_poll_interval, with a client of
  // their own (their loops start with the controllers').
  void StartMaintenance(const SharedStoreOptions& shared);
  // In a shared store: checks this coordinator's CA and keys against the
  // others' (cluster/cluster_identity.h).
  void CheckIdentity(const ServerOptions& options, const EncryptionProviders& providers);
  void StartMembers(const ServerOptions& options);

  // First, so that it outlives the store it instruments.
  std::unique_ptr<CoordinatorMetrics> metrics_;
  std::unique_ptr<storage::DirectoryLock> data_dir_lock_;
  std::unique_ptr<ClusterPki> pki_;
  std::unique_ptr<AuditLog> audit_;
  std::unique_ptr<storage::Storage> durable_;
  // In memory with SQLite; the durable store itself when it is shared, so
  // that what agents report reaches whichever coordinator leads.
  std::unique_ptr<storage::Storage> volatile_;
  storage::Storage* volatile_store_ = nullptr;
  std::unique_ptr<Registries> registries_;
  std::unique_ptr<AesGcmTransformer> secrets_transformer_;
  std::unique_ptr<EventRecorder> events_;
  std::unique_ptr<SharedInformers> informers_;
  AlwaysLeader always_leader_;
  std::unique_ptr<LeaderLeaseStore> election_store_;
  std::unique_ptr<LeaderElection> election_;
  // Tells the election when the leader key goes; destroyed before it.
  std::unique_ptr<storage::WatchHandle> leader_key_watch_;
  // etcd's maintenance, on every coordinator: its history compacted every
  // interval, its members' database sizes for the metrics.
  std::unique_ptr<storage::EtcdClient> maintenance_etcd_;
  std::unique_ptr<storage::EtcdCompactor> compactor_;
  std::unique_ptr<ControlLoop> compaction_loop_;
  std::unique_ptr<storage::EtcdDbSizes> db_sizes_;
  std::unique_ptr<ControlLoop> db_size_loop_;
  const LeaderGate* leader_ = &always_leader_;
  // What the controllers write through: fenced on the leadership when the
  // store is shared, the registries themselves otherwise.
  std::unique_ptr<FencedStorage> fenced_durable_;
  std::unique_ptr<Registries> controller_registries_;
  std::unique_ptr<EventRecorder> controller_events_;
  std::unique_ptr<CoordinatorMembers> members_;
  std::unique_ptr<DaemonSetController> daemon_set_controller_;
  std::unique_ptr<NodeLifecycleController> node_lifecycle_controller_;
  std::unique_ptr<AgentHub> hub_;
  std::unique_ptr<ControlLoop> daemon_set_loop_;
  std::unique_ptr<ControlLoop> node_lifecycle_loop_;
  std::unique_ptr<ControlLoop> hub_loop_;
  std::unique_ptr<ConfigObjectApi> config_object_api_;
  std::unique_ptr<DaemonSetApi> daemon_set_api_;
  std::unique_ptr<NodeApi> node_api_;
  std::unique_ptr<PodApi> pod_api_;
  std::unique_ptr<EventApi> event_api_;
  std::unique_ptr<TokenApi> token_api_;
  std::unique_ptr<UserApi> user_api_;
  std::unique_ptr<EnrollmentApi> enrollment_api_;
  std::unique_ptr<Authenticator> authenticator_;
  std::unique_ptr<Access> access_;
  std::unique_ptr<AgentServiceImpl> agent_service_;
  std::unique_ptr<OperatorServiceImpl> operator_service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<HttpEndpoint> http_;
  std::string admin_config_path_;
  int port_ = 0;
  bool shut_down_ = false;
};

}  // namespace fleetset::coordinator
