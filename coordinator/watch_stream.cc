#include "coordinator/watch_stream.h"

#include <deque>

#include "coordinator/serial_stream_writer.h"

namespace fleetset::coordinator {

namespace {

// Events a watcher may have queued before it counts as fallen behind.
constexpr size_t kMaxQueuedEvents = 10000;

using Reactor = grpc::ServerWriteReactor<v1::WatchEvent>;

class WatchQueue final : public WatchSink, public SerialStreamWriter<Reactor, v1::WatchEvent> {
 public:
  explicit WatchQueue(Reactor* stream) : SerialStreamWriter(stream) {}

  bool Push(const v1::WatchEvent& event) override {
    std::lock_guard lock(mu_);
    if (!OpenLocked()) return false;
    if (queue_.size() >= kMaxQueuedEvents) {
      FinishLocked({grpc::StatusCode::RESOURCE_EXHAUSTED,
                    "the watch fell too far behind; list and watch again"});
      return false;
    }
    queue_.push_back(event);
    StartNextLocked();
    return true;
  }

 private:
  const v1::WatchEvent* NextLocked() override { return queue_.empty() ? nullptr : &queue_.front(); }
  void OnWrittenLocked() override {
    if (!queue_.empty()) queue_.pop_front();
  }

  std::deque<v1::WatchEvent> queue_;
};

class WatchStream final : public Reactor {
 public:
  WatchStream(Fleet& fleet, const v1::WatchRequest& request)
      : fleet_(fleet), queue_(std::make_shared<WatchQueue>(this)) {
    grpc::Status status = fleet_.AddWatcher(request, queue_, &id_);
    if (!status.ok()) queue_->Finish(status);
  }

  void OnWriteDone(bool ok) override { queue_->WriteDone(ok); }
  void OnCancel() override { queue_->Finish(grpc::Status::CANCELLED); }

  void OnDone() override {
    if (id_ != 0) fleet_.RemoveWatcher(id_);
    queue_->Detach();
    delete this;
  }

 private:
  Fleet& fleet_;
  std::shared_ptr<WatchQueue> queue_;
  uint64_t id_ = 0;
};

}  // namespace

grpc::ServerWriteReactor<v1::WatchEvent>* StartWatchStream(Fleet& fleet,
                                                           const v1::WatchRequest& request) {
  return new WatchStream(fleet, request);
}

}  // namespace fleetset::coordinator
