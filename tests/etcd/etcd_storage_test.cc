// The etcd store where etcd differs from a local file: members dying, the
// quorum lost and regained, history compacted under a watch, TLS, and the
// order of results and events with many transactions in flight.
#include "coordinator/storage/etcd_storage.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <future>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "coordinator/storage/etcd_client.h"
#include "coordinator/storage/stale_reads.h"
#include "etcd/etcd_cluster.h"
#include "unit/storage_test_util.h"

namespace fleetset::testing {
namespace {

using namespace std::chrono_literals;
using storage::EtcdOptions;
using storage::OpenEtcdStorage;
using storage::Revision;
using storage::StorageError;
using storage::TransactionResult;
using storage::WatchEvent;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

// Options that talk to members 2 and 3 only: another coordinator, which
// keeps working while member 1 is down. A write sent while the cluster
// elects a new leader may time out; a short deadline lets it be retried.
EtcdOptions WithoutFirstMember(const EtcdCluster& cluster, const std::string& prefix) {
  EtcdOptions options = cluster.Options(prefix);
  options.servers.erase(options.servers.begin());
  options.request_timeout = 1s;
  return options;
}

// Commits `transaction` again until it is committed (a deadline passed
// during an election leaves the outcome unknown: it may be applied twice).
TransactionResult CommitEventually(storage::Storage& store,
                                   const storage::Transaction& transaction) {
  TransactionResult result;
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  do {
    result = store.Commit(transaction);
  } while (!result.committed() && std::chrono::steady_clock::now() < deadline);
  EXPECT_TRUE(result.committed()) << result.error;
  return result;
}

TEST(EtcdStorage, WatchSurvivesAMemberKillWithoutLosingOrRepeatingEvents) {
  REQUIRE_ETCD();
  EtcdCluster cluster;
  ASSERT_TRUE(cluster.ok()) << cluster.error();
  // This store's watch is on member 1, the first it is given.
  auto watched = OpenEtcdStorage(cluster.Options("/survive"));
  auto writer = OpenEtcdStorage(WithoutFirstMember(cluster, "/survive"));
  WatchRecorder watch;
  auto handle = watched->Watch("/", 0, watch.Callback());

  constexpr int kWrites = 40;
  const Revision first = Put(*writer, "/k/first", "v").revision;
  for (int i = 0; i < kWrites; ++i) {
    if (i == kWrites / 2) cluster.KillMember(1);
    CommitEventually(*writer, PutTransaction("/k/" + std::to_string(i), "v"));
  }
  // The store itself writes through the members left.
  const Revision last = CommitEventually(*watched, PutTransaction("/after", "v")).revision;

  // Nothing else writes to this cluster and every transaction writes one
  // key: the watch must see every revision from the first to the last
  // once, in order (a write retried after an unknown outcome has two).
  const std::vector<WatchEvent> events = watch.WaitFor(last - first + 1);
  std::vector<Revision> seen;
  for (const WatchEvent& event : events) seen.push_back(event.kv.mod_revision);
  std::vector<Revision> expected;
  for (Revision revision = first; revision <= last; ++revision) expected.push_back(revision);
  EXPECT_EQ(seen, expected);
  EXPECT_EQ(watched->Get("/k/0")->value, "v");
}

TEST(EtcdStorage, WatchThatMissedACompactionGetsTheDifferenceInsteadOfAnError) {
  REQUIRE_ETCD();
  EtcdCluster cluster;
  ASSERT_TRUE(cluster.ok()) << cluster.error();
  EtcdOptions slow = cluster.Options("/relist");
  // Long enough for the other coordinator to write and compact while this
  // store's watch is cut off.
  slow.watch_retry_interval = 5s;
  auto watched = OpenEtcdStorage(slow);
  auto other = OpenEtcdStorage(WithoutFirstMember(cluster, "/relist"));
  storage::EtcdClientOptions admin_options = cluster.ClientOptions();
  admin_options.servers.erase(admin_options.servers.begin());
  storage::EtcdClient admin(admin_options);
  Put(*other, "/k/a", "a1");
  Put(*other, "/k/b", "b1");
  Put(*other, "/k/unchanged", "u");
  WatchRecorder watch;
  auto handle = watched->Watch("/k/", 0, watch.Callback());
  Put(*other, "/k/seen", "s");
  ASSERT_EQ(watch.WaitFor(1).size(), 1u);

  cluster.KillMember(1);
  const auto cut_off = std::chrono::steady_clock::now();
  CommitEventually(*other, PutTransaction("/k/a", "a2"));
  CommitEventually(*other, PutTransaction("/k/a", "a3"));
  CommitEventually(*other, DeleteTransaction("/k/b"));
  const Revision last = CommitEventually(*other, PutTransaction("/k/c", "c1")).revision;
  admin.Compact(last, /*physical=*/true);
  ASSERT_LT(std::chrono::steady_clock::now() - cut_off, slow.watch_retry_interval)
      << "too slow to test a compaction while the watch is cut off";

  // The net change since the watch last saw etcd, as events, with the
  // values the watch knew before.
  const std::vector<WatchEvent> events = watch.WaitFor(4);
  const std::vector<WatchEvent> missed(events.begin() + 1, events.end());
  ASSERT_EQ(missed.size(), 3u);
  EXPECT_THAT(Describe(missed), UnorderedElementsAre("put /k/a", "put /k/c", "delete /k/b"));
  std::map<std::string, WatchEvent> by_key;
  for (const WatchEvent& event : missed) by_key[event.kv.key] = event;
  EXPECT_EQ(by_key["/k/a"].kv.value, "a3");
  ASSERT_TRUE(by_key["/k/a"].previous);
  EXPECT_EQ(by_key["/k/a"].previous->value, "a1");
  EXPECT_FALSE(by_key["/k/c"].previous);
  ASSERT_TRUE(by_key["/k/b"].previous);
  EXPECT_EQ(by_key["/k/b"].previous->value, "b1");
  for (size_t i = 1; i < missed.size(); ++i) {
    EXPECT_LE(missed[i - 1].kv.mod_revision, missed[i].kv.mod_revision);
  }

  // And the watch goes on from there.
  Put(*other, "/k/d", "d1");
  EXPECT_EQ(Describe(watch.WaitFor(5)).back(), "put /k/d");
}

TEST(EtcdStorage, LostQuorumFailsCommitsWithinTheDeadlineAndRecovers) {
  REQUIRE_ETCD();
  EtcdCluster cluster;
  ASSERT_TRUE(cluster.ok()) << cluster.error();
  EtcdOptions options = cluster.Options("/quorum");
  options.request_timeout = 2s;
  auto store = OpenEtcdStorage(options);
  Put(*store, "/before", "v");
  WatchRecorder watch;
  auto handle = store->Watch("/", 0, watch.Callback());

  cluster.KillMember(2);
  cluster.KillMember(3);
  const auto start = std::chrono::steady_clock::now();
  const TransactionResult failed = store->Commit(PutTransaction("/during", "v"));
  EXPECT_LT(std::chrono::steady_clock::now() - start, options.request_timeout + 1s);
  EXPECT_EQ(failed.status, TransactionResult::Status::kFailed);
  EXPECT_THAT(failed.error, HasSubstr("unavailable"));
  EXPECT_EQ(failed.error.find('\n'), std::string::npos) << failed.error;
  {
    // Reads answer from the store's copy, and say they may be stale.
    storage::StaleReadScope reads;
    const std::optional<storage::KeyValue> before = store->Get("/before");
    ASSERT_TRUE(before.has_value());
    EXPECT_EQ(before->value, "v");
    EXPECT_EQ(store->List("/").items.size(), 1u);
    EXPECT_TRUE(reads.stale());
    EXPECT_THAT(reads.why(), HasSubstr("etcd unavailable"));
  }

  cluster.StartMember(2);
  cluster.StartMember(3);
  TransactionResult after;
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  do {
    after = store->Commit(PutTransaction("/after", "v"));
  } while (!after.committed() && std::chrono::steady_clock::now() < deadline);
  ASSERT_TRUE(after.committed()) << after.error;
  EXPECT_EQ(store->Get("/before")->value, "v");
  // The store's watch is back too. (The write during the outage may or may
  // not have been applied: its outcome was unknown.)
  std::vector<std::string> seen;
  const auto watch_deadline = std::chrono::steady_clock::now() + 20s;
  while (std::chrono::steady_clock::now() < watch_deadline) {
    seen = Describe(watch.WaitFor(1));
    if (!seen.empty() && seen.back() == "put /after") break;
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_FALSE(seen.empty());
  if (!seen.empty()) {
    EXPECT_EQ(seen.back(), "put /after");
  }
}

TEST(EtcdStorage, TlsEndpointsWithTheClientCertificate) {
  REQUIRE_ETCD();
  EtcdCluster cluster(3, /*tls=*/true);
  ASSERT_TRUE(cluster.ok()) << cluster.error();
  ASSERT_TRUE(cluster.endpoints()[0].starts_with("https://"));
  auto store = OpenEtcdStorage(cluster.Options("/tls"));
  WatchRecorder watch;
  auto handle = store->Watch("/", 0, watch.Callback());
  Put(*store, "/k", "secret");
  EXPECT_EQ(store->Get("/k")->value, "secret");
  EXPECT_THAT(Describe(watch.WaitFor(1)), ElementsAre("put /k"));

  // The members insist on a client certificate.
  EtcdOptions anonymous = cluster.Options("/tls");
  anonymous.cert_file.clear();
  anonymous.key_file.clear();
  anonymous.request_timeout = 2s;
  EXPECT_THROW(OpenEtcdStorage(anonymous), StorageError);
}

// The store groups up to 128 writes in one etcd transaction; an etcd that
// takes fewer would refuse them only under load, so the store refuses to
// open on it, naming the flag.
TEST(EtcdStorage, RefusesToOpenOnAnEtcdThatTakesShorterTransactions) {
  REQUIRE_ETCD();
  EtcdCluster cluster(1, /*tls=*/false, /*max_txn_ops=*/64);
  ASSERT_TRUE(cluster.ok()) << cluster.error();
  try {
    OpenEtcdStorage(cluster.Options("/short"));
    ADD_FAILURE() << "opened on an etcd with --max-txn-ops=64";
  } catch (const StorageError& error) {
    EXPECT_THAT(error.what(), HasSubstr("--max-txn-ops=128"));
    EXPECT_THAT(error.what(), HasSubstr("too many operations"));
    EXPECT_EQ(std::string(error.what()).find('\n'), std::string::npos) << "one line";
  }
}

// Many transactions in flight, several on one key: each key ends with the
// value queued last for it, `done` callbacks run in revision order, and
// every event comes after the `done` of its own transaction.
TEST(EtcdStorage, PipelinedCommitsKeepKeyOrderAndTellDoneBeforeEvents) {
  REQUIRE_ETCD();
  EtcdCluster& cluster = SharedEtcdCluster();
  ASSERT_TRUE(cluster.ok()) << cluster.error();
  auto store = OpenEtcdStorage(cluster.Options(UniquePrefix("pipeline")));
  std::mutex mutex;
  std::set<Revision> done_revisions;
  std::vector<Revision> done_order;
  int events_before_done = 0;
  WatchRecorder watch;
  auto record = watch.Callback();
  auto handle = store->Watch("/", 0, [&](const std::vector<WatchEvent>& events) {
    {
      std::lock_guard lock(mutex);
      for (const WatchEvent& event : events) {
        if (!done_revisions.contains(event.kv.mod_revision)) ++events_before_done;
      }
    }
    record(events);
  });

  constexpr int kTransactions = 400;
  constexpr int kKeys = 7;
  std::promise<void> all_done;
  int remaining = kTransactions;
  for (int i = 0; i < kTransactions; ++i) {
    const std::string key = "/k/" + std::to_string(i % kKeys);
    store->CommitAsync(PutTransaction(key, std::to_string(i)),
                       [&](const TransactionResult& result) {
                         EXPECT_TRUE(result.committed()) << result.error;
                         std::lock_guard lock(mutex);
                         done_revisions.insert(result.revision);
                         done_order.push_back(result.revision);
                         if (--remaining == 0) all_done.set_value();
                       });
  }
  all_done.get_future().wait();
  watch.WaitFor(kTransactions);

  std::lock_guard lock(mutex);
  EXPECT_EQ(events_before_done, 0);
  EXPECT_TRUE(std::is_sorted(done_order.begin(), done_order.end()));
  for (int k = 0; k < kKeys; ++k) {
    int last = k;
    while (last + kKeys < kTransactions) last += kKeys;
    EXPECT_EQ(store->Get("/k/" + std::to_string(k))->value, std::to_string(last));
  }
}

TEST(EtcdStorage, PlainWritesThatQueueUpShareEtcdTransactions) {
  REQUIRE_ETCD();
  EtcdCluster& cluster = SharedEtcdCluster();
  ASSERT_TRUE(cluster.ok()) << cluster.error();
  EtcdOptions options = cluster.Options(UniquePrefix("grouped"));
  options.max_in_flight = 4;
  auto store = OpenEtcdStorage(options);
  WatchRecorder watch;
  auto handle = store->Watch("/", 0, watch.Callback());
  constexpr int kWrites = 2000;
  std::vector<storage::Transaction> transactions;
  for (int i = 0; i < kWrites; ++i) {
    transactions.push_back(PutTransaction("/pods/" + std::to_string(i), std::to_string(i)));
  }
  const std::vector<TransactionResult> results = CommitAll(*store, std::move(transactions));
  for (const TransactionResult& result : results) ASSERT_TRUE(result.committed()) << result.error;
  EXPECT_EQ(watch.WaitFor(kWrites).size(), size_t{kWrites});
  EXPECT_EQ(store->List("/pods/").items.size(), size_t{kWrites});
  EXPECT_EQ(store->Get("/pods/1234")->value, "1234");
  const storage::CommitStats stats = store->Stats();
  EXPECT_EQ(stats.transactions, uint64_t{kWrites});
  EXPECT_LT(stats.batches, uint64_t{kWrites / 10})
      << "writes waiting for a slot go to etcd together, up to 128 at a time";
}

// Guarded writes (a controller's create-only or fenced updates) that queue
// up go to etcd together too, and each keeps its own guard: one whose
// compare fails or whose fence is stale fails alone.
TEST(EtcdStorage, GuardedWritesThatQueueUpShareEtcdRequestsAndKeepTheirGuards) {
  REQUIRE_ETCD();
  EtcdCluster& cluster = SharedEtcdCluster();
  ASSERT_TRUE(cluster.ok()) << cluster.error();
  EtcdOptions options = cluster.Options(UniquePrefix("guarded"));
  options.max_in_flight = 1;
  auto store = OpenEtcdStorage(options);
  const TransactionResult leader = store->Commit(PutTransaction("/leader", "me"));
  ASSERT_TRUE(leader.committed()) << leader.error;
  for (const char* taken : {"/nodes/5", "/nodes/17"}) {
    ASSERT_TRUE(store->Commit(PutTransaction(taken, "earlier")).committed());
  }
  WatchRecorder watch;
  auto handle = store->Watch("/nodes/", 0, watch.Callback());

  constexpr int kWrites = 600;
  constexpr int kDeposed = 300;
  std::vector<storage::Transaction> transactions;
  for (int i = 0; i < kWrites; ++i) {
    const std::string key = "/nodes/" + std::to_string(i);
    storage::Transaction create = PutTransaction(key, std::to_string(i));
    create.compares.push_back(storage::Compare::Absent(key));
    create.fence = storage::Compare::ModRevision(
        "/leader", i == kDeposed ? leader.revision + 1000 : leader.revision);
    transactions.push_back(std::move(create));
  }
  const std::vector<TransactionResult> results = CommitAll(*store, std::move(transactions));
  for (int i = 0; i < kWrites; ++i) {
    const TransactionResult::Status expected =
        i == 5 || i == 17 ? TransactionResult::Status::kCompareFailed
        : i == kDeposed   ? TransactionResult::Status::kFenced
                          : TransactionResult::Status::kCommitted;
    EXPECT_EQ(results[i].status, expected) << "write " << i << ": " << results[i].error;
  }
  EXPECT_EQ(watch.WaitFor(kWrites - 3).size(), size_t{kWrites - 3});
  EXPECT_EQ(store->Get("/nodes/5")->value, "earlier");
  EXPECT_FALSE(store->Get("/nodes/300").has_value());
  EXPECT_EQ(store->Get("/nodes/299")->value, "299");
  EXPECT_LT(store->Stats().batches, uint64_t{kWrites / 10} + 3)
      << "writes waiting for the one slot go to etcd together";
}

// Thousands of writes all commit with one request in flight and with many
// (in both, the writes that wait for a slot go together). The rates are
// printed and recorded in the test's XML output, not judged: timings are
// the benchmarks' business.
TEST(EtcdStorage, ManyWritesCommitWithOneAndWithManyInFlight) {
  REQUIRE_ETCD();
  EtcdCluster& cluster = SharedEtcdCluster();
  ASSERT_TRUE(cluster.ok()) << cluster.error();
  std::map<size_t, double> rates;
  for (const size_t in_flight : {size_t{1}, size_t{64}}) {
    EtcdOptions options = cluster.Options(UniquePrefix("throughput"));
    options.max_in_flight = in_flight;
    auto store = OpenEtcdStorage(options);
    const int count = in_flight == 1 ? 300 : 3000;
    std::vector<storage::Transaction> transactions;
    for (int i = 0; i < count; ++i) {
      transactions.push_back(PutTransaction("/agents/" + std::to_string(i), "status"));
    }
    const auto start = std::chrono::steady_clock::now();
    const std::vector<TransactionResult> results = CommitAll(*store, std::move(transactions));
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    for (const TransactionResult& result : results) ASSERT_TRUE(result.committed());
    rates[in_flight] = count / elapsed.count();
    std::cout << "etcd store, " << in_flight << " in flight: " << count << " transactions in "
              << elapsed.count() << " s = " << rates[in_flight] << " transactions/s" << std::endl;
    ::testing::Test::RecordProperty("transactions_per_second_" + std::to_string(in_flight),
                                    static_cast<int>(rates[in_flight]));
  }
}

}  // namespace
}  // namespace fleetset::testing
