// What every coordinator sharing one store must hold alike, checked at
// start so that a coordinator given the wrong files refuses to run instead
// of issuing certificates nobody trusts or writing Secrets the others
// cannot read. The operator copies the files (pki/ca.crt, pki/ca.key and
// the encryption config) to every coordinator; the store keeps only
// fingerprints of them, never the material.
//
//  * The CA: every coordinator must have the same one (its public key's
//    pin). The first coordinator to start records it.
//  * The Secret encryption keys: a coordinator must share at least one key
//    with the set the previous coordinator started with. A rotation (add
//    the new key everywhere, then make it first, as kube-apiserver's
//    procedure does) always keeps one in common; a key made afresh because
//    the config was not copied shares none and is refused.
#pragma once

#include <set>
#include <stdexcept>
#include <string>

#include "coordinator/auth/secret_encryption.h"
#include "coordinator/storage/storage.h"

namespace fleetset::coordinator {

inline constexpr char kClusterIdentityKey[] = "/cluster/identity";

struct ClusterIdentity {
  // "sha256:<hex>" of the CA's public key.
  std::string ca_pin;
  // Fingerprints of the aesgcm keys (identity, the plain provider, has none).
  std::set<std::string> encryption_keys;

  std::string Serialize() const;
  static ClusterIdentity Parse(const std::string& text);
};

ClusterIdentity IdentityOf(const std::string& ca_pin, const EncryptionProviders& providers);

// The coordinator's material does not match the cluster's; the message
// says what differs and what to copy.
class ClusterIdentityMismatch : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Records `mine` when the store has no identity yet; otherwise checks it
// against the recorded one (throwing ClusterIdentityMismatch) and records
// this coordinator's keys, so that a rotation carries on from them. Throws
// storage::StorageError when the store cannot be read or written.
void CheckClusterIdentity(storage::Storage& store, const ClusterIdentity& mine,
                          const std::string& data_dir);

}  // namespace fleetset::coordinator
