// The ConfigMaps and Secrets a pod spec references, everywhere it can
// (Kubernetes' VisitPodConfigmapNames and VisitPodSecretNames): volumes,
// projected sources, env, envFrom and imagePullSecrets, of init and app
// containers alike. The coordinator gives a node exactly these objects; the
// agent knows by the same walk what a pod waits for.
#pragma once

#include <set>
#include <string>

#include "fleetset/v1/pod.pb.h"

namespace fleetset {

struct PodReferences {
  // Names, in the pod's namespace.
  std::set<std::string> config_maps;
  std::set<std::string> secrets;
};

PodReferences ReferencesOf(const v1::PodSpec& spec);

}  // namespace fleetset
