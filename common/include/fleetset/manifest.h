// Reading DaemonSet manifests: YAML (one or many documents) or JSON, into
// the typed model, strictly (unknown fields are errors, as with kubectl's
// strict field validation), with Kubernetes' defaults applied.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "fleetset/field_error.h"
#include "fleetset/v1/daemonset.pb.h"
#include "fleetset/v1/object.pb.h"

namespace fleetset {

// One document of a manifest stream.
struct DecodedDocument {
  // Where it came from, for messages: "file.yaml" or "file.yaml#2" (1-based
  // document index when the file holds more than one).
  std::string source;
  // apiVersion/kind/metadata.name as written, when readable (for messages).
  std::string kind;
  std::string name;
  // The object, of whichever managed kind the document is.
  v1::Object object;
  // Set when the document is a Kubernetes kind fleetset has no use for
  // (a ServiceAccount, a ClusterRole ...): why it is skipped, e.g.
  // "fleetset has no ServiceAccounts". Such a document has no errors.
  std::string skipped;
  // Decoding errors (syntax, unknown fields, wrong types, unsupported kind
  // or apiVersion, unsupported volume types). When non-empty, object holds
  // what could be read.
  FieldErrors errors;
};

// Splits `text` into documents (YAML "---" separators; a JSON object or a
// List of items is also accepted) and decodes each. Empty documents are
// skipped. Never throws; a YAML syntax error yields one document with the
// error (path empty, message with line and column).
std::vector<DecodedDocument> DecodeManifests(std::string_view text, const std::string& source);

// Kubernetes' defaults for a DaemonSet (SetDefaults_DaemonSet, PodSpec,
// Container, Probe ...): updateStrategy RollingUpdate with maxUnavailable 1
// and maxSurge 0, revisionHistoryLimit 10, restartPolicy Always,
// terminationGracePeriodSeconds 30, dnsPolicy ClusterFirst, schedulerName
// default-scheduler, imagePullPolicy Always for :latest or untagged images
// else IfNotPresent, port protocol TCP, probe timeouts 1/10/1/3, hostPath
// type "", terminationMessagePath /dev/termination-log, policy File, and
// metadata.namespace "default". Idempotent.
void ApplyDaemonSetDefaults(v1::DaemonSet* daemon_set);

// Validation of a defaulted DaemonSet, every error at once, each with its
// field path: names (DNS-1123), labels, selector required and matching the
// template labels, restartPolicy, container names (valid, unique across
// init and app containers), images present, quantities parse (limits >=
// requests), toleration operator/effect, node affinity operators and their
// values, pod anti-affinity topology key, update strategy (maxUnavailable
// and maxSurge not both zero, percentages valid), volumes (one source,
// unique names, mounts refer to them), ports (1-65535, unique), env names,
// fieldRef paths, probes (one handler, positive periods).
FieldErrors ValidateDaemonSet(const v1::DaemonSet& daemon_set);

// Decode + default + validate in one step: the path every entry point
// (CLI dry run, coordinator, agent static manifests) uses.
struct LoadedDaemonSet {
  std::string source;
  v1::DaemonSet daemon_set;
  FieldErrors errors;
  bool ok() const { return errors.empty(); }
};
// DaemonSets only (static manifests): any other kind is an error.
std::vector<LoadedDaemonSet> LoadDaemonSets(std::string_view text, const std::string& source);

// Decode + default + validate for every kind fleetset manages, and the
// skipped documents of a published bundle: what `fleetsetctl apply` and
// `create` send.
struct LoadedObject {
  std::string source;
  // The kind as written (for messages about documents that failed).
  std::string kind;
  v1::Object object;
  // Why the document is skipped (see DecodedDocument::skipped), or "".
  std::string skipped;
  FieldErrors errors;
  bool ok() const { return errors.empty(); }
};
std::vector<LoadedObject> LoadObjects(std::string_view text, const std::string& source);

// Defaults and validation of an object of any managed kind.
void ApplyObjectDefaults(v1::Object* object);
FieldErrors ValidateObject(const v1::Object& object);

}  // namespace fleetset
