// One kind's objects in the store, as kube-apiserver's generic registry
// keeps them: the key layout, uid and creation time, metadata.resourceVersion
// from the store's mod_revision, optimistic concurrency (a write naming an
// older resourceVersion is refused with Conflict), list and watch with label
// and field selectors, watch from a resourceVersion (too old: Gone). The
// kind's own rules come from its Strategy.
//
// Thread-safe: it keeps no state but the store's. Every failure is an
// ApiError.
#pragma once

#include <google/protobuf/timestamp.pb.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "coordinator/registry/api_error.h"
#include "coordinator/registry/caller.h"
#include "coordinator/registry/list_options.h"
#include "coordinator/registry/object_selection.h"
#include "coordinator/registry/storage_keys.h"
#include "coordinator/registry/strategy.h"
#include "coordinator/registry/value_transformer.h"
#include "coordinator/storage/storage.h"
#include "coordinator/timestamps.h"
#include "fleetset/clock.h"

namespace fleetset::coordinator {

template <typename T>
class Registry {
 public:
  using Event = WatchEvent<T>;
  using EventCallback = std::function<void(const Event&)>;
  // Whole transactions at a time (the store's batches); never empty.
  using BatchCallback = std::function<void(const std::vector<Event>&)>;
  // How an asynchronous write ended: `error` is nullopt when it happened,
  // at `revision` (0 when it changed nothing).
  struct WriteResult {
    std::optional<ApiError> error;
    storage::Revision revision = 0;
  };
  using WriteDone = std::function<void(const WriteResult&)>;

  // `transformer` (may be null: values as they are) encrypts the kind's
  // values at rest.
  Registry(storage::Storage& storage, const Strategy<T>& strategy, const Clock& clock,
           const ValueTransformer* transformer = nullptr)
      : storage_(storage), strategy_(strategy), clock_(clock), transformer_(transformer) {}

  const ResourceInfo& info() const { return strategy_.Info(); }
  storage::Storage& storage() const { return storage_; }

  // `name` is the storage name (see Strategy::StorageName).
  std::string Key(const std::string& namespace_, const std::string& name) const {
    return ObjectStorageKey(info().resource, StoredNamespace(info(), namespace_), name);
  }
  std::string StorageNameOf(const T& object) const { return strategy_.StorageName(object); }
  std::string KeyOf(const T& object) const {
    return Key(object.metadata().namespace_(), strategy_.StorageName(object));
  }

  // --- Reads -----------------------------------------------------------

  std::optional<T> Find(const std::string& namespace_, const std::string& name) const {
    std::optional<storage::KeyValue> kv = Read([&] { return storage_.Get(Key(namespace_, name)); });
    if (!kv) return std::nullopt;
    return Decode(*kv);
  }

  T Get(const std::string& namespace_, const std::string& name) const {
    std::optional<T> object = Find(namespace_, name);
    if (!object) throw ApiError::NotFound(info().QualifiedResource(), name);
    return std::move(*object);
  }

  ObjectList<T> List(const ListOptions& options = {}) const {
    ObjectSelection selection(info(), options);
    storage::ListResult listed = Read([&] { return storage_.List(selection.prefix()); });
    ObjectList<T> list;
    list.resource_version = std::to_string(listed.revision);
    for (const storage::KeyValue& kv : listed.items) {
      T object = Decode(kv);
      if (Selected(selection, object)) list.items.push_back(std::move(object));
    }
    return list;
  }

  // The current objects as kAdded (unless options name a resourceVersion),
  // then every change, each as the selection sees it: an object that
  // stops matching the selectors is kDeleted for this watch, one that
  // starts matching is kAdded. `callback` runs on the caller's thread for
  // the current objects, then on the store's thread, never concurrently;
  // it must not block. Cancel by destroying the handle.
  std::unique_ptr<storage::WatchHandle> Watch(const WatchOptions& options,
                                              EventCallback callback) const {
    return WatchBatches(options, [callback](const std::vector<Event>& events) {
      for (const Event& event : events) callback(event);
    });
  }

  // The same, each call with the events of whole transactions (the
  // current objects in one call): several objects written in one
  // transaction share its revision, and a cache that applies them
  // together never holds that revision with only some of them.
  std::unique_ptr<storage::WatchHandle> WatchBatches(const WatchOptions& options,
                                                     BatchCallback callback) const {
    auto selection = std::make_shared<ObjectSelection>(info(), options);
    std::optional<storage::Revision> from = ParseResourceVersion(options.resource_version);
    if (!from) {
      ObjectList<T> current = List(options);
      std::vector<Event> listed;
      listed.reserve(current.items.size());
      for (T& object : current.items) listed.push_back({WatchEventType::kAdded, std::move(object)});
      if (!listed.empty()) callback(listed);
      from = static_cast<storage::Revision>(std::stoll(current.resource_version));
    }
    auto on_events = [this, selection, callback](const std::vector<storage::WatchEvent>& events) {
      std::vector<Event> seen;
      seen.reserve(events.size());
      for (const storage::WatchEvent& event : events) {
        if (std::optional<Event> translated = Translate(*selection, event)) {
          seen.push_back(std::move(*translated));
        }
      }
      if (!seen.empty()) callback(seen);
    };
    try {
      return storage_.Watch(selection->prefix(), *from + 1, std::move(on_events));
    } catch (const storage::CompactedError& error) {
      throw ApiError::Gone(*from, error.compacted_revision + 1);
    } catch (const storage::StorageError& error) {
      throw ApiError::Unavailable(std::string("store unavailable: ") + error.what());
    }
  }

  // --- Writes ----------------------------------------------------------

  T Create(const Caller& caller, T object, const WriteOptions& options = {}) {
    (void)caller;  // authorization and audit read it
    storage::Transaction transaction = PrepareCreate(object);
    if (options.dry_run) return object;
    const storage::TransactionResult result = storage_.Commit(std::move(transaction));
    CheckCommitted(result, [&] {
      return ApiError::AlreadyExists(info().QualifiedResource(), object.metadata().name());
    });
    object.mutable_metadata()->set_resource_version(std::to_string(result.revision));
    return object;
  }

  // Replaces the stored object (NotFound when there is none). When
  // `object` names a resourceVersion it must be the stored one (else
  // Conflict); without one the update applies to whatever is stored,
  // retried if it changes meanwhile. An update that changes nothing writes
  // nothing and returns the stored object.
  T Update(const Caller& caller, T object, const WriteOptions& options = {}) {
    return Replace(caller, std::move(object), options, /*status=*/false);
  }

  // The same for the status subresource: only the status changes.
  T UpdateStatus(const Caller& caller, T object, const WriteOptions& options = {}) {
    return Replace(caller, std::move(object), options, /*status=*/true);
  }

  // Read, change, write; retried from a fresh read while another writer
  // gets in between. `mutate` may throw an ApiError to refuse.
  T GuaranteedUpdate(const Caller& caller, const std::string& namespace_, const std::string& name,
                     const std::function<void(T&)>& mutate, const WriteOptions& options = {}) {
    for (int attempt = 0;; ++attempt) {
      T current = Get(namespace_, name);
      T updated = current;
      mutate(updated);
      updated.mutable_metadata()->set_resource_version(current.metadata().resource_version());
      try {
        return Update(caller, std::move(updated), options);
      } catch (const ApiError& error) {
        if (error.reason() != ApiError::Reason::kConflict || attempt >= kMaxRetries) throw;
      }
    }
  }

  // Returns the deleted object.
  T Delete(const Caller& caller, const std::string& namespace_, const std::string& name,
           const DeleteOptions& options = {}) {
    (void)caller;
    T current = Get(namespace_, name);
    if (!options.resource_version.empty() &&
        options.resource_version != current.metadata().resource_version()) {
      throw ApiError::Conflict(info().QualifiedResource(), name);
    }
    if (options.dry_run) return current;
    storage::Transaction transaction;
    const std::string key = Key(namespace_, name);
    transaction.compares.push_back(
        storage::Compare::ModRevision(key, ResourceRevision(current.metadata())));
    transaction.operations.push_back(storage::Operation::Delete(key));
    CheckCommitted(storage_.Commit(std::move(transaction)),
                   [&] { return ApiError::Conflict(info().QualifiedResource(), name); });
    return current;
  }

  // For the coordinator's own writers, which must not wait for the disk
  // (controllers, the agent hub): the same writes, committed in the
  // background; `done` runs on the store's thread (may be empty).

  // Stores `object` if its resourceVersion is still the stored one (an
  // empty one: if it does not exist yet); otherwise Conflict. `cached`, the
  // object as the caller's cache holds it, stands for the stored one when
  // it has the resourceVersion `object` names, sparing a read of the store
  // (on etcd a round trip through its leader); the commit still checks that
  // it is current.
  void UpdateAsync(const Caller& caller, T object, bool status, WriteDone done = {},
                   const T* cached = nullptr) {
    (void)caller;
    std::optional<storage::Revision> expected =
        ParseResourceVersion(object.metadata().resource_version());
    std::optional<T> old;
    if (expected && cached != nullptr &&
        cached->metadata().resource_version() == object.metadata().resource_version()) {
      old = *cached;
    } else if (expected) {
      old = Find(object.metadata().namespace_(), strategy_.StorageName(object));
      if (!old || old->metadata().resource_version() != object.metadata().resource_version()) {
        return Report(done,
                      ApiError::Conflict(info().QualifiedResource(), object.metadata().name()));
      }
    }
    storage::Transaction transaction;
    try {
      transaction = old ? PrepareUpdate(object, *old, status) : PrepareCreate(object);
    } catch (const ApiError& error) {
      return Report(done, error);
    }
    CommitInBackground(std::move(transaction), object.metadata().name(), std::move(done));
  }

  // Creates `object`, whose name its writer made unique (an event's),
  // without checking that the name is free (no read before, no compare in
  // the transaction).
  void CreateUniqueAsync(const Caller& caller, T object, WriteDone done = {}) {
    (void)caller;
    storage::Transaction transaction;
    try {
      transaction = PrepareCreate(object);
    } catch (const ApiError& error) {
      return Report(done, error);
    }
    transaction.compares.clear();
    CommitInBackground(std::move(transaction), object.metadata().name(), std::move(done));
  }

  // Writes `object` whatever is stored, for a writer that owns the object
  // outright (an agent's report of its own pods).
  void PutAsync(const Caller& caller, T object, WriteDone done = {}) {
    (void)caller;
    object.mutable_metadata()->set_namespace_(
        StoredNamespace(info(), object.metadata().namespace_()));
    if (FieldErrors errors = strategy_.Validate(object); !errors.empty()) {
      return Report(done, ApiError::Invalid(info().kind, object.metadata().name(), errors));
    }
    storage::Transaction transaction;
    const std::string key = KeyOf(object);
    transaction.operations.push_back(storage::Operation::Put(key, Stored(key, Encode(object))));
    CommitInBackground(std::move(transaction), object.metadata().name(), std::move(done));
  }

  void DeleteAsync(const Caller& caller, const std::string& namespace_, const std::string& name,
                   WriteDone done = {}) {
    (void)caller;
    storage::Transaction transaction;
    transaction.operations.push_back(storage::Operation::Delete(Key(namespace_, name)));
    CommitInBackground(std::move(transaction), name, std::move(done));
  }

  // Writes again, as they are, the stored values `current` says were not
  // written the current way (after an encryption key rotation); returns
  // how many. A value changed meanwhile is left to its new writer.
  size_t Rewrite(const std::function<bool(std::string_view stored)>& current) {
    size_t rewritten = 0;
    const std::string prefix = ResourcePrefix(info().resource);
    for (const storage::KeyValue& kv : Read([&] { return storage_.List(prefix).items; })) {
      if (current(kv.value)) continue;
      storage::Transaction transaction;
      transaction.compares.push_back(storage::Compare::ModRevision(kv.key, kv.mod_revision));
      T object = Decode(kv);
      transaction.operations.push_back(
          storage::Operation::Put(kv.key, Stored(kv.key, Encode(std::move(object)))));
      if (storage_.Commit(std::move(transaction)).committed()) ++rewritten;
    }
    return rewritten;
  }

  // The stored form: the object without its resourceVersion (that is the
  // store's mod_revision, added back on every read).
  static std::string Encode(T object) {
    object.mutable_metadata()->clear_resource_version();
    std::string bytes;
    if (!object.SerializeToString(&bytes)) {
      throw ApiError::Internal("cannot serialize " + object.GetTypeName());
    }
    return bytes;
  }

 private:
  static constexpr int kMaxRetries = 16;

  template <typename ReadFn>
  static auto Read(ReadFn read) -> decltype(read()) {
    try {
      return read();
    } catch (const storage::StorageError& error) {
      throw ApiError::Unavailable(std::string("store unavailable: ") + error.what());
    }
  }

  // The value as the store keeps it.
  std::string Stored(const std::string& key, std::string plain) const {
    return transformer_ ? transformer_->ToStorage(plain, key) : plain;
  }

  T Decode(const storage::KeyValue& kv) const {
    std::string plain;
    if (transformer_) {
      try {
        plain = transformer_->FromStorage(kv.value, kv.key);
      } catch (const std::runtime_error& error) {
        throw ApiError::Internal(error.what());
      }
    }
    T object;
    if (!object.ParseFromString(transformer_ ? plain : kv.value)) {
      throw ApiError::Internal("stored " + info().resource + " object " + kv.key +
                               " cannot be read (corrupt value)");
    }
    object.mutable_metadata()->set_resource_version(std::to_string(kv.mod_revision));
    object.set_api_version(info().api_version);
    object.set_kind(info().kind);
    return object;
  }

  bool Selected(const ObjectSelection& selection, const T& object) const {
    if (selection.SelectsAll()) return true;
    Fields fields;
    strategy_.AddSelectableFields(object, fields);
    return selection.Matches(object.metadata(), std::move(fields));
  }

  std::optional<Event> Translate(const ObjectSelection& selection,
                                 const storage::WatchEvent& event) const {
    std::optional<T> before;
    // Without selectors the previous value only tells a modification from
    // an addition, which its presence alone does: a watcher of every
    // object (the informers) then decodes one value per change, not two.
    const bool decode_before =
        event.previous &&
        (event.type == storage::WatchEvent::Type::kDelete || !selection.SelectsAll());
    if (decode_before) before = Decode(*event.previous);
    const bool was_selected = selection.SelectsAll() ? event.previous.has_value()
                                                     : before && Selected(selection, *before);
    if (event.type == storage::WatchEvent::Type::kDelete) {
      if (!was_selected) return std::nullopt;
      before->mutable_metadata()->set_resource_version(std::to_string(event.kv.mod_revision));
      return Event{WatchEventType::kDeleted, std::move(*before)};
    }
    T now = Decode(event.kv);
    const bool selected = Selected(selection, now);
    if (selected) {
      return Event{was_selected ? WatchEventType::kModified : WatchEventType::kAdded,
                   std::move(now)};
    }
    if (was_selected) return Event{WatchEventType::kDeleted, std::move(now)};
    return std::nullopt;
  }

  // Prepares `object` as a new object and the transaction that creates it.
  storage::Transaction PrepareCreate(T& object) const {
    v1::ObjectMeta& meta = *object.mutable_metadata();
    meta.set_namespace_(StoredNamespace(info(), meta.namespace_()));
    PrepareNewMetadata(meta, ToTimestamp(clock_.WallNow()));
    strategy_.PrepareForCreate(object);
    object.set_api_version(info().api_version);
    object.set_kind(info().kind);
    if (FieldErrors errors = strategy_.Validate(object); !errors.empty()) {
      throw ApiError::Invalid(info().kind, meta.name(), std::move(errors));
    }
    const std::string key = KeyOf(object);
    storage::Transaction transaction;
    transaction.compares.push_back(storage::Compare::Absent(key));
    transaction.operations.push_back(storage::Operation::Put(key, Stored(key, Encode(object))));
    return transaction;
  }

  // Prepares `object` as the next version of `old`; an empty transaction
  // when nothing changes.
  storage::Transaction PrepareUpdate(T& object, const T& old, bool status) const {
    v1::ObjectMeta& meta = *object.mutable_metadata();
    meta.set_namespace_(old.metadata().namespace_());
    CarryOverMetadata(info(), meta, old.metadata());
    if (status) {
      strategy_.PrepareForStatusUpdate(object, old);
    } else {
      strategy_.PrepareForUpdate(object, old);
    }
    object.set_api_version(info().api_version);
    object.set_kind(info().kind);
    if (FieldErrors errors = strategy_.ValidateUpdate(object, old); !errors.empty()) {
      throw ApiError::Invalid(info().kind, meta.name(), std::move(errors));
    }
    storage::Transaction transaction;
    const std::string bytes = Encode(object);
    if (bytes == Encode(old)) return transaction;
    const std::string key = KeyOf(object);
    transaction.compares.push_back(
        storage::Compare::ModRevision(key, ResourceRevision(old.metadata())));
    transaction.operations.push_back(storage::Operation::Put(key, Stored(key, bytes)));
    return transaction;
  }

  T Replace(const Caller& caller, T object, const WriteOptions& options, bool status) {
    (void)caller;
    const std::string name = object.metadata().name();
    const std::string requested = object.metadata().resource_version();
    for (int attempt = 0;; ++attempt) {
      T old = Get(object.metadata().namespace_(), strategy_.StorageName(object));
      if (!requested.empty() && requested != old.metadata().resource_version()) {
        throw ApiError::Conflict(info().QualifiedResource(), name);
      }
      T updated = object;
      storage::Transaction transaction = PrepareUpdate(updated, old, status);
      if (transaction.operations.empty()) return old;
      if (options.dry_run) return updated;
      const storage::TransactionResult result = storage_.Commit(std::move(transaction));
      if (result.committed()) {
        updated.mutable_metadata()->set_resource_version(std::to_string(result.revision));
        return updated;
      }
      if (result.status != storage::TransactionResult::Status::kCompareFailed) {
        throw StoreFailure(result);
      }
      // Changed since it was read: the caller's resourceVersion is stale,
      // or (without one) read again and reapply.
      if (!requested.empty() || attempt >= kMaxRetries) {
        throw ApiError::Conflict(info().QualifiedResource(), name);
      }
    }
  }

  template <typename MakeError>
  static void CheckCommitted(const storage::TransactionResult& result, MakeError compare_failed) {
    if (result.committed()) return;
    if (result.status == storage::TransactionResult::Status::kCompareFailed) throw compare_failed();
    throw StoreFailure(result);
  }

  // A write the store did not apply for a reason other than a conflict.
  static ApiError StoreFailure(const storage::TransactionResult& result) {
    if (result.status == storage::TransactionResult::Status::kFenced) {
      return ApiError::Unavailable(result.error);
    }
    return ApiError::Unavailable("store unavailable: " + result.error);
  }

  static void Report(const WriteDone& done, std::optional<ApiError> error) {
    if (done) done(WriteResult{std::move(error), 0});
  }

  void CommitInBackground(storage::Transaction transaction, const std::string& name,
                          WriteDone done) {
    if (transaction.operations.empty()) return Report(done, std::nullopt);
    storage_.CommitAsync(
        std::move(transaction), [resource = info().QualifiedResource(), name,
                                 done = std::move(done)](const storage::TransactionResult& result) {
          if (!done) return;
          if (result.committed()) return done({std::nullopt, result.revision});
          if (result.status != storage::TransactionResult::Status::kCompareFailed) {
            return done({StoreFailure(result), 0});
          }
          done({ApiError::Conflict(resource, name), 0});
        });
  }

  storage::Storage& storage_;
  const Strategy<T>& strategy_;
  const Clock& clock_;
  const ValueTransformer* const transformer_;
};

}  // namespace fleetset::coordinator
