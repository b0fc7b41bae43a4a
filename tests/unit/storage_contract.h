// The Storage contract (coordinator/storage/storage.h) as typed tests, for
// every implementation: what the registry relies on must hold on the memory
// store of the unit tests exactly as on the SQLite file and on etcd.
//
// Instantiated by storage_contract_test.cc (memory, SQLite) and by the etcd
// tests. A backend type provides:
//   std::unique_ptr<Storage> Open(size_t history_events);  // the same
//       store again on a second call, keeping only that much history
//   void RequirePrerequisites();  // skips or fails the test (gtest) when
//       what the backend needs is missing
//   static constexpr char kName[];
//
// A store need not start at revision 0 (an etcd cluster has its own), so
// revisions are counted from the one the store was opened at.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include <sys/resource.h>
#include <unistd.h>

#include "coordinator/storage/thread_priority.h"
#include "coordinator/storage/watch_hub.h"
#include "storage_test_util.h"

namespace fleetset::testing {

using storage::CompactedError;
using storage::Compare;
using storage::KeyValue;
using storage::Operation;
using storage::Revision;
using storage::Storage;
using storage::Transaction;
using storage::TransactionResult;
using storage::WatchEvent;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// Names the instantiations after the backend: .../Memory.Test.
struct StoreName {
  template <typename T>
  static std::string GetName(int) {
    return T::kName;
  }
};

template <typename Store>
class StorageContractTest : public ::testing::Test {
 protected:
  void SetUp() override {
    backend_.RequirePrerequisites();
    if (IsSkipped() || HasFailure()) return;
    store_ = backend_.Open(storage::kDefaultWatchHistoryEvents);
    base_ = store_->CurrentRevision();
  }

  // A store keeping only `history_events` events of history.
  void OpenWithHistory(size_t history_events) {
    store_.reset();
    store_ = backend_.Open(history_events);
    base_ = store_->CurrentRevision();
  }

  // The revision of the n-th writing transaction since the store was
  // opened (nothing else writes to its backend during a test).
  Revision Nth(Revision n) const { return base_ + n; }

  std::vector<std::string> Keys(const std::string& prefix) {
    std::vector<std::string> keys;
    for (const KeyValue& kv : store_->List(prefix).items) keys.push_back(kv.key);
    return keys;
  }

  Store backend_;
  std::unique_ptr<Storage> store_;
  // The revision the store was opened at.
  Revision base_ = 0;
};

TYPED_TEST_SUITE_P(StorageContractTest);

TYPED_TEST_P(StorageContractTest, NewStoreIsEmptyAtItsOpeningRevision) {
  EXPECT_GE(this->base_, 0);
  EXPECT_EQ(this->store_->CurrentRevision(), this->base_);
  EXPECT_EQ(this->store_->Get("/registry/nodes/a"), std::nullopt);
  EXPECT_THAT(this->store_->List("").items, IsEmpty());
  EXPECT_EQ(this->store_->List("").revision, this->base_);
}

TYPED_TEST_P(StorageContractTest, ListTakesExactlyTheKeysUnderThePrefix) {
  for (const char* key : {"/a", "/a/1", "/a/2", "/a0", "/b", "/x\xff", "/x\xff\xff", "/y"}) {
    Put(*this->store_, key, "v");
  }

  EXPECT_THAT(this->Keys("/a/"), ElementsAre("/a/1", "/a/2"));
  EXPECT_THAT(this->Keys("/a"), ElementsAre("/a", "/a/1", "/a/2", "/a0"));
  EXPECT_THAT(this->Keys("/x\xff"), ElementsAre("/x\xff", "/x\xff\xff"));
  EXPECT_THAT(this->Keys("/c"), IsEmpty());
  EXPECT_EQ(this->Keys("").size(), 8u);
  EXPECT_EQ(this->store_->List("/a/").revision, this->Nth(8));
}

TYPED_TEST_P(StorageContractTest, EveryWritingTransactionAdvancesTheRevisionByOne) {
  TransactionResult first = this->store_->Commit(
      {{},
       {Operation::Put("/k/1", "a"), Operation::Put("/k/2", "b"), Operation::Put("/k/3", "c")}});
  ASSERT_TRUE(first.committed());
  EXPECT_EQ(first.revision, this->Nth(1));
  TransactionResult second = Put(*this->store_, "/k/1", "a2");
  EXPECT_EQ(second.revision, this->Nth(2));

  EXPECT_EQ(this->store_->CurrentRevision(), this->Nth(2));
  std::optional<KeyValue> updated = this->store_->Get("/k/1");
  ASSERT_TRUE(updated);
  EXPECT_EQ(updated->value, "a2");
  EXPECT_EQ(updated->create_revision, this->Nth(1));
  EXPECT_EQ(updated->mod_revision, this->Nth(2));
  std::optional<KeyValue> untouched = this->store_->Get("/k/2");
  ASSERT_TRUE(untouched);
  EXPECT_EQ(untouched->create_revision, this->Nth(1));
  EXPECT_EQ(untouched->mod_revision, this->Nth(1));
}

TYPED_TEST_P(StorageContractTest, CreateOnlyCompareHoldsOnlyForAMissingKey) {
  Transaction create{{Compare::Absent("/k")}, {Operation::Put("/k", "first")}};
  EXPECT_TRUE(this->store_->Commit(create).committed());

  create.operations[0].value = "second";
  TransactionResult again = this->store_->Commit(create);
  EXPECT_EQ(again.status, TransactionResult::Status::kCompareFailed);
  EXPECT_EQ(again.revision, this->Nth(1));
  EXPECT_EQ(this->store_->Get("/k")->value, "first");
}

TYPED_TEST_P(StorageContractTest, ModRevisionCompareHoldsOnlyForTheCurrentRevision) {
  const Revision created = Put(*this->store_, "/k", "v1").revision;
  const Revision updated =
      this->store_->Commit({{Compare::ModRevision("/k", created)}, {Operation::Put("/k", "v2")}})
          .revision;
  EXPECT_EQ(updated, created + 1);

  TransactionResult stale =
      this->store_->Commit({{Compare::ModRevision("/k", created)}, {Operation::Put("/k", "v3")}});
  EXPECT_EQ(stale.status, TransactionResult::Status::kCompareFailed);
  EXPECT_EQ(stale.revision, updated);
  TransactionResult missing =
      this->store_->Commit({{Compare::ModRevision("/other", 1)}, {Operation::Put("/other", "x")}});
  EXPECT_EQ(missing.status, TransactionResult::Status::kCompareFailed);
  EXPECT_EQ(this->store_->Get("/k")->value, "v2");
  EXPECT_EQ(this->store_->Get("/other"), std::nullopt);
}

TYPED_TEST_P(StorageContractTest, OneFailingCompareAppliesNothing) {
  const Revision revision = Put(*this->store_, "/k/a", "a").revision;
  Put(*this->store_, "/k/b", "b");
  WatchRecorder watch;
  auto handle = this->store_->Watch("/", 0, watch.Callback());

  TransactionResult result =
      this->store_->Commit({{Compare::ModRevision("/k/a", revision), Compare::Absent("/k/b")},
                            {Operation::Put("/k/a", "changed"), Operation::Delete("/k/b"),
                             Operation::Put("/k/c", "c")}});

  EXPECT_EQ(result.status, TransactionResult::Status::kCompareFailed);
  EXPECT_EQ(result.revision, this->Nth(2));
  EXPECT_EQ(this->store_->CurrentRevision(), this->Nth(2));
  EXPECT_EQ(this->store_->Get("/k/a")->value, "a");
  EXPECT_TRUE(this->store_->Get("/k/b"));
  EXPECT_FALSE(this->store_->Get("/k/c"));
  // The next write is the first event the watch sees.
  Put(*this->store_, "/k/d", "d");
  EXPECT_THAT(Describe(watch.WaitFor(1)), ElementsAre("put /k/d"));
}

TYPED_TEST_P(StorageContractTest, MultiKeyTransactionIsOneRevisionSeenAtOnce) {
  Put(*this->store_, "/k/old", "x");
  WatchRecorder watch;
  auto handle = this->store_->Watch("/k/", 0, watch.Callback());

  TransactionResult result = this->store_->Commit(
      {{Compare::Absent("/k/a")},
       {Operation::Put("/k/a", "a"), Operation::Delete("/k/old"), Operation::Put("/k/b", "b")}});

  ASSERT_TRUE(result.committed());
  EXPECT_EQ(result.revision, this->Nth(2));
  EXPECT_THAT(this->Keys("/k/"), ElementsAre("/k/a", "/k/b"));
  EXPECT_EQ(this->store_->Get("/k/b")->mod_revision, this->Nth(2));
  // In operation order, all of one revision, in one delivery.
  EXPECT_THAT(Describe(watch.WaitFor(3)), ElementsAre("put /k/a", "delete /k/old", "put /k/b"));
  const std::vector<std::vector<WatchEvent>> batches = watch.batches();
  ASSERT_EQ(batches.size(), 1u);
  for (const WatchEvent& event : batches[0]) EXPECT_EQ(event.kv.mod_revision, this->Nth(2));
}

TYPED_TEST_P(StorageContractTest, DeletingRemovesAndDeletingAMissingKeyChangesNothing) {
  Put(*this->store_, "/k", "v");
  TransactionResult deleted = this->store_->Commit(DeleteTransaction("/k"));
  ASSERT_TRUE(deleted.committed());
  EXPECT_EQ(deleted.revision, this->Nth(2));
  EXPECT_EQ(this->store_->Get("/k"), std::nullopt);

  TransactionResult missing = this->store_->Commit(DeleteTransaction("/k"));
  ASSERT_TRUE(missing.committed());
  EXPECT_EQ(missing.revision, this->Nth(2));
  TransactionResult empty = this->store_->Commit({});
  ASSERT_TRUE(empty.committed());
  EXPECT_EQ(empty.revision, this->Nth(2));
  EXPECT_EQ(this->store_->CurrentRevision(), this->Nth(2));

  // A key created again starts a new life.
  Put(*this->store_, "/k", "again");
  EXPECT_EQ(this->store_->Get("/k")->create_revision, this->Nth(3));
}

TYPED_TEST_P(StorageContractTest, KeyWrittenTwiceOrEmptyKeyIsRefused) {
  TransactionResult twice =
      this->store_->Commit({{}, {Operation::Put("/k", "a"), Operation::Delete("/k")}});
  EXPECT_EQ(twice.status, TransactionResult::Status::kFailed);
  EXPECT_THAT(twice.error, HasSubstr("/k is written twice"));
  EXPECT_EQ(this->store_->Commit(PutTransaction("", "v")).status,
            TransactionResult::Status::kFailed);
  EXPECT_EQ(this->store_->CurrentRevision(), this->base_);
}

TYPED_TEST_P(StorageContractTest, WatchFromAPastRevisionReplaysThenGoesLive) {
  Put(*this->store_, "/k/1", "a");
  const Revision second = Put(*this->store_, "/k/2", "b").revision;
  Put(*this->store_, "/k/3", "c");
  WatchRecorder watch;
  auto handle = this->store_->Watch("/k/", second, watch.Callback());

  EXPECT_THAT(Describe(watch.WaitFor(2)), ElementsAre("put /k/2", "put /k/3"));
  this->store_->Commit(DeleteTransaction("/k/1"));
  std::vector<WatchEvent> events = watch.WaitFor(3);
  EXPECT_THAT(Describe(events), ElementsAre("put /k/2", "put /k/3", "delete /k/1"));
  EXPECT_EQ(events[0].kv.mod_revision, this->Nth(2));
  EXPECT_EQ(events[2].kv.mod_revision, this->Nth(4));
}

TYPED_TEST_P(StorageContractTest, WatchFromZeroAndFromAListSeeOnlyLaterChanges) {
  Put(*this->store_, "/k/1", "a");
  const storage::ListResult listed = this->store_->List("/k/");
  WatchRecorder from_zero;
  WatchRecorder from_list;
  auto zero_handle = this->store_->Watch("/k/", 0, from_zero.Callback());
  auto list_handle = this->store_->Watch("/k/", listed.revision + 1, from_list.Callback());

  Put(*this->store_, "/k/2", "b");

  EXPECT_THAT(Describe(from_zero.WaitFor(1)), ElementsAre("put /k/2"));
  EXPECT_THAT(Describe(from_list.WaitFor(1)), ElementsAre("put /k/2"));
}

TYPED_TEST_P(StorageContractTest, WatchFromAFutureRevisionStartsThere) {
  WatchRecorder watch;
  auto handle = this->store_->Watch("/", this->Nth(3), watch.Callback());

  for (const char* key : {"/1", "/2", "/3", "/4"}) Put(*this->store_, key, "v");

  EXPECT_THAT(Describe(watch.WaitFor(2)), ElementsAre("put /3", "put /4"));
}

TYPED_TEST_P(StorageContractTest, WatchSeesOnlyItsPrefix) {
  WatchRecorder watch;
  auto handle = this->store_->Watch("/registry/nodes/", 0, watch.Callback());

  Put(*this->store_, "/registry/nodesx", "v");
  Put(*this->store_, "/registry/nodes/a", "v");
  Put(*this->store_, "/registry/pods/a", "v");
  Put(*this->store_, "/registry/nodes/b", "v");

  EXPECT_THAT(Describe(watch.WaitFor(2)),
              ElementsAre("put /registry/nodes/a", "put /registry/nodes/b"));
}

TYPED_TEST_P(StorageContractTest, EventsCarryTheKeyAsItWasBefore) {
  WatchRecorder watch;
  auto handle = this->store_->Watch("/k", 0, watch.Callback());
  Put(*this->store_, "/k", "v1");
  Put(*this->store_, "/k", "v2");
  this->store_->Commit(DeleteTransaction("/k"));

  std::vector<WatchEvent> events = watch.WaitFor(3);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].previous, std::nullopt);
  EXPECT_EQ(events[0].kv.value, "v1");
  ASSERT_TRUE(events[1].previous);
  EXPECT_EQ(events[1].previous->value, "v1");
  EXPECT_EQ(events[1].previous->mod_revision, this->Nth(1));
  EXPECT_EQ(events[1].kv.create_revision, this->Nth(1));
  EXPECT_EQ(events[1].kv.mod_revision, this->Nth(2));
  EXPECT_EQ(events[2].type, WatchEvent::Type::kDelete);
  EXPECT_EQ(events[2].kv.key, "/k");
  EXPECT_EQ(events[2].kv.value, "");
  EXPECT_EQ(events[2].kv.mod_revision, this->Nth(3));
  ASSERT_TRUE(events[2].previous);
  EXPECT_EQ(events[2].previous->value, "v2");
  EXPECT_EQ(events[2].previous->create_revision, this->Nth(1));
  EXPECT_EQ(events[2].previous->mod_revision, this->Nth(2));
}

TYPED_TEST_P(StorageContractTest, WatchOlderThanTheHistoryIsCompacted) {
  this->OpenWithHistory(4);
  // Watchers are told after the writers: once this one has seen the last
  // write, so has the history.
  WatchRecorder all;
  auto all_handle = this->store_->Watch("/", this->Nth(1), all.Callback());
  // Revisions of 1, 2, 2 and 1 events. The window drops whole revisions:
  // of the last four events, it keeps revisions 3 and 4 only.
  Put(*this->store_, "/1", "v");
  this->store_->Commit({{}, {Operation::Put("/2a", "v"), Operation::Put("/2b", "v")}});
  this->store_->Commit({{}, {Operation::Put("/3a", "v"), Operation::Put("/3b", "v")}});
  Put(*this->store_, "/4", "v");
  all.WaitFor(6);

  WatchRecorder ignored;
  for (Revision from : {this->Nth(1), this->Nth(2)}) {
    try {
      this->store_->Watch("/", from, ignored.Callback());
      ADD_FAILURE() << "a watch from " << from << " was accepted";
    } catch (const CompactedError& error) {
      EXPECT_EQ(error.compacted_revision, this->Nth(2));
      EXPECT_THAT(error.what(), HasSubstr("oldest kept: " + std::to_string(this->Nth(3))));
    }
  }
  WatchRecorder watch;
  auto handle = this->store_->Watch("/", this->Nth(3), watch.Callback());
  EXPECT_THAT(Describe(watch.WaitFor(3)), ElementsAre("put /3a", "put /3b", "put /4"));
}

TYPED_TEST_P(StorageContractTest, DestroyedHandleIsNeverCalledAgain) {
  std::atomic<bool> destroyed = false;
  std::atomic<int> calls_after = 0;
  WatchRecorder first;
  auto handle = this->store_->Watch(
      "/", 0, [&, callback = first.Callback()](const std::vector<WatchEvent>& events) {
        if (destroyed) ++calls_after;
        callback(events);
      });
  Put(*this->store_, "/1", "v");
  first.WaitFor(1);

  handle.reset();
  destroyed = true;
  Put(*this->store_, "/2", "v");
  // A later watch sees the write; the store then stops, delivering
  // nothing more to anyone.
  WatchRecorder second;
  auto second_handle = this->store_->Watch("/", this->Nth(2), second.Callback());
  second.WaitFor(1);
  second_handle.reset();
  this->store_.reset();
  EXPECT_EQ(calls_after, 0);
}

TYPED_TEST_P(StorageContractTest, DestroyingAHandleWaitsForItsRunningCallback) {
  std::promise<void> entered;
  std::promise<void> release;
  std::atomic<bool> returned = false;
  auto handle = this->store_->Watch(
      "/", 0, [&, released = release.get_future().share()](const std::vector<WatchEvent>&) {
        entered.set_value();
        released.wait();
        // The destructor below must not have returned yet.
        EXPECT_FALSE(returned);
      });
  Put(*this->store_, "/1", "v");
  entered.get_future().wait();

  std::future<void> destroying = std::async(std::launch::async, [&] {
    handle.reset();
    returned = true;
  });
  // Not a timing assumption: the destructor must be blocked however long
  // this takes; only a broken one could return during it.
  EXPECT_EQ(destroying.wait_for(std::chrono::milliseconds(50)), std::future_status::timeout);
  release.set_value();
  destroying.get();
  EXPECT_TRUE(returned);
}

TYPED_TEST_P(StorageContractTest, HandleDestroyedFromItsOwnCallbackStopsDelivery) {
  std::mutex mutex;
  std::unique_ptr<storage::WatchHandle> handle;
  int calls = 0;
  std::promise<void> first_call;
  {
    std::lock_guard lock(mutex);
    handle = this->store_->Watch("/", 0, [&](const std::vector<WatchEvent>&) {
      std::lock_guard callback_lock(mutex);
      if (++calls == 1) first_call.set_value();
      handle.reset();  // Must neither deadlock nor wait for itself.
    });
  }
  Put(*this->store_, "/1", "v");
  first_call.get_future().wait();

  // A later write reaches a later watch, and the store then stops: the
  // first watch was called once only.
  WatchRecorder later;
  auto later_handle = this->store_->Watch("/", 0, later.Callback());
  Put(*this->store_, "/2", "v");
  later.WaitFor(1);
  later_handle.reset();
  this->store_.reset();

  std::lock_guard lock(mutex);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(handle, nullptr);
}

TYPED_TEST_P(StorageContractTest, DoneRunsOffTheCallersThread) {
  std::promise<std::thread::id> done_thread;
  this->store_->CommitAsync(PutTransaction("/k", "v"), [&](const TransactionResult&) {
    done_thread.set_value(std::this_thread::get_id());
  });
  EXPECT_NE(done_thread.get_future().get(), std::this_thread::get_id());
}

// Watch events yield the cores to what agents wait on (thread_priority.h).
TYPED_TEST_P(StorageContractTest, WatchCallbacksRunBelowNormalPriority) {
  auto this_threads_niceness = [] {
    return getpriority(PRIO_PROCESS, static_cast<id_t>(gettid()));
  };
  const int caller_niceness = this_threads_niceness();
  std::promise<int> callback_niceness;
  std::once_flag once;
  auto handle = this->store_->Watch("/k", 0, [&](const std::vector<WatchEvent>&) {
    std::call_once(once, [&] { callback_niceness.set_value(this_threads_niceness()); });
  });
  ASSERT_TRUE(this->store_->Commit(PutTransaction("/k", "v")).committed());
  EXPECT_EQ(callback_niceness.get_future().get(),
            std::max(caller_niceness, storage::kWatchThreadNiceness));
  // Only the store's own thread: the caller's priority is as it was.
  EXPECT_EQ(this_threads_niceness(), caller_niceness);
}

TYPED_TEST_P(StorageContractTest, DoneRunsBeforeTheWatchEventsOfItsTransaction) {
  constexpr int kTransactions = 50;
  std::mutex mutex;
  std::set<Revision> done;
  int events_before_done = 0;
  WatchRecorder watch;
  auto record = watch.Callback();
  auto handle = this->store_->Watch("/", 0, [&](const std::vector<WatchEvent>& events) {
    {
      std::lock_guard lock(mutex);
      for (const WatchEvent& event : events) {
        if (!done.contains(event.kv.mod_revision)) ++events_before_done;
      }
    }
    record(events);
  });
  for (int i = 0; i < kTransactions; ++i) {
    this->store_->CommitAsync(PutTransaction("/k/" + std::to_string(i % 3), "v"),
                              [&](const TransactionResult& result) {
                                std::lock_guard lock(mutex);
                                done.insert(result.revision);
                              });
  }
  watch.WaitFor(kTransactions);
  std::lock_guard lock(mutex);
  EXPECT_EQ(events_before_done, 0);
}

TYPED_TEST_P(StorageContractTest, ConcurrentCommitsAreToldInRevisionOrder) {
  constexpr int kThreads = 4;
  constexpr int kCommitsEach = 25;
  constexpr int kTotal = kThreads * kCommitsEach;
  WatchRecorder watch;
  auto handle = this->store_->Watch("/", this->Nth(1), watch.Callback());
  std::mutex mutex;
  std::vector<Revision> done_order;
  std::map<std::string, Revision> done_revisions;
  std::promise<void> all_done;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kCommitsEach; ++i) {
        const std::string key = "/t" + std::to_string(t) + "/" + std::to_string(i);
        this->store_->CommitAsync(PutTransaction(key, "v"),
                                  [&, key](const TransactionResult& result) {
                                    EXPECT_TRUE(result.committed()) << result.error;
                                    std::lock_guard lock(mutex);
                                    done_order.push_back(result.revision);
                                    done_revisions[key] = result.revision;
                                    if (done_order.size() == kTotal) all_done.set_value();
                                  });
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  all_done.get_future().wait();

  // Callers are told in commit order. Each write has a revision of its
  // own, except that the etcd store may send plain writes that queued up
  // together as one etcd transaction, which then share one.
  EXPECT_TRUE(std::is_sorted(done_order.begin(), done_order.end()));
  EXPECT_GT(done_order.front(), this->Nth(0));
  EXPECT_EQ(this->store_->CurrentRevision(), done_order.back());
  EXPECT_EQ(this->Keys("/").size(), size_t{kTotal});
  std::vector<WatchEvent> events = watch.WaitFor(kTotal);
  ASSERT_EQ(events.size(), size_t{kTotal});
  for (const WatchEvent& event : events) {
    EXPECT_EQ(event.kv.mod_revision, done_revisions[event.kv.key])
        << event.kv.key << ": its event and its done name different revisions";
  }
  for (size_t i = 1; i < events.size(); ++i) {
    EXPECT_LE(events[i - 1].kv.mod_revision, events[i].kv.mod_revision);
  }
}

REGISTER_TYPED_TEST_SUITE_P(
    StorageContractTest, NewStoreIsEmptyAtItsOpeningRevision, ListTakesExactlyTheKeysUnderThePrefix,
    EveryWritingTransactionAdvancesTheRevisionByOne, CreateOnlyCompareHoldsOnlyForAMissingKey,
    ModRevisionCompareHoldsOnlyForTheCurrentRevision, OneFailingCompareAppliesNothing,
    MultiKeyTransactionIsOneRevisionSeenAtOnce, DeletingRemovesAndDeletingAMissingKeyChangesNothing,
    KeyWrittenTwiceOrEmptyKeyIsRefused, WatchFromAPastRevisionReplaysThenGoesLive,
    WatchFromZeroAndFromAListSeeOnlyLaterChanges, WatchFromAFutureRevisionStartsThere,
    WatchSeesOnlyItsPrefix, EventsCarryTheKeyAsItWasBefore, WatchOlderThanTheHistoryIsCompacted,
    DestroyedHandleIsNeverCalledAgain, DestroyingAHandleWaitsForItsRunningCallback,
    HandleDestroyedFromItsOwnCallbackStopsDelivery, WatchCallbacksRunBelowNormalPriority,
    DoneRunsOffTheCallersThread, DoneRunsBeforeTheWatchEventsOfItsTransaction,
    ConcurrentCommitsAreToldInRevisionOrder);

}  // namespace fleetset::testing
