// The mounts of pod volumes: the tmpfs the agent makes, and finding and
// undoing whatever is mounted under a pod before its directory goes.
#pragma once

#include <string>
#include <vector>

namespace fleetset::agent {

// Mount points at or below `dir`, deepest first, from /proc/self/mountinfo.
std::vector<std::string> MountsUnder(const std::string& dir);

// Detaches every mount at or below `dir`, deepest first.
void UnmountUnder(const std::string& dir);

// Mounts a tmpfs (nosuid, nodev, with the mount `options`) on the existing
// directory `dir` unless something is mounted at or below it already.
// Returns why it could not, or "".
std::string EnsureTmpfs(const std::string& dir, const std::string& options);

}  // namespace fleetset::agent
