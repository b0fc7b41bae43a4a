// The etcd store's commit pipeline without etcd: what it sends when, and
// the order in which it hands over results and watch events.
#include "coordinator/storage/etcd_commit_pipeline.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "storage_test_util.h"

namespace fleetset::testing {
namespace {

using storage::CommitPipeline;
using storage::Revision;
using storage::TransactionResult;
using storage::WatchEvent;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

class CommitPipelineTest : public ::testing::Test {
 protected:
  explicit CommitPipelineTest(size_t max_in_flight = 8)
      : pipeline_(
            max_in_flight,
            [this](uint64_t id, const std::vector<storage::Transaction>& batch) {
              sent_.push_back(id);
              sent_members_.push_back(batch.size());
            },
            [this](CommitPipeline::Delivery delivery) {
              if (delivery.done) {
                delivery.done(delivery.result);
              } else {
                for (const WatchEvent& event : delivery.events) {
                  told_.push_back("event " + std::to_string(event.kv.mod_revision));
                }
              }
            }) {
    pipeline_.NoteRevision(10);
  }

  // Queues a put of `key`; its result is told as "done <name> <revision>".
  void Queue(const std::string& name, const std::string& key, std::string refusal = "") {
    pipeline_.Queue(
        PutTransaction(key, "v"),
        [this, name](const TransactionResult& result) {
          told_.push_back("done " + name + " " + std::to_string(result.revision));
        },
        std::move(refusal));
  }

  // Queues a put of `key` that holds only while it is missing.
  void QueueGuarded(const std::string& name, const std::string& key) {
    storage::Transaction guarded = PutTransaction(key, "v");
    guarded.compares.push_back(storage::Compare::ModRevision(key, 0));
    pipeline_.Queue(
        std::move(guarded),
        [this, name](const TransactionResult& result) {
          told_.push_back("done " + name + " " + std::to_string(result.revision));
        },
        "");
  }

  // Request `id` wrote `revision` with every transaction it carried.
  void Wrote(uint64_t id, Revision revision) {
    pipeline_.Resolve(id, {{{TransactionResult::Status::kCommitted, revision, {}}, true}});
  }

  void Events(std::initializer_list<Revision> revisions) {
    std::vector<WatchEvent> events;
    for (Revision revision : revisions) {
      events.push_back({WatchEvent::Type::kPut, {"/k", "v", revision, revision}, std::nullopt});
    }
    pipeline_.Observe(std::move(events));
  }

  // The requests sent, by the id of the transaction leading each.
  std::vector<uint64_t> sent_;
  // How many transactions each request carried.
  std::vector<size_t> sent_members_;
  std::vector<std::string> told_;
  CommitPipeline pipeline_;
};

TEST_F(CommitPipelineTest, ATransactionOnAKeyInFlightWaitsForIt) {
  Queue("a", "/a");
  Queue("b", "/b");
  Queue("a-again", "/a");
  Queue("c", "/c");
  EXPECT_THAT(sent_, ElementsAre(0, 1, 3));

  Wrote(0, 11);
  EXPECT_THAT(sent_, ElementsAre(0, 1, 3, 2));
}

TEST_F(CommitPipelineTest, ResultsAreToldInTheOrderEtcdAppliedThem) {
  Queue("first", "/a");
  Queue("second", "/b");
  // etcd applied the second one first.
  Wrote(1, 11);
  EXPECT_THAT(told_, IsEmpty());
  Wrote(0, 12);
  EXPECT_THAT(told_, ElementsAre("done second 11", "done first 12"));
  EXPECT_TRUE(pipeline_.Idle());
}

TEST_F(CommitPipelineTest, WaitIdleReturnsWhenTheLastTransactionInFlightResolves) {
  Queue("first", "/a");
  std::atomic<bool> returned = false;
  std::thread waiter([&] {
    pipeline_.WaitIdle();
    returned = true;
  });
  // Still in flight: the waiter cannot have returned. Once it resolves,
  // the waiter must (a waiter that never wakes hangs the join).
  std::this_thread::yield();
  EXPECT_FALSE(returned);
  Wrote(0, 11);
  waiter.join();
  EXPECT_TRUE(returned);
  EXPECT_THAT(told_, ElementsAre("done first 11"));
}

TEST_F(CommitPipelineTest, EventsWaitForTheDoneOfTheirTransaction) {
  Queue("mine", "/a");
  // Another writer's revision 11 and this one's 12 arrive before the answer.
  Events({11, 12});
  EXPECT_THAT(told_, IsEmpty());
  Wrote(0, 12);
  EXPECT_THAT(told_, ElementsAre("event 11", "done mine 12", "event 12"));
}

TEST_F(CommitPipelineTest, EventsPassWhenNothingSentBeforeThemIsInFlight) {
  Events({11});
  EXPECT_THAT(told_, ElementsAre("event 11"));
  // Sent after revision 11 was known: it cannot hold 11 back, nor 12 when
  // its answer comes.
  Queue("later", "/a");
  Wrote(0, 12);
  Events({12});
  EXPECT_THAT(told_, ElementsAre("event 11", "done later 12", "event 12"));
}

TEST_F(CommitPipelineTest, RefusedAndFailedTransactionsKeepTheirPlace) {
  Queue("sent", "/a");
  Queue("refused", "/b", "key /b is written twice in one transaction");
  EXPECT_THAT(sent_, ElementsAre(0));
  EXPECT_THAT(told_, IsEmpty());
  pipeline_.Resolve(0, {{{TransactionResult::Status::kFailed, 0, "etcd unavailable: x"}, false}});
  EXPECT_THAT(told_, ElementsAre("done sent 10", "done refused 10"));
}

class OneInFlightTest : public CommitPipelineTest {
 protected:
  OneInFlightTest() : CommitPipelineTest(1) {}
};

TEST_F(OneInFlightTest, SendsEachAfterThePreviousAnswer) {
  Queue("a", "/a");
  pipeline_.Resolve(0, {{{TransactionResult::Status::kCommitted, 11, {}}, true}});
  Queue("b", "/b");
  EXPECT_THAT(sent_, ElementsAre(0, 1));
  Wrote(1, 12);
  EXPECT_THAT(told_, ElementsAre("done a 11", "done b 12"));
  EXPECT_EQ(pipeline_.sent(), 2u);
}

TEST_F(OneInFlightTest, WritesThatWaitedGoTogetherAndShareTheRevision) {
  Queue("a", "/a");
  Queue("b", "/b");
  QueueGuarded("guarded", "/g");
  Queue("b-again", "/b");
  Queue("d", "/d");
  EXPECT_THAT(sent_, ElementsAre(0));
  Wrote(0, 11);
  // b leads; the guarded write and d join it. b-again names /b, so it
  // waits for b, and nothing naming /b may pass it.
  EXPECT_THAT(sent_, ElementsAre(0, 1));
  EXPECT_THAT(sent_members_, ElementsAre(1, 3));
  Wrote(1, 12);
  EXPECT_THAT(told_, ElementsAre("done a 11", "done b 12", "done guarded 12", "done d 12"));
  EXPECT_THAT(sent_, ElementsAre(0, 1, 3));
  Wrote(3, 13);
  EXPECT_THAT(told_.back(), "done b-again 13");
  EXPECT_TRUE(pipeline_.Idle());
  EXPECT_EQ(pipeline_.sent(), 3u) << "five writes, three etcd requests";
}

TEST_F(OneInFlightTest, EachTransactionOfARequestIsToldItsOwnOutcome) {
  Queue("first", "/first");
  Queue("a", "/a");
  QueueGuarded("stale", "/g");
  Queue("c", "/c");
  Wrote(0, 11);
  ASSERT_THAT(sent_members_, ElementsAre(1, 3));
  // a and c wrote revision 12; the guarded write's compare did not hold.
  pipeline_.Resolve(1, {{{TransactionResult::Status::kCommitted, 12, {}}, true},
                        {{TransactionResult::Status::kCompareFailed, 12, {}}, false},
                        {{TransactionResult::Status::kCommitted, 12, {}}, true}});
  EXPECT_THAT(told_, ElementsAre("done first 11", "done a 12", "done c 12", "done stale 12"))
      << "what wrote 12 is told before what only read it";
  EXPECT_TRUE(pipeline_.Idle());
}

TEST_F(OneInFlightTest, ARequestStopsAtEtcdsLimitOfOperations) {
  Queue("first", "/first");
  for (int i = 0; i < 200; ++i) Queue("w" + std::to_string(i), "/w" + std::to_string(i));
  Wrote(0, 11);
  // Each one-operation member is an operation of the outer Txn, and leaves
  // its own one: 127 + 1 make etcd's 128.
  EXPECT_THAT(sent_members_, ElementsAre(1, 127));
  Wrote(1, 12);
  EXPECT_THAT(sent_members_, ElementsAre(1, 127, 73));
}

TEST_F(OneInFlightTest, AMemberWithManyOperationsLeavesRoomForFewerOthers) {
  Queue("first", "/first");
  storage::Transaction wide;
  for (int i = 0; i < 100; ++i) {
    wide.operations.push_back(storage::Operation::Put("/wide/" + std::to_string(i), "v"));
  }
  pipeline_.Queue(
      std::move(wide), [](const TransactionResult&) {}, "");
  for (int i = 0; i < 50; ++i) Queue("w" + std::to_string(i), "/w" + std::to_string(i));
  Wrote(0, 11);
  EXPECT_THAT(sent_members_, ElementsAre(1, 28)) << "28 members + 100 operations = 128";
}

}  // namespace
}  // namespace fleetset::testing
