#include "coordinator/watch_stream.h"

#include <deque>
#include <mutex>

namespace fleetset::coordinator {

namespace {

// Events a watcher may have queued before it counts as fallen behind.
constexpr size_t kMaxQueuedEvents = 10000;

using Reactor = grpc::ServerWriteReactor<v1::WatchEvent>;

class WatchQueue final : public WatchSink {
 public:
  explicit WatchQueue(Reactor* stream) : stream_(stream) {}

  bool Push(const v1::WatchEvent& event) override {
    std::lock_guard lock(mu_);
    if (stream_ == nullptr || finished_) return false;
    if (queue_.size() >= kMaxQueuedEvents) {
      FinishLocked({grpc::StatusCode::RESOURCE_EXHAUSTED,
                    "the watch fell too far behind; list and watch again"});
      return false;
    }
    queue_.push_back(event);
    if (!writing_) WriteNextLocked();
    return true;
  }

  void WriteDone(bool ok) {
    std::lock_guard lock(mu_);
    writing_ = false;
    if (!queue_.empty()) queue_.pop_front();
    if (!ok || stream_ == nullptr) return;
    if (finish_status_) {
      stream_->Finish(*finish_status_);
      finish_status_.reset();
      return;
    }
    WriteNextLocked();
  }

  void Finish(const grpc::Status& status) {
    std::lock_guard lock(mu_);
    FinishLocked(status);
  }

  void Detach() {
    std::lock_guard lock(mu_);
    stream_ = nullptr;
  }

 private:
  void WriteNextLocked() {
    if (queue_.empty() || stream_ == nullptr || finished_) return;
    writing_ = true;
    stream_->StartWrite(&queue_.front());
  }

  void FinishLocked(const grpc::Status& status) {
    if (stream_ == nullptr || finished_) return;
    finished_ = true;
    if (writing_) {
      finish_status_ = status;
    } else {
      stream_->Finish(status);
    }
  }

  std::mutex mu_;
  Reactor* stream_;
  std::deque<v1::WatchEvent> queue_;
  bool writing_ = false;
  bool finished_ = false;
  std::optional<grpc::Status> finish_status_;
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
