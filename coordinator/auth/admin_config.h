// <data-dir>/admin.conf, kubeadm's admin.conf for fleetset: a fleetsetctl
// config with the coordinator's address, its CA and a certificate of user
// "admin" (role admin), written 0600 on first start and again when the
// certificate it holds has run out or no longer verifies.
#pragma once

#include <string>

#include "coordinator/auth/cluster_pki.h"
#include "coordinator/registry/registries.h"

namespace fleetset::coordinator {

inline constexpr char kAdminUser[] = "admin";

// `server` is the address written into it ("127.0.0.1:7400"). Does
// nothing when the coordinator has no CA key. Throws pki::PkiError or
// ApiError.
void EnsureAdminConfig(const ClusterPki& pki, Registries& registries, const std::string& path,
                       const std::string& server, const Clock& clock);

}  // namespace fleetset::coordinator
