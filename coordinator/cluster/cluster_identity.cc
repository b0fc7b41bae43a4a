#include "coordinator/cluster/cluster_identity.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <iterator>
#include <sstream>

#include "fleetset/pki/digest.h"

namespace fleetset::coordinator {

namespace {

constexpr char kCaLine[] = "ca ";
constexpr char kKeyLine[] = "encryption-key ";

bool ShareAKey(const ClusterIdentity& a, const ClusterIdentity& b) {
  std::vector<std::string> common;
  std::set_intersection(a.encryption_keys.begin(), a.encryption_keys.end(),
                        b.encryption_keys.begin(), b.encryption_keys.end(),
                        std::back_inserter(common));
  // A cluster that keeps Secrets unencrypted has no key to share.
  return !common.empty() || (a.encryption_keys.empty() && b.encryption_keys.empty());
}

}  // namespace

std::string ClusterIdentity::Serialize() const {
  std::string text = kCaLine + ca_pin + "\n";
  for (const std::string& key : encryption_keys) text += kKeyLine + key + "\n";
  return text;
}

ClusterIdentity ClusterIdentity::Parse(const std::string& text) {
  ClusterIdentity identity;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.starts_with(kCaLine)) identity.ca_pin = line.substr(sizeof(kCaLine) - 1);
    if (line.starts_with(kKeyLine))
      identity.encryption_keys.insert(line.substr(sizeof(kKeyLine) - 1));
  }
  return identity;
}

ClusterIdentity IdentityOf(const std::string& ca_pin, const EncryptionProviders& providers) {
  ClusterIdentity identity;
  identity.ca_pin = ca_pin;
  for (const EncryptionKey& key : providers.providers) {
    if (!key.name.empty()) identity.encryption_keys.insert(pki::Sha256Fingerprint(key.secret));
  }
  return identity;
}

void CheckClusterIdentity(storage::Storage& store, const ClusterIdentity& mine,
                          const std::string& data_dir) {
  for (;;) {
    const std::optional<storage::KeyValue> recorded = store.Get(kClusterIdentityKey);
    storage::Transaction record;
    record.operations.push_back(storage::Operation::Put(kClusterIdentityKey, mine.Serialize()));
    if (!recorded) {
      record.compares.push_back(storage::Compare::Absent(kClusterIdentityKey));
    } else {
      const ClusterIdentity cluster = ClusterIdentity::Parse(recorded->value);
      if (cluster.ca_pin != mine.ca_pin) {
        throw ClusterIdentityMismatch(
            "the cluster CA in " + data_dir + "/pki (" + mine.ca_pin +
            ") is not the one the other coordinators use (" + cluster.ca_pin +
            "): copy pki/ca.crt and pki/ca.key from a running coordinator's data directory");
      }
      if (!ShareAKey(cluster, mine)) {
        throw ClusterIdentityMismatch(
            "none of this coordinator's Secret encryption keys is one the other coordinators "
            "use: copy pki/encryption-config.yaml (or the --encryption-provider-config file) "
            "from a running coordinator");
      }
      if (cluster.encryption_keys == mine.encryption_keys) return;
      record.compares.push_back(
          storage::Compare::ModRevision(kClusterIdentityKey, recorded->mod_revision));
    }
    const storage::TransactionResult result = store.Commit(std::move(record));
    if (result.committed()) {
      if (!recorded)
        spdlog::info("recorded the cluster's CA and encryption keys ({})", mine.ca_pin);
      return;
    }
    if (result.status != storage::TransactionResult::Status::kCompareFailed) {
      throw storage::StorageError(result.error);
    }
    // Another coordinator recorded meanwhile: check against what it wrote.
  }
}

}  // namespace fleetset::coordinator
