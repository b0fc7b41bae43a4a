#include "coordinator/frontend/watch_stream.h"

#include <deque>

#include "coordinator/frontend/grpc_status.h"
#include "coordinator/frontend/serial_stream_writer.h"

namespace fleetset::coordinator {

namespace {

// Events a watcher may have queued before it counts as fallen behind.
constexpr size_t kMaxQueuedEvents = 10000;

using Reactor = grpc::ServerWriteReactor<v1::WatchEvent>;

class WatchQueue final : public SerialStreamWriter<Reactor, v1::WatchEvent> {
 public:
  explicit WatchQueue(Reactor* stream) : SerialStreamWriter(stream) {}

  void Push(v1::WatchEvent event) {
    std::lock_guard lock(mu_);
    if (!OpenLocked()) return;
    if (queue_.size() >= kMaxQueuedEvents) {
      // Never allowed to grow without end: the client lists and watches again.
      FinishLocked({grpc::StatusCode::RESOURCE_EXHAUSTED,
                    "the watch fell too far behind; list and watch again"});
      return;
    }
    queue_.push_back(std::move(event));
    StartNextLocked();
  }

 private:
  const v1::WatchEvent* NextLocked() override { return queue_.empty() ? nullptr : &queue_.front(); }
  void OnWrittenLocked() override {
    if (!queue_.empty()) queue_.pop_front();
  }

  std::deque<v1::WatchEvent> queue_;
};

// Sets the event's object for each kind the watch serves.
void SetObject(v1::WatchEvent& event, v1::DaemonSet object) {
  *event.mutable_daemon_set() = std::move(object);
}
void SetObject(v1::WatchEvent& event, v1::Node object) {
  *event.mutable_node() = std::move(object);
}
void SetObject(v1::WatchEvent& event, v1::Pod object) { *event.mutable_pod() = std::move(object); }

template <typename T>
std::unique_ptr<storage::WatchHandle> WatchInto(const Registry<T>& registry,
                                                const WatchOptions& options,
                                                std::shared_ptr<WatchQueue> queue) {
  return registry.Watch(options, [queue](const WatchEvent<T>& change) {
    v1::WatchEvent event;
    event.set_type(WatchEventTypeName(change.type));
    SetObject(event, change.object);
    queue->Push(std::move(event));
  });
}

class WatchStream final : public Reactor {
 public:
  WatchStream(Registries& registries, const std::function<void()>& admit,
              const v1::WatchRequest& request)
      : queue_(std::make_shared<WatchQueue>(this)) {
    grpc::Status status = Serve([&] {
      admit();
      WatchOptions options;
      options.namespace_ = request.all_namespaces() ? "" : NamespaceOrDefault(request.namespace_());
      options.label_selector = request.label_selector();
      options.field_selector = request.field_selector();
      options.resource_version = request.resource_version();
      if (request.resource() == "daemonsets") {
        handle_ = WatchInto(registries.daemon_sets, options, queue_);
      } else if (request.resource() == "nodes") {
        options.namespace_.clear();
        handle_ = WatchInto(registries.nodes, options, queue_);
      } else if (request.resource() == "pods") {
        handle_ = WatchInto(registries.pods, options, queue_);
      } else {
        throw ApiError::BadRequest("resource: Unsupported value: \"" + request.resource() +
                                   "\": supported values: \"daemonsets\", \"nodes\", \"pods\"");
      }
    });
    if (!status.ok()) queue_->Finish(status);
  }

  void OnWriteDone(bool ok) override { queue_->WriteDone(ok); }
  void OnCancel() override { queue_->Finish(grpc::Status::CANCELLED); }

  void OnDone() override {
    // After this the registry calls back no more: the queue can go.
    handle_.reset();
    queue_->Detach();
    delete this;
  }

 private:
  std::shared_ptr<WatchQueue> queue_;
  std::unique_ptr<storage::WatchHandle> handle_;
};

}  // namespace

grpc::ServerWriteReactor<v1::WatchEvent>* StartWatchStream(Registries& registries,
                                                           const std::function<void()>& admit,
                                                           const v1::WatchRequest& request) {
  return new WatchStream(registries, admit, request);
}

}  // namespace fleetset::coordinator
