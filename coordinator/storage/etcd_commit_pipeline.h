// The order in which an etcd store tells its callers about their
// transactions and hands watch events on, with several transactions in
// flight at once.
//
// A round trip to etcd is a quorum write (a few milliseconds); waiting for
// each before sending the next would cap a coordinator at a few hundred
// writes a second. So up to `max_in_flight` requests are sent at once,
// except that a transaction naming a key (in a compare or an operation) of
// one still in flight waits for it: transactions that share a key reach
// etcd in the order they were queued. Transactions that share none may be
// ordered differently by etcd's leader, and are then told in the order etcd
// gave them, which is the order their revisions say. With one in flight,
// the queue order and etcd's are the same.
//
// While every slot is taken, transactions wait; the next to go takes along
// the waiting ones behind it that name no key of its own nor of one left
// waiting before them, as a database groups commits, within etcd's limits
// on one request. They go to etcd as one Txn holding each as a nested Txn
// (etcd 3.3 and later), so each keeps its own compares and fence and
// succeeds or fails on its own, and those that write share one revision.
// Thousands of agents' reports, or of a controller's guarded updates, then
// cost etcd a few dozen requests rather than thousands.
//
// What the caller is told, and when:
//  * `done` callbacks in revision order: one that wrote at revision r, then
//    one that changed nothing or failed having read revision r, before
//    anything at r + 1;
//  * the watch events of revision r after the `done` of the transaction
//    that wrote r. A transaction in flight has no revision yet, but it will
//    be above every revision known when it was sent (its floor): events
//    above the floor of a transaction still in flight are held until it
//    resolves.
//
// The pipeline decides; it does no I/O and runs no callback of a caller.
// `deliver` is called with its lock held and must only queue (the store's
// dispatcher thread runs what it is given, in the order given).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <list>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "coordinator/storage/storage.h"

namespace fleetset::coordinator::storage {

class CommitPipeline {
 public:
  using Done = std::function<void(const TransactionResult&)>;
  // One step for the dispatcher: a `done` to run with its result, or watch
  // events to publish.
  struct Delivery {
    Done done;
    TransactionResult result;
    std::vector<WatchEvent> events;
  };
  // What etcd did with one transaction: `wrote` says it took a revision of
  // its own (result.revision).
  struct Outcome {
    TransactionResult result;
    bool wrote = false;
  };
  // Sends request `id` to etcd: one transaction, or several to go as one
  // Txn. The outcome comes back through Resolve(id, ...). Called without
  // the lock.
  using Send = std::function<void(uint64_t id, const std::vector<Transaction>& batch)>;
  using Deliver = std::function<void(Delivery delivery)>;

  CommitPipeline(size_t max_in_flight, Send send, Deliver deliver);
  CommitPipeline(const CommitPipeline&) = delete;
  CommitPipeline& operator=(const CommitPipeline&) = delete;

  // Queues `transaction`; refused at once (kFailed, not sent) when
  // `refusal` is not empty.
  void Queue(Transaction transaction, Done done, std::string refusal);
  // Request `id`'s outcome: one per transaction of its batch, in the order
  // sent, or a single one for all of them (the request failed as a whole).
  void Resolve(uint64_t id, std::vector<Outcome> outcomes);
  // Events of whole revisions from etcd's watch, oldest first, each newer
  // than those observed before.
  void Observe(std::vector<WatchEvent> events);

  // A revision etcd has reached (the header of a read).
  void NoteRevision(Revision revision);
  // True when nothing is queued, in flight or waiting to be delivered.
  bool Idle();
  // Returns once Idle(): what is in flight resolves (or fails) within the
  // store's request timeout.
  void WaitIdle();
  // How many transactions were sent to etcd.
  uint64_t sent();

 private:
  struct Entry {
    Transaction transaction;
    Done done;
    // Every key it names, without repeats.
    std::vector<std::string> keys;
    // While in flight: the newest revision known when it was sent.
    Revision floor = 0;
    TransactionResult result;
    // Sent with this one, in the same etcd request, in order.
    std::vector<uint64_t> riders;
  };
  // Where an item falls in delivery order: (revision, rank, sequence).
  struct Position {
    Revision revision;
    int rank;
    uint64_t sequence;
    auto operator<=>(const Position&) const = default;
  };

  using Outgoing = std::vector<std::pair<uint64_t, std::vector<Transaction>>>;

  // Marks in flight what may be sent now; returns it, to be sent once the
  // lock is released.
  Outgoing StartWaiting();
  // Moves into `batch` (led by `lead`) the transactions waiting after
  // `from` that may join it; `passed_over` as in StartWaiting.
  void TakeRiders(uint64_t lead, std::vector<Transaction>& batch,
                  std::list<uint64_t>::iterator from,
                  const std::unordered_set<std::string>& passed_over);
  // Puts `outcome` in `id`'s place in delivery order.
  void Settle(uint64_t id, Outcome outcome);
  // Marks `id`'s keys busy or, once resolved, free.
  void Hold(const Entry& entry);
  void Free(const Entry& entry);
  // Hands over, in order, every result and event nothing may precede.
  void Release();
  // Nothing queued, in flight or waiting to be delivered.
  bool IdleLocked() const;
  void SendAll(Outgoing outgoing);

  const size_t max_in_flight_;
  const Send send_;
  const Deliver deliver_;

  std::mutex mutex_;
  // Told whenever Release leaves nothing behind.
  std::condition_variable idle_;
  Revision known_ = 0;
  uint64_t next_id_ = 0;
  uint64_t sent_ = 0;
  // Every transaction not yet delivered, by id (queue order).
  std::map<uint64_t, Entry> entries_;
  std::list<uint64_t> waiting_;
  // In flight: (floor, rank of a read, id), the earliest place each may
  // take.
  std::set<Position> in_flight_;
  // Resolved, by the place each takes.
  std::set<Position> resolved_;
  // Keys named by transactions in flight, with how many name each.
  std::unordered_map<std::string, int> busy_keys_;
  // Events not yet delivered, oldest first.
  std::deque<WatchEvent> held_;
};

}  // namespace fleetset::coordinator::storage
