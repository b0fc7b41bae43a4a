// The mount points the agent must know about to clean up after a pod.
#pragma once

#include <string>
#include <vector>

namespace fleetset::agent {

// Mount points at or below `dir`, deepest first, from /proc/self/mountinfo.
std::vector<std::string> MountsUnder(const std::string& dir);

}  // namespace fleetset::agent
