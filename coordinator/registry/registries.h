// Every kind's registry, over the two stores: the durable one (SQLite, or
// etcd) for what operators and controllers decide, the volatile one (in
// memory) for what agents report and report again after a restart.
#pragma once

#include "coordinator/registry/kinds/kinds.h"
#include "coordinator/registry/registry.h"

namespace fleetset::coordinator {

struct Registries {
  // `secrets_transformer` (may be null) keeps Secrets encrypted at rest.
  Registries(storage::Storage& durable, storage::Storage& volatile_store, const Clock& clock,
             const ValueTransformer* secrets_transformer = nullptr)
      : daemon_sets(durable, DaemonSetStrategy(), clock),
        controller_revisions(durable, ControllerRevisionStrategy(), clock),
        nodes(durable, NodeStrategy(), clock),
        node_assignments(durable, NodeAssignmentsStrategy(), clock),
        events(durable, EventStrategy(), clock),
        bootstrap_tokens(durable, BootstrapTokenStrategy(), clock),
        users(durable, UserStrategy(), clock),
        certificates(durable, IssuedCertificateStrategy(), clock),
        config_maps(durable, ConfigMapStrategy(), clock),
        secrets(durable, SecretStrategy(), clock, secrets_transformer),
        priority_classes(durable, PriorityClassStrategy(), clock),
        namespaces(durable, NamespaceStrategy(), clock),
        pods(volatile_store, PodStrategy(), clock),
        node_reports(volatile_store, NodeReportStrategy(), clock),
        leases(volatile_store, LeaseStrategy(), clock) {}

  Registry<v1::DaemonSet> daemon_sets;
  Registry<v1::ControllerRevision> controller_revisions;
  Registry<v1::Node> nodes;
  Registry<v1::NodeAssignments> node_assignments;
  Registry<v1::Event> events;
  Registry<v1::BootstrapToken> bootstrap_tokens;
  Registry<v1::User> users;
  Registry<v1::IssuedCertificate> certificates;
  Registry<v1::ConfigMap> config_maps;
  Registry<v1::Secret> secrets;
  Registry<v1::PriorityClass> priority_classes;
  Registry<v1::Namespace> namespaces;

  Registry<v1::Pod> pods;
  Registry<v1::NodeReport> node_reports;
  Registry<v1::Lease> leases;
};

}  // namespace fleetset::coordinator
