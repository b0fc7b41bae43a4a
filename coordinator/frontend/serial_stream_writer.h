// The bookkeeping every server stream of the coordinator shares: gRPC's
// callback API allows one write in flight per stream, a Finish must wait
// for that write, and the fleet may still hold the writer after the
// reactor is gone, so it reaches the reactor through a pointer that is
// cleared (Detach) when the reactor is done.
#pragma once

#include <grpcpp/support/status.h>

#include <mutex>
#include <optional>

namespace fleetset::coordinator {

template <class Reactor, class Message>
class SerialStreamWriter {
 public:
  explicit SerialStreamWriter(Reactor* stream) : stream_(stream) {}
  virtual ~SerialStreamWriter() = default;

  // From the reactor's OnWriteDone.
  void WriteDone(bool ok) {
    std::lock_guard lock(mu_);
    writing_ = false;
    OnWrittenLocked();
    if (!ok || stream_ == nullptr) return;
    if (finish_status_) {
      stream_->Finish(*finish_status_);
      finish_status_.reset();
      return;
    }
    StartNextLocked();
  }

  // Ends the stream once the write in flight (if any) is done. Only the
  // first call counts.
  void Finish(const grpc::Status& status) {
    std::lock_guard lock(mu_);
    FinishLocked(status);
  }

  // From the reactor's OnDone: the reactor is about to be deleted.
  void Detach() {
    std::lock_guard lock(mu_);
    stream_ = nullptr;
  }

 protected:
  // The next message to write, or nullptr when there is none. The message
  // must stay put until OnWrittenLocked. Called with mu_ held.
  virtual const Message* NextLocked() = 0;
  // The message in flight has been written (or the write failed).
  virtual void OnWrittenLocked() {}

  bool OpenLocked() const { return stream_ != nullptr && !finished_; }

  void StartNextLocked() {
    if (!OpenLocked() || writing_) return;
    const Message* next = NextLocked();
    if (next == nullptr) return;
    writing_ = true;
    stream_->StartWrite(next);
  }

  void FinishLocked(const grpc::Status& status) {
    if (!OpenLocked()) return;
    finished_ = true;
    if (writing_) {
      finish_status_ = status;
    } else {
      stream_->Finish(status);
    }
  }

  std::mutex mu_;

 private:
  Reactor* stream_;
  bool writing_ = false;
  bool finished_ = false;
  std::optional<grpc::Status> finish_status_;
};

}  // namespace fleetset::coordinator
