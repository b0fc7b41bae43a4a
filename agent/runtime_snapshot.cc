#include "agent/runtime_snapshot.h"

#include <algorithm>

#include "agent/pod_identity.h"

namespace fleetset::agent {

std::map<std::string, std::string> OwnershipLabels(const std::string& node_name) {
  return {{kManagedByLabel, kManagedByValue}, {kNodeLabel, node_name}};
}

std::string ContainerNameOf(const cri::Container& container) {
  auto it = container.labels().find(kContainerNameLabel);
  return it == container.labels().end() ? container.metadata().name() : it->second;
}

const cri::Container* LatestContainer(const std::vector<cri::Container>& containers,
                                      const std::string& name) {
  const cri::Container* latest = nullptr;
  for (const cri::Container& container : containers) {
    if (ContainerNameOf(container) == name) latest = &container;
  }
  return latest;
}

void SortOldestFirst(std::vector<cri::Container>* containers) {
  std::sort(containers->begin(), containers->end(),
            [](const cri::Container& a, const cri::Container& b) {
              if (a.created_at() != b.created_at()) return a.created_at() < b.created_at();
              return a.metadata().attempt() < b.metadata().attempt();
            });
}

grpc::Status Relist(CriRuntime& runtime, const std::string& node_name, RuntimeSnapshot* snapshot) {
  const auto labels = OwnershipLabels(node_name);

  cri::ListPodSandboxRequest sandbox_request;
  sandbox_request.mutable_filter()->mutable_label_selector()->insert(labels.begin(), labels.end());
  cri::ListPodSandboxResponse sandboxes;
  grpc::Status status = runtime.ListPodSandbox(sandbox_request, &sandboxes);
  if (!status.ok()) return status;

  cri::ListContainersRequest container_request;
  container_request.mutable_filter()->mutable_label_selector()->insert(labels.begin(),
                                                                       labels.end());
  cri::ListContainersResponse containers;
  status = runtime.ListContainers(container_request, &containers);
  if (!status.ok()) return status;

  std::map<std::string, SandboxSnapshot> by_sandbox_id;
  for (const cri::PodSandbox& sandbox : sandboxes.items()) {
    by_sandbox_id[sandbox.id()].sandbox = sandbox;
  }
  for (const cri::Container& container : containers.containers()) {
    auto it = by_sandbox_id.find(container.pod_sandbox_id());
    // A container whose sandbox is gone is garbage the next cleanup removes
    // with its sandbox; it cannot belong to a live pod.
    if (it != by_sandbox_id.end()) it->second.containers.push_back(container);
  }

  snapshot->pods.clear();
  for (auto& [id, entry] : by_sandbox_id) {
    SortOldestFirst(&entry.containers);
    auto uid = entry.sandbox.labels().find(kPodUidLabel);
    if (uid == entry.sandbox.labels().end()) continue;
    snapshot->pods[uid->second].push_back(std::move(entry));
  }
  for (auto& [uid, list] : snapshot->pods) {
    std::sort(list.begin(), list.end(), [](const SandboxSnapshot& a, const SandboxSnapshot& b) {
      return a.sandbox.created_at() < b.sandbox.created_at();
    });
  }
  return grpc::Status::OK;
}

}  // namespace fleetset::agent
