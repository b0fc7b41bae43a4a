// Real etcd clusters for the etcd tests, started and stopped through
// tests/env/etcd-env.sh: one shared by the tests that only need a working
// cluster (each under a prefix of its own), and private ones for the tests
// that kill members.
#pragma once

#include <string>
#include <vector>

#include "coordinator/storage/etcd_client.h"
#include "coordinator/storage/etcd_storage.h"
#include "support/prerequisites.h"
#include "unit/storage_test_util.h"

namespace fleetset::testing {

// What is missing to run a private etcd cluster, or "" when nothing is.
std::string MissingEtcdPrerequisites();

#define REQUIRE_ETCD() FLEETSET_REQUIRE_(::fleetset::testing::MissingEtcdPrerequisites())

class EtcdCluster {
 public:
  // Starts `members` members under a scratch directory (check ok()); with
  // `tls`, clients must use https and a client certificate; with
  // `max_txn_ops`, the members' --max-txn-ops (etcd's default otherwise).
  explicit EtcdCluster(int members = 3, bool tls = false, int max_txn_ops = 0);
  EtcdCluster(const EtcdCluster&) = delete;
  EtcdCluster& operator=(const EtcdCluster&) = delete;
  ~EtcdCluster();

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  const std::vector<std::string>& endpoints() const { return endpoints_; }

  // A store's options for this cluster under `prefix`, with the TLS files
  // when the cluster has them.
  coordinator::storage::EtcdOptions Options(const std::string& prefix) const;
  // The same for a bare client.
  coordinator::storage::EtcdClientOptions ClientOptions() const;

  // SIGKILLs, or starts again, member `n` (1-based); the test fails when
  // the script does.
  void KillMember(int n);
  void StartMember(int n);

 private:
  void Run(const std::vector<std::string>& arguments, std::string* out = nullptr);

  ScratchDirectory dir_{"etcd"};
  bool tls_ = false;
  std::string error_;
  std::vector<std::string> endpoints_;
};

// A three-member cluster started on first use and stopped when the tests
// end.
EtcdCluster& SharedEtcdCluster();

// A prefix no other test of this process uses (none is the start of
// another): "/<name>-0001".
std::string UniquePrefix(const std::string& name);

}  // namespace fleetset::testing
