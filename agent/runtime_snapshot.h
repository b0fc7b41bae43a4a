// What the runtime runs for this agent, read in one relist (kubelet's PLEG
// relist): our sandboxes and containers, found by the agent's own labels.
// One relist per sync period serves every pod worker, so an idle node costs
// two CRI calls per period however many pods it runs.
#pragma once

#include <grpcpp/support/status.h>

#include <map>
#include <string>
#include <vector>

#include "agent/cri_runtime.h"

namespace fleetset::agent {

struct SandboxSnapshot {
  cri::PodSandbox sandbox;
  // Containers of this sandbox, oldest first (by creation time, then attempt).
  std::vector<cri::Container> containers;
};

struct RuntimeSnapshot {
  // Keyed by pod UID (the io.kubernetes.pod.uid label); a pod may have
  // several sandboxes (older attempts), newest last.
  std::map<std::string, std::vector<SandboxSnapshot>> pods;
};

// Lists the sandboxes and containers labelled as this node's agent's.
grpc::Status Relist(CriRuntime& runtime, const std::string& node_name, RuntimeSnapshot* snapshot);

// The pod-spec name of a container (its io.kubernetes.container.name label).
std::string ContainerNameOf(const cri::Container& container);

// The newest container of that name in `containers` (oldest first), or null.
const cri::Container* LatestContainer(const std::vector<cri::Container>& containers,
                                      const std::string& name);

// Oldest first: by creation time, then attempt (restart count).
void SortOldestFirst(std::vector<cri::Container>* containers);

// The label filter every agent-owned object carries.
std::map<std::string, std::string> OwnershipLabels(const std::string& node_name);

}  // namespace fleetset::agent
