#include "agent/pod_identity.h"

namespace fleetset::agent {

std::string PodLogDirectory(const std::string& log_root, const std::string& pod_namespace,
                            const std::string& pod_name, const std::string& pod_uid) {
  return log_root + "/" + pod_namespace + "_" + pod_name + "_" + pod_uid;
}

}  // namespace fleetset::agent
