// The coordinator's durable state, shaped like etcd v3's KV and Watch API so
// that the same registry code runs on the embedded SQLite file and, later,
// on an etcd cluster: keys under prefixes, values as serialized protobuf
// messages, one monotonic store revision that every committed transaction
// advances by one, transactions guarded by comparisons on a key's
// mod_revision, and watches that replay every change after a revision.
//
// Keys are relative ("/registry/nodes/node-1"); an etcd implementation puts
// its --etcd-prefix in front. Nothing here knows about object kinds.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace fleetset::coordinator::storage {

// etcd's revision: 0 is "never"; a store's revisions only increase. A new
// embedded store starts at 0; on etcd they are the cluster's, from wherever
// it has reached.
using Revision = int64_t;

// The store could not be read or written (disk full, corrupt file, locked
// by another coordinator, etcd unavailable). Whatever was asked did not
// happen.
class StorageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A watch asked for history the store no longer keeps (etcd's
// ErrCompacted); the watcher lists again and watches from there.
class CompactedError : public StorageError {
 public:
  CompactedError(Revision requested, Revision compacted)
      : StorageError("revision " + std::to_string(requested) +
                     " has been compacted (oldest kept: " + std::to_string(compacted + 1) + ")"),
        compacted_revision(compacted) {}
  Revision compacted_revision;
};

struct KeyValue {
  std::string key;
  // A serialized protobuf message.
  std::string value;
  // The revision that created the key (etcd: create_revision).
  Revision create_revision = 0;
  // The revision of the last change to the key (etcd: mod_revision).
  Revision mod_revision = 0;
};

struct ListResult {
  // In key order.
  std::vector<KeyValue> items;
  // The store revision the list was read at: a watch from revision + 1
  // sees every later change and nothing already listed.
  Revision revision = 0;
};

// One guard of a transaction: the key's mod_revision must equal
// `mod_revision`; 0 means the key must not exist (create-only).
struct Compare {
  std::string key;
  Revision mod_revision = 0;

  static Compare Absent(std::string key) { return {std::move(key), 0}; }
  static Compare ModRevision(std::string key, Revision revision) {
    return {std::move(key), revision};
  }
};

struct Operation {
  enum class Type { kPut, kDelete };
  Type type = Type::kPut;
  std::string key;
  // For puts.
  std::string value;

  static Operation Put(std::string key, std::string value) {
    return {Type::kPut, std::move(key), std::move(value)};
  }
  // Deleting a key that does not exist is not an error and changes nothing.
  static Operation Delete(std::string key) { return {Type::kDelete, std::move(key), {}}; }
};

// etcd's Txn with an empty Else: when every compare holds, every operation
// is applied atomically under one new revision.
//
// As in etcd, the revision advances only when something is written: a put
// (even of the value the key already has) or a delete of an existing key.
// A transaction whose operations change nothing (no operations, or only
// deletes of missing keys) commits without a revision of its own and emits
// no watch event. Also as in etcd, a transaction that names one key in two
// operations, or an empty key, is refused (kFailed) without being applied.
//
// `fence`, when set, is checked before the compares: the leader's
// controllers write only while the leader key still has the revision that
// made them leader, so a deposed leader's late writes are refused
// (kFenced) rather than applied or mistaken for a conflict.
struct Transaction {
  std::vector<Compare> compares;
  std::vector<Operation> operations;
  std::optional<Compare> fence = std::nullopt;
};

// The error of a kFenced result, the same from every store.
std::string FencedError(const Compare& fence);

struct TransactionResult {
  enum class Status {
    // Applied; `revision` is the revision it created (or, when it changed
    // nothing, the current one).
    kCommitted,
    // A compare did not hold; nothing was applied. `revision` is the store
    // revision it was evaluated at.
    kCompareFailed,
    // The store failed; nothing was applied; `error` says why.
    kFailed,
    // The fence did not hold (leadership has moved); nothing was applied;
    // `error` says so.
    kFenced,
  };
  Status status = Status::kFailed;
  Revision revision = 0;
  std::string error;

  bool committed() const { return status == Status::kCommitted; }
};

// What the store has done with the transactions queued to it, for metrics
// and for tests that prove group commit.
struct CommitStats {
  // Transactions taken from the queue: committed, refused or failed.
  uint64_t transactions = 0;
  // The groups they were written in: one durable write (one fsync) each on
  // SQLite; a store without group commit counts every transaction.
  uint64_t batches = 0;
};

struct WatchEvent {
  enum class Type { kPut, kDelete };
  Type type = Type::kPut;
  // For a put, the key as written; for a delete, key and mod_revision (the
  // deleting revision) with an empty value.
  KeyValue kv;
  // The key as it was before this change; nullopt when it did not exist.
  std::optional<KeyValue> previous;
};

// Cancels the watch when destroyed; after the destructor returns the
// callback is not running and will not run again.
class WatchHandle {
 public:
  virtual ~WatchHandle() = default;
};

// Called with the events of one or more committed transactions, in revision
// order, never concurrently for one watch, from a thread of the store's
// that runs below normal priority (thread_priority.h says why).
// It must not block nor call back into the store synchronously: post the
// events to the owner's queue.
using WatchCallback = std::function<void(const std::vector<WatchEvent>& events)>;

class Storage {
 public:
  virtual ~Storage() = default;

  // Reads never wait for a commit in progress (no fsync on their path).
  virtual std::optional<KeyValue> Get(const std::string& key) = 0;
  // Every key starting with `prefix`.
  virtual ListResult List(const std::string& prefix) = 0;
  virtual Revision CurrentRevision() = 0;

  // Queues `transaction`; `done` runs once it is durable (or refused, or
  // failed), on a thread of the store's, never inside CommitAsync itself (a
  // caller may hold a lock `done` takes). Transactions queued together are
  // committed together (group commit: one fsync for the lot), each with its
  // own revision, in the order they were queued; under load the etcd store
  // sends transactions queued together as one etcd request, and those of
  // them that write share one revision. A store's `done` callbacks
  // run one at a time in that order, each before the watch events of its
  // transaction are delivered; like watch callbacks they must not block
  // nor wait for the store.
  virtual void CommitAsync(Transaction transaction,
                           std::function<void(const TransactionResult&)> done) = 0;
  // The same, waiting for the result; never call it from a store's `done`
  // or watch callback, which would wait for itself.
  TransactionResult Commit(Transaction transaction);

  virtual CommitStats Stats() = 0;

  // Every change to keys under `prefix` with a revision >= `from` (0: from
  // the next revision on). Throws CompactedError when `from` is older than
  // the history the store keeps, StorageError when the store is closed.
  virtual std::unique_ptr<WatchHandle> Watch(const std::string& prefix, Revision from,
                                             WatchCallback callback) = 0;
};

}  // namespace fleetset::coordinator::storage
