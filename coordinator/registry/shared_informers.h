// One informer per kind for the whole coordinator, shared by the
// controllers and the agent hub (client-go's SharedInformerFactory): each
// object is cached once, however many components read it. Components add
// their handlers first; Start() then fills every cache and starts watching.
#pragma once

#include "coordinator/registry/informer.h"
#include "coordinator/registry/registries.h"

namespace fleetset::coordinator {

class SharedInformers {
 public:
  explicit SharedInformers(Registries& registries)
      : daemon_sets(registries.daemon_sets),
        controller_revisions(registries.controller_revisions),
        nodes(registries.nodes),
        node_assignments(registries.node_assignments),
        node_reports(registries.node_reports),
        node_leases(registries.leases, ListOptions{kNodeLeaseNamespace, "", ""}),
        config_maps(registries.config_maps),
        secrets(registries.secrets),
        priority_classes(registries.priority_classes) {}
  ~SharedInformers() { Stop(); }

  // Throws ApiError when a store cannot be read.
  void Start() {
    daemon_sets.Start();
    controller_revisions.Start();
    nodes.Start();
    node_assignments.Start();
    node_reports.Start();
    node_leases.Start();
    config_maps.Start();
    secrets.Start();
    priority_classes.Start();
  }
  void Stop() {
    priority_classes.Stop();
    secrets.Stop();
    config_maps.Stop();
    node_leases.Stop();
    node_reports.Stop();
    node_assignments.Stop();
    nodes.Stop();
    controller_revisions.Stop();
    daemon_sets.Stop();
  }

  Informer<v1::DaemonSet> daemon_sets;
  Informer<v1::ControllerRevision> controller_revisions;
  Informer<v1::Node> nodes;
  Informer<v1::NodeAssignments> node_assignments;
  Informer<v1::NodeReport> node_reports;
  Informer<v1::Lease> node_leases;
  // What pods reference; held decrypted in memory only, as kube-apiserver's
  // watch cache holds Secrets.
  Informer<v1::ConfigMap> config_maps;
  Informer<v1::Secret> secrets;
  Informer<v1::PriorityClass> priority_classes;
};

}  // namespace fleetset::coordinator
