// The well-known node labels a node's agent discovers about its own machine.
// The agent owns them: whatever a coordinator's record of the node says, the
// agent's values of these keys are the ones that count.
#pragma once

#include <array>

namespace fleetset {

inline constexpr char kLabelHostname[] = "kubernetes.io/hostname";
inline constexpr char kLabelOs[] = "kubernetes.io/os";
inline constexpr char kLabelArch[] = "kubernetes.io/arch";

inline constexpr std::array<const char*, 3> kAgentOwnedNodeLabels = {kLabelHostname, kLabelOs,
                                                                     kLabelArch};

// Copies the agent-owned keys that `agent_labels` has into `labels` (both
// string maps: std::map or protobuf's Map).
template <typename From, typename To>
void CopyAgentOwnedLabels(const From& agent_labels, To& labels) {
  for (const char* key : kAgentOwnedNodeLabels) {
    auto it = agent_labels.find(key);
    if (it != agent_labels.end()) labels[key] = it->second;
  }
}

}  // namespace fleetset
