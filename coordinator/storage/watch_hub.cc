#include "coordinator/storage/watch_hub.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <iterator>
#include <mutex>
#include <thread>
#include <utility>

#include "coordinator/storage/thread_priority.h"
#include "daemon/thread_name.h"

namespace fleetset::coordinator::storage {
namespace {

Revision RevisionOf(const WatchEvent& event) { return event.kv.mod_revision; }

struct Watcher {
  const std::string prefix;
  const Revision from;
  WatchCallback callback;
  // Guarded by the hub's mutex, as is everything below.
  std::vector<WatchEvent> pending;
  // Queued for delivery (in Core::ready).
  bool ready = false;
  bool cancelled = false;
};

}  // namespace

struct WatchHub::Core {
  Core(Revision start_revision, size_t history_events)
      : history_limit(history_events), compacted(start_revision) {}

  // Adds the events of [first, last) that `watcher` wants to what it has
  // pending, and queues it for delivery when it has something.
  template <typename Iterator>
  void Enqueue(const std::shared_ptr<Watcher>& watcher, Iterator first, Iterator last) {
    for (; first != last; ++first) {
      if (RevisionOf(*first) >= watcher->from && first->kv.key.starts_with(watcher->prefix)) {
        watcher->pending.push_back(*first);
      }
    }
    if (!watcher->pending.empty() && !watcher->ready) {
      watcher->ready = true;
      ready.push_back(watcher);
    }
  }

  // Drops whole revisions, oldest first, until the window fits: a watch
  // never starts in the middle of a transaction.
  void Trim() {
    while (history.size() > history_limit) {
      compacted = RevisionOf(history.front());
      while (!history.empty() && RevisionOf(history.front()) == compacted) history.pop_front();
    }
  }

  // The delivery thread: one watcher at a time, its callback run without
  // the mutex held.
  void Deliver() {
    NameCurrentThread("watch-deliver");
    YieldCallingThreadTo(kWatchThreadNiceness);
    while (true) {
      // Declared before the lock so that they are destroyed after it is
      // released: a watcher whose handle is gone takes its callback (and
      // whatever the callback captured) with it.
      std::shared_ptr<Watcher> watcher;
      std::vector<WatchEvent> events;
      std::unique_lock lock(mutex);
      wake.wait(lock, [this] { return closed || !ready.empty(); });
      if (closed) return;
      watcher = std::move(ready.front());
      ready.pop_front();
      watcher->ready = false;
      if (watcher->cancelled) continue;
      events.swap(watcher->pending);
      delivering = watcher.get();
      lock.unlock();
      watcher->callback(events);
      lock.lock();
      delivering = nullptr;
      delivered.notify_all();
    }
  }

  std::mutex mutex;
  // The delivery thread waits for work or closing on `wake`; a handle
  // destroyed during its watcher's callback waits on `delivered`.
  std::condition_variable wake;
  std::condition_variable delivered;
  std::deque<WatchEvent> history;
  const size_t history_limit;
  // The newest revision whose events are no longer, or never were, kept.
  Revision compacted;
  std::vector<std::shared_ptr<Watcher>> watchers;
  std::deque<std::shared_ptr<Watcher>> ready;
  // The watcher whose callback runs now.
  const Watcher* delivering = nullptr;
  bool closed = false;
  std::thread thread;
  std::thread::id thread_id;
};

class WatchHub::Handle final : public WatchHandle {
 public:
  Handle(std::shared_ptr<Core> core, std::shared_ptr<Watcher> watcher)
      : core_(std::move(core)), watcher_(std::move(watcher)) {}
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;

  ~Handle() override {
    // Destroyed after the lock is released: its captures may do anything.
    WatchCallback callback;
    std::unique_lock lock(core_->mutex);
    watcher_->cancelled = true;
    watcher_->pending.clear();
    std::erase(core_->watchers, watcher_);
    if (core_->delivering == watcher_.get()) {
      // From inside its own callback: that call is the last, and the
      // delivery thread releases the callback once it returns.
      if (std::this_thread::get_id() == core_->thread_id) return;
      core_->delivered.wait(lock, [this] { return core_->delivering != watcher_.get(); });
    }
    callback = std::move(watcher_->callback);
  }

 private:
  std::shared_ptr<Core> core_;
  std::shared_ptr<Watcher> watcher_;
};

WatchHub::WatchHub(Revision start_revision, size_t history_events,
                   std::function<Revision()> current_revision)
    : current_revision_(std::move(current_revision)),
      core_(std::make_shared<Core>(start_revision, history_events)) {
  core_->thread = std::thread([core = core_.get()] { core->Deliver(); });
  core_->thread_id = core_->thread.get_id();
}

WatchHub::~WatchHub() { Close(); }

void WatchHub::Publish(std::vector<WatchEvent> events) {
  if (events.empty()) return;
  {
    std::lock_guard lock(core_->mutex);
    if (core_->closed) return;
    for (const std::shared_ptr<Watcher>& watcher : core_->watchers) {
      core_->Enqueue(watcher, events.begin(), events.end());
    }
    std::move(events.begin(), events.end(), std::back_inserter(core_->history));
    core_->Trim();
  }
  core_->wake.notify_one();
}

std::unique_ptr<WatchHandle> WatchHub::Watch(const std::string& prefix, Revision from,
                                             WatchCallback callback) {
  // Asked before the lock: it reads the store.
  if (from == 0) from = current_revision_() + 1;
  std::unique_ptr<WatchHandle> handle;
  {
    std::lock_guard lock(core_->mutex);
    if (core_->closed) throw StorageError("the store is closed");
    if (from <= core_->compacted) throw CompactedError(from, core_->compacted);
    auto watcher = std::make_shared<Watcher>(prefix, from, std::move(callback));
    // Registered and given its past events under one lock: no event is
    // missed nor delivered twice between the replay and the live ones.
    auto first = std::lower_bound(
        core_->history.begin(), core_->history.end(), from,
        [](const WatchEvent& event, Revision revision) { return RevisionOf(event) < revision; });
    core_->Enqueue(watcher, first, core_->history.end());
    core_->watchers.push_back(watcher);
    handle = std::make_unique<Handle>(core_, std::move(watcher));
  }
  core_->wake.notify_one();
  return handle;
}

void WatchHub::Close() {
  // Released after the lock: the watchers queued for delivery.
  std::deque<std::shared_ptr<Watcher>> dropped;
  {
    std::lock_guard lock(core_->mutex);
    core_->closed = true;
    dropped.swap(core_->ready);
    core_->history.clear();
  }
  core_->wake.notify_one();
  if (core_->thread.joinable()) core_->thread.join();
}

}  // namespace fleetset::coordinator::storage
