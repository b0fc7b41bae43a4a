#include "fetch.h"

#include <algorithm>

#include "fleetset/pod_owner.h"

namespace fleetset::ctl {
namespace {

constexpr auto kRead = Connection::Effect::kRead;

template <typename T>
std::vector<T> SortedByName(std::vector<T> items) {
  std::sort(items.begin(), items.end(), [](const T& a, const T& b) {
    return std::tie(a.metadata().namespace_(), a.metadata().name()) <
           std::tie(b.metadata().namespace_(), b.metadata().name());
  });
  return items;
}

template <typename T>
std::vector<T> ToVector(const google::protobuf::RepeatedPtrField<T>& items) {
  return {items.begin(), items.end()};
}

// Calls `get` for each name; names that fail are reported by the call and
// skipped. Stops when the coordinator is unreachable.
template <typename T, typename GetOne>
std::optional<std::vector<T>> ByName(Connection& connection, const std::vector<std::string>& names,
                                     GetOne get) {
  std::vector<T> found;
  for (const std::string& name : names) {
    T item;
    if (get(name, &item)) {
      found.push_back(std::move(item));
    } else if (connection.unreachable()) {
      return std::nullopt;
    }
  }
  return found;
}

// The items named in `names`, in that order; each name not among them is
// reported as kubectl reports it (`pods "x" not found`). All of them when
// no name is given.
template <typename T>
std::vector<T> Named(Connection& connection, std::vector<T> items,
                     const std::vector<std::string>& names, const std::string& plural) {
  if (names.empty()) return items;
  std::vector<T> found;
  for (const std::string& name : names) {
    auto it = std::find_if(items.begin(), items.end(),
                           [&](const T& item) { return item.metadata().name() == name; });
    if (it != items.end()) {
      found.push_back(*it);
    } else {
      connection.Report(
          grpc::Status(grpc::StatusCode::NOT_FOUND, plural + " \"" + name + "\" not found"));
    }
  }
  return found;
}

}  // namespace

std::optional<std::vector<v1::DaemonSet>> FetchDaemonSets(Connection& connection,
                                                          const Query& query) {
  if (!query.names.empty()) {
    return ByName<v1::DaemonSet>(
        connection, query.names, [&](const std::string& name, v1::DaemonSet* item) {
          v1::GetDaemonSetRequest request;
          request.mutable_key()->set_namespace_(query.namespace_);
          request.mutable_key()->set_name(name);
          return connection.Read(&v1::OperatorService::Stub::GetDaemonSet, request, item);
        });
  }
  v1::ListDaemonSetsRequest request;
  request.set_namespace_(query.namespace_);
  request.set_all_namespaces(query.all_namespaces);
  request.set_label_selector(query.label_selector);
  v1::ListDaemonSetsResponse response;
  if (!connection.Read(&v1::OperatorService::Stub::ListDaemonSets, request, &response)) {
    return std::nullopt;
  }
  return SortedByName(ToVector(response.items()));
}

std::optional<std::vector<v1::Node>> FetchNodes(Connection& connection, const Query& query) {
  if (!query.names.empty()) {
    return ByName<v1::Node>(connection, query.names, [&](const std::string& name, v1::Node* item) {
      v1::GetNodeRequest request;
      request.set_name(name);
      return connection.Read(&v1::OperatorService::Stub::GetNode, request, item);
    });
  }
  v1::ListNodesRequest request;
  request.set_label_selector(query.label_selector);
  v1::ListNodesResponse response;
  if (!connection.Read(&v1::OperatorService::Stub::ListNodes, request, &response)) {
    return std::nullopt;
  }
  return SortedByName(ToVector(response.items()));
}

std::optional<std::vector<v1::Pod>> FetchPods(Connection& connection, const Query& query) {
  // There is no GetPod: a named pod is looked up in its namespace's list.
  v1::ListPodsRequest request;
  request.set_namespace_(query.namespace_);
  request.set_all_namespaces(query.all_namespaces);
  request.set_label_selector(query.label_selector);
  request.set_node_name(query.node_name);
  v1::ListPodsResponse response;
  if (!connection.Read(&v1::OperatorService::Stub::ListPods, request, &response)) {
    return std::nullopt;
  }
  return Named(connection, SortedByName(ToVector(response.items())), query.names, "pods");
}

std::optional<std::vector<v1::User>> FetchUsers(Connection& connection, const Query& query) {
  v1::ListUsersResponse response;
  if (!connection.Read(&v1::OperatorService::Stub::ListUsers, v1::ListUsersRequest(), &response)) {
    return std::nullopt;
  }
  return Named(connection, SortedByName(ToVector(response.items())), query.names, "users");
}

std::optional<std::vector<v1::Coordinator>> FetchCoordinators(Connection& connection,
                                                              const Query& query) {
  v1::ListCoordinatorsResponse response;
  if (!connection.Read(&v1::OperatorService::Stub::ListCoordinators, v1::ListCoordinatorsRequest(),
                       &response)) {
    return std::nullopt;
  }
  return Named(connection, SortedByName(ToVector(response.items())), query.names, "coordinators");
}

template <ConfigObject T>
std::optional<std::vector<T>> FetchObjects(Connection& connection, const Query& query) {
  const ResourceType& type = TypeOf<T>();
  const std::string namespace_ = type.namespaced ? query.namespace_ : "";
  if (!query.names.empty()) {
    return ByName<T>(connection, query.names, [&](const std::string& name, T* item) {
      v1::GetObjectRequest request;
      request.set_resource(std::string(type.resource));
      request.set_namespace_(namespace_);
      request.set_name(name);
      v1::Object object;
      if (!connection.Read(&v1::OperatorService::Stub::GetObject, request, &object)) return false;
      if (const T* member = MemberOf<T>(object)) *item = *member;
      return true;
    });
  }
  v1::ListObjectsRequest request;
  request.set_resource(std::string(type.resource));
  request.set_namespace_(namespace_);
  request.set_all_namespaces(query.all_namespaces);
  request.set_label_selector(query.label_selector);
  v1::ListObjectsResponse response;
  if (!connection.Read(&v1::OperatorService::Stub::ListObjects, request, &response)) {
    return std::nullopt;
  }
  std::vector<T> items;
  for (const v1::Object& object : response.items()) {
    if (const T* member = MemberOf<T>(object)) items.push_back(*member);
  }
  return SortedByName(std::move(items));
}

template std::optional<std::vector<v1::ConfigMap>> FetchObjects(Connection&, const Query&);
template std::optional<std::vector<v1::Secret>> FetchObjects(Connection&, const Query&);
template std::optional<std::vector<v1::PriorityClass>> FetchObjects(Connection&, const Query&);
template std::optional<std::vector<v1::Namespace>> FetchObjects(Connection&, const Query&);

std::vector<v1::Pod> PodsOf(Connection& connection, const v1::DaemonSet& daemon_set) {
  v1::ListPodsRequest request;
  request.set_namespace_(daemon_set.metadata().namespace_());
  v1::ListPodsResponse response;
  if (!connection.Invoke(kRead, &v1::OperatorService::Stub::ListPods, request, &response).ok()) {
    return {};
  }
  const PodOwner owner = PodOwner::DaemonSet(daemon_set.metadata());
  std::vector<v1::Pod> owned;
  for (const v1::Pod& pod : response.items()) {
    if (OwnerOf(pod) == owner) owned.push_back(pod);
  }
  return owned;
}

const v1::PodTemplateSpec* RevisionTemplates::Of(const v1::Pod& pod) {
  if (pod.owner().empty()) return nullptr;
  auto [history, first] = histories_.try_emplace(pod.metadata().namespace_() + "/" + pod.owner());
  if (first) {
    v1::RolloutHistoryRequest request;
    request.mutable_key()->set_namespace_(pod.metadata().namespace_());
    request.mutable_key()->set_name(pod.owner().substr(pod.owner().find('/') + 1));
    v1::RolloutHistoryResponse response;
    if (connection_.Invoke(kRead, &v1::OperatorService::Stub::RolloutHistory, request, &response)
            .ok()) {
      history->second.assign(response.revisions().begin(), response.revisions().end());
    }
  }
  for (const v1::DaemonSetRevision& revision : history->second) {
    if (revision.hash() == pod.revision_hash()) return &revision.template_();
  }
  return nullptr;
}

std::optional<std::vector<v1::Event>> EventsAbout(Connection& connection,
                                                  const std::string& involved_object) {
  v1::ListEventsRequest request;
  request.set_involved_object(involved_object);
  v1::ListEventsResponse response;
  if (!connection.Invoke(kRead, &v1::OperatorService::Stub::ListEvents, request, &response).ok()) {
    return std::nullopt;
  }
  return ToVector(response.items());
}

}  // namespace fleetset::ctl
