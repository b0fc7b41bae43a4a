// Watches: the current objects as ADDED, then every change as it happens.
#include "coordinator/api_errors.h"
#include "coordinator/fleet.h"

namespace fleetset::coordinator {

namespace {

// The resource an event is about, in WatchRequest.resource's terms.
std::string ResourceOf(const v1::WatchEvent& event) {
  switch (event.object_case()) {
    case v1::WatchEvent::kDaemonSet:
      return "daemonsets";
    case v1::WatchEvent::kNode:
      return "nodes";
    case v1::WatchEvent::kPod:
      return "pods";
    default:
      return "";
  }
}

bool KnownResource(const std::string& resource) {
  return resource == "daemonsets" || resource == "nodes" || resource == "pods";
}

}  // namespace

grpc::Status Fleet::AddWatcher(const v1::WatchRequest& request, std::shared_ptr<WatchSink> sink,
                               uint64_t* id) {
  if (!KnownResource(request.resource())) {
    return BadRequest("resource: Unsupported value: \"" + request.resource() +
                      "\": supported values: \"daemonsets\", \"nodes\", \"pods\"");
  }
  std::string error;
  std::optional<StringSelector> selector = StringSelector::Parse(request.label_selector(), &error);
  if (!selector) return BadRequest("labelSelector: " + error);
  std::lock_guard lock(mu_);
  *id = next_watcher_id_++;
  // The initial list goes to the new watcher only: set the others aside.
  std::map<uint64_t, Watcher> others = std::move(watchers_);
  watchers_.clear();
  Watcher& watcher = watchers_[*id];
  watcher.request = request;
  watcher.selector = std::move(selector);
  watcher.sink = std::move(sink);
  watcher.request.set_namespace_(NamespaceOrDefault(watcher.request.namespace_()));
  // The initial list, through the same filter as later changes.
  if (request.resource() == "daemonsets") {
    for (const auto& [key, record] : daemon_sets_) PublishDaemonSet("ADDED", record);
  } else if (request.resource() == "nodes") {
    for (const auto& [name, record] : nodes_) PublishNode("ADDED", record);
  } else {
    for (const auto& [name, record] : nodes_) {
      if (!record.report) continue;
      for (const v1::Pod& pod : record.report->pods()) {
        v1::Pod shown = pod;
        if (shown.node_name().empty()) shown.set_node_name(name);
        PublishPod("ADDED", shown);
      }
    }
  }
  watchers_.merge(others);
  return grpc::Status::OK;
}

void Fleet::RemoveWatcher(uint64_t id) {
  std::lock_guard lock(mu_);
  watchers_.erase(id);
}

void Fleet::Publish(const v1::WatchEvent& event, const std::string& namespace_,
                    const google::protobuf::Map<std::string, std::string>& labels) {
  const std::string resource = ResourceOf(event);
  for (auto it = watchers_.begin(); it != watchers_.end();) {
    const Watcher& watcher = it->second;
    const bool namespaced = resource != "nodes" && !watcher.request.all_namespaces();
    if (watcher.request.resource() != resource ||
        (namespaced && watcher.request.namespace_() != namespace_) ||
        !watcher.selector->Matches(ToLabels(labels))) {
      ++it;
      continue;
    }
    // A watcher that cannot keep up is dropped (its stream ends with an
    // error and the client lists again), never allowed to grow without end.
    it = watcher.sink->Push(event) ? std::next(it) : watchers_.erase(it);
  }
}

void Fleet::PublishDaemonSet(const std::string& type, const DaemonSetRecord& record) {
  if (watchers_.empty()) return;
  v1::WatchEvent event;
  event.set_type(type);
  *event.mutable_daemon_set() = WithStatus(record);
  Publish(event, record.object.metadata().namespace_(), record.object.metadata().labels());
}

void Fleet::PublishNode(const std::string& type, const NodeRecord& record) {
  if (watchers_.empty()) return;
  v1::WatchEvent event;
  event.set_type(type);
  *event.mutable_node() = PublicNode(record);
  Publish(event, "", record.stored.node().metadata().labels());
}

void Fleet::PublishPod(const std::string& type, const v1::Pod& pod) {
  if (watchers_.empty()) return;
  v1::WatchEvent event;
  event.set_type(type);
  *event.mutable_pod() = pod;
  event.mutable_pod()->set_api_version("v1");
  event.mutable_pod()->set_kind("Pod");
  Publish(event, pod.metadata().namespace_(), pod.metadata().labels());
}

}  // namespace fleetset::coordinator
