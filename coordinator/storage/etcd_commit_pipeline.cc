#include "coordinator/storage/etcd_commit_pipeline.h"

#include <algorithm>
#include <unordered_set>

#include "coordinator/storage/etcd_transaction_limit.h"

namespace fleetset::coordinator::storage {
namespace {

// Ranks within one revision r: the transaction that wrote r, then the
// watch events of r, then whatever read r without writing (and failures).
constexpr int kWrote = 0;
constexpr int kEvents = 1;
constexpr int kRead = 2;

// Well under etcd's 1.5 MiB request limit (the operations' limit is
// kMaxTxnOperations).
constexpr size_t kMaxBatchBytes = 1 << 20;

// The length of the longest list of `transaction`'s etcd Txn: a fence is
// one more compare (and its read on failure one failure operation).
size_t OperationCount(const Transaction& transaction) {
  const size_t compares = transaction.compares.size() + (transaction.fence ? 1 : 0);
  return std::max(compares, transaction.operations.size());
}

size_t BytesOf(const Transaction& transaction) {
  size_t bytes = 0;
  for (const Compare& compare : transaction.compares) bytes += compare.key.size();
  for (const Operation& operation : transaction.operations) {
    bytes += operation.key.size() + operation.value.size();
  }
  return bytes;
}

std::vector<std::string> KeysOf(const Transaction& transaction) {
  std::vector<std::string> keys;
  for (const Compare& compare : transaction.compares) keys.push_back(compare.key);
  for (const Operation& operation : transaction.operations) keys.push_back(operation.key);
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  return keys;
}

}  // namespace

CommitPipeline::CommitPipeline(size_t max_in_flight, Send send, Deliver deliver)
    : max_in_flight_(std::max<size_t>(max_in_flight, 1)),
      send_(std::move(send)),
      deliver_(std::move(deliver)) {}

void CommitPipeline::Queue(Transaction transaction, Done done, std::string refusal) {
  Outgoing outgoing;
  {
    std::lock_guard lock(mutex_);
    const uint64_t id = next_id_++;
    Entry& entry = entries_[id];
    entry.done = std::move(done);
    if (!refusal.empty()) {
      entry.result = {TransactionResult::Status::kFailed, known_, std::move(refusal)};
      resolved_.insert({known_, kRead, id});
    } else {
      entry.keys = KeysOf(transaction);
      entry.transaction = std::move(transaction);
      waiting_.push_back(id);
      outgoing = StartWaiting();
    }
    Release();
  }
  SendAll(std::move(outgoing));
}

void CommitPipeline::Resolve(uint64_t id, std::vector<Outcome> outcomes) {
  Outgoing outgoing;
  {
    std::lock_guard lock(mutex_);
    Entry& entry = entries_.at(id);
    in_flight_.erase({entry.floor, kRead, id});
    const std::vector<uint64_t> riders = std::move(entry.riders);
    // A whole request's failure is every member's.
    auto outcome_of = [&](size_t member) {
      return outcomes.size() == 1 ? outcomes[0] : std::move(outcomes.at(member));
    };
    for (size_t i = 0; i < riders.size(); ++i) Settle(riders[i], outcome_of(i + 1));
    Settle(id, outcome_of(0));
    outgoing = StartWaiting();
    Release();
  }
  SendAll(std::move(outgoing));
}

void CommitPipeline::Settle(uint64_t id, Outcome outcome) {
  Entry& entry = entries_.at(id);
  TransactionResult& result = outcome.result;
  // A failure read nothing: it takes its place at what is known now.
  if (result.status == TransactionResult::Status::kFailed) result.revision = known_;
  known_ = std::max(known_, result.revision);
  const int rank = outcome.wrote && result.committed() ? kWrote : kRead;
  Free(entry);
  entry.result = std::move(result);
  resolved_.insert({entry.result.revision, rank, id});
}

void CommitPipeline::Observe(std::vector<WatchEvent> events) {
  std::lock_guard lock(mutex_);
  for (WatchEvent& event : events) {
    known_ = std::max(known_, event.kv.mod_revision);
    held_.push_back(std::move(event));
  }
  Release();
}

void CommitPipeline::NoteRevision(Revision revision) {
  std::lock_guard lock(mutex_);
  known_ = std::max(known_, revision);
}

bool CommitPipeline::Idle() {
  std::lock_guard lock(mutex_);
  return IdleLocked();
}

void CommitPipeline::WaitIdle() {
  std::unique_lock lock(mutex_);
  idle_.wait(lock, [this] { return IdleLocked(); });
}

bool CommitPipeline::IdleLocked() const { return entries_.empty() && held_.empty(); }

uint64_t CommitPipeline::sent() {
  std::lock_guard lock(mutex_);
  return sent_;
}

CommitPipeline::Outgoing CommitPipeline::StartWaiting() {
  Outgoing outgoing;
  // The keys of earlier transactions left waiting: a later one naming one
  // of them must not overtake it.
  std::unordered_set<std::string> passed_over;
  for (auto it = waiting_.begin(); it != waiting_.end() && in_flight_.size() < max_in_flight_;) {
    Entry& entry = entries_.at(*it);
    const bool free = std::none_of(entry.keys.begin(), entry.keys.end(), [&](const auto& key) {
      return busy_keys_.contains(key) || passed_over.contains(key);
    });
    if (!free) {
      passed_over.insert(entry.keys.begin(), entry.keys.end());
      ++it;
      continue;
    }
    const uint64_t id = *it;
    it = waiting_.erase(it);
    entry.floor = known_;
    in_flight_.insert({known_, kRead, id});
    Hold(entry);
    std::vector<Transaction> batch;
    batch.push_back(std::move(entry.transaction));
    entry.transaction = {};
    // What waited behind it goes along.
    TakeRiders(id, batch, it, passed_over);
    outgoing.emplace_back(id, std::move(batch));
    ++sent_;
    // Riders may have left `it` behind: look again from the start.
    it = waiting_.begin();
    passed_over.clear();
  }
  return outgoing;
}

void CommitPipeline::TakeRiders(uint64_t lead, std::vector<Transaction>& batch,
                                std::list<uint64_t>::iterator from,
                                const std::unordered_set<std::string>& passed_over) {
  Entry& leader = entries_.at(lead);
  std::unordered_set<std::string> named(leader.keys.begin(), leader.keys.end());
  // Keys of transactions left waiting here, which a later rider must not
  // pass.
  std::unordered_set<std::string> skipped;
  size_t bytes = BytesOf(batch.front());
  size_t longest = OperationCount(batch.front());
  // Each member is one success operation of the outer Txn.
  auto fits = [&](size_t members, size_t member_longest) {
    return members + member_longest <= kMaxTxnOperations;
  };
  for (auto it = from; it != waiting_.end() && fits(batch.size() + 1, longest);) {
    Entry& rider = entries_.at(*it);
    const size_t rider_longest = std::max(longest, OperationCount(rider.transaction));
    const bool joins = fits(batch.size() + 1, rider_longest) &&
                       bytes + BytesOf(rider.transaction) <= kMaxBatchBytes &&
                       std::none_of(rider.keys.begin(), rider.keys.end(), [&](const auto& key) {
                         return busy_keys_.contains(key) || passed_over.contains(key) ||
                                skipped.contains(key) || named.contains(key);
                       });
    if (!joins) {
      skipped.insert(rider.keys.begin(), rider.keys.end());
      ++it;
      continue;
    }
    bytes += BytesOf(rider.transaction);
    longest = rider_longest;
    named.insert(rider.keys.begin(), rider.keys.end());
    batch.push_back(std::move(rider.transaction));
    rider.transaction = {};
    Hold(rider);
    leader.riders.push_back(*it);
    it = waiting_.erase(it);
  }
}

void CommitPipeline::Hold(const Entry& entry) {
  for (const std::string& key : entry.keys) ++busy_keys_[key];
}

void CommitPipeline::Free(const Entry& entry) {
  for (const std::string& key : entry.keys) {
    auto busy = busy_keys_.find(key);
    if (--busy->second == 0) busy_keys_.erase(busy);
  }
}

void CommitPipeline::Release() {
  while (true) {
    // Nothing may pass the earliest place a transaction in flight may take.
    const Position* limit = in_flight_.empty() ? nullptr : &*in_flight_.begin();
    const Position* result = resolved_.empty() ? nullptr : &*resolved_.begin();
    if (!held_.empty()) {
      const Position events{held_.front().kv.mod_revision, kEvents, 0};
      if ((!limit || events < *limit) && (!result || events < *result)) {
        Delivery delivery;
        auto passes = [&](const WatchEvent& event) {
          const Position position{event.kv.mod_revision, kEvents, 0};
          return (!limit || position < *limit) && (!result || position < *result);
        };
        while (!held_.empty() && passes(held_.front())) {
          delivery.events.push_back(std::move(held_.front()));
          held_.pop_front();
        }
        deliver_(std::move(delivery));
        continue;
      }
    }
    if (!result || (limit && !(*result < *limit))) {
      if (IdleLocked()) idle_.notify_all();
      return;
    }
    auto entry = entries_.find(result->sequence);
    deliver_({std::move(entry->second.done), std::move(entry->second.result), {}});
    entries_.erase(entry);
    resolved_.erase(resolved_.begin());
  }
}

void CommitPipeline::SendAll(Outgoing outgoing) {
  for (auto& [id, batch] : outgoing) send_(id, batch);
}

}  // namespace fleetset::coordinator::storage
