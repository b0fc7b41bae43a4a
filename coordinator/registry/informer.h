// A controller's cache of one kind, kept current by a watch (client-go's
// informer): the objects as shared, immutable snapshots, and handlers told
// of every change after the cache has applied it. The owner reads the
// cache without touching the store; the lock it takes is held only to copy
// a pointer, never across I/O.
#pragma once

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "coordinator/registry/registry.h"

namespace fleetset::coordinator {

template <typename T>
class Informer {
 public:
  using Handler = std::function<void(const WatchEvent<T>&)>;

  explicit Informer(const Registry<T>& registry, ListOptions options = {})
      : registry_(registry), options_(std::move(options)) {}
  ~Informer() { Stop(); }

  // Handlers run on the store's thread (on Start's caller for the initial
  // list), after the cache has the change; they must not block.
  void AddHandler(Handler handler) { handlers_.push_back(std::move(handler)); }

  // Lists, then watches. Throws ApiError when the store cannot be read.
  void Start() {
    WatchOptions watch;
    static_cast<ListOptions&>(watch) = options_;
    handle_ = registry_.WatchBatches(
        watch, [this](const std::vector<WatchEvent<T>>& events) { Apply(events); });
  }
  void Stop() { handle_.reset(); }

  // "namespace/name" for namespaced kinds (by storage name), "name" otherwise.
  static std::string CacheKey(const std::string& namespace_, const std::string& name) {
    return namespace_.empty() ? name : namespace_ + "/" + name;
  }

  std::shared_ptr<const T> Get(const std::string& namespace_, const std::string& name) const {
    std::lock_guard lock(mu_);
    auto it = items_.find(CacheKey(namespace_, name));
    return it == items_.end() ? nullptr : it->second;
  }

  // A snapshot of every cached object, in key order.
  std::vector<std::shared_ptr<const T>> List() const {
    std::lock_guard lock(mu_);
    std::vector<std::shared_ptr<const T>> items;
    items.reserve(items_.size());
    for (const auto& [key, item] : items_) items.push_back(item);
    return items;
  }

  size_t Size() const {
    std::lock_guard lock(mu_);
    return items_.size();
  }

  // The newest store revision whose change to this kind the cache holds
  // and its handlers were told of.
  storage::Revision Revision() const {
    std::lock_guard lock(mu_);
    return revision_;
  }

  // Waits until the cache holds the change made at `revision` (or a later
  // one) and its handlers were told of it: how a controller waits to see
  // its own writes before acting again.
  void WaitForRevision(storage::Revision revision) const {
    std::unique_lock lock(mu_);
    changed_.wait(lock, [&] { return revision_ >= revision; });
  }

 private:
  // Whole transactions: the revision moves once all of their objects are
  // in, so that WaitForRevision never returns between two objects one
  // transaction wrote (the etcd store's batches write hundreds at one);
  // and once the handlers have been told of them, so that a controller
  // that waited for its own writes also finds what its handlers note
  // (which nodes changed) up to date.
  void Apply(const std::vector<WatchEvent<T>>& events) {
    storage::Revision newest = 0;
    {
      std::lock_guard lock(mu_);
      for (const WatchEvent<T>& event : events) {
        const v1::ObjectMeta& meta = event.object.metadata();
        const std::string key = CacheKey(meta.namespace_(), registry_.StorageNameOf(event.object));
        if (event.type == WatchEventType::kDeleted) {
          items_.erase(key);
        } else {
          items_[key] = std::make_shared<const T>(event.object);
        }
        newest = std::max(newest, ResourceRevision(meta));
      }
    }
    for (const WatchEvent<T>& event : events) {
      for (const Handler& handler : handlers_) handler(event);
    }
    {
      std::lock_guard lock(mu_);
      revision_ = std::max(revision_, newest);
    }
    changed_.notify_all();
  }

  const Registry<T>& registry_;
  const ListOptions options_;
  std::vector<Handler> handlers_;
  std::unique_ptr<storage::WatchHandle> handle_;

  mutable std::mutex mu_;
  mutable std::condition_variable changed_;
  std::map<std::string, std::shared_ptr<const T>> items_;
  storage::Revision revision_ = 0;
};

}  // namespace fleetset::coordinator
