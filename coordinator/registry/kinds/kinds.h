// Every kind the coordinator stores, one strategy each (one file per kind
// in this folder). The durable kinds live in the coordinator's store; the
// volatile ones (what agents report: pods, node reports, node leases) live
// in memory, since agents report them again when they reconnect.
#pragma once

#include "coordinator/registry/strategy.h"
#include "fleetset/v1/auth.pb.h"
#include "fleetset/v1/config.pb.h"
#include "fleetset/v1/controller_revision.pb.h"
#include "fleetset/v1/daemonset.pb.h"
#include "fleetset/v1/lease.pb.h"
#include "fleetset/v1/node.pb.h"
#include "fleetset/v1/node_assignment.pb.h"
#include "fleetset/v1/node_report.pb.h"
#include "fleetset/v1/operator_service.pb.h"
#include "fleetset/v1/pod.pb.h"

namespace fleetset::coordinator {

// Durable.
const Strategy<v1::DaemonSet>& DaemonSetStrategy();
const Strategy<v1::ControllerRevision>& ControllerRevisionStrategy();
const Strategy<v1::Node>& NodeStrategy();
const Strategy<v1::NodeAssignments>& NodeAssignmentsStrategy();
const Strategy<v1::Event>& EventStrategy();
const Strategy<v1::BootstrapToken>& BootstrapTokenStrategy();
const Strategy<v1::User>& UserStrategy();
const Strategy<v1::IssuedCertificate>& IssuedCertificateStrategy();
const Strategy<v1::ConfigMap>& ConfigMapStrategy();
const Strategy<v1::Secret>& SecretStrategy();
const Strategy<v1::PriorityClass>& PriorityClassStrategy();
const Strategy<v1::Namespace>& NamespaceStrategy();

// IssuedCertificate.spec.subjectKind.
inline constexpr char kSubjectUser[] = "user";
inline constexpr char kSubjectNode[] = "node";

// Volatile.
const Strategy<v1::Pod>& PodStrategy();
const Strategy<v1::NodeReport>& NodeReportStrategy();
const Strategy<v1::Lease>& LeaseStrategy();

// The namespace of node leases, as in Kubernetes.
inline constexpr char kNodeLeaseNamespace[] = "kube-node-lease";

// Validation every kind shares: metadata.name a DNS-1123 subdomain, a
// namespaced object's namespace a DNS-1123 label, valid labels.
FieldErrors ValidateCommonMetadata(const v1::ObjectMeta& meta, bool namespaced);

}  // namespace fleetset::coordinator
