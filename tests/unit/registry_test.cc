// The generic registry over a real (in-memory) store: resourceVersion,
// generation, optimistic concurrency, what an update may change, label and
// field selectors, and watch from a resourceVersion.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>

#include "coordinator/registry/informer.h"
#include "coordinator/registry/registries.h"
#include "fleetset/manifest.h"
#include "unit/controller_fixture.h"
#include "unit/fleet_harness.h"

namespace fleetset::testing {
namespace {

using coordinator::ApiError;
using coordinator::Caller;
using coordinator::ListOptions;
using coordinator::Registry;
using coordinator::WatchEventType;
using coordinator::WatchOptions;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

const Caller kCaller = Caller::Anonymous();

v1::DaemonSet Manifest(const std::string& name, const std::string& image,
                       const std::string& labels = "") {
  std::string yaml = DaemonSetYaml(name, image);
  if (!labels.empty())
    yaml.replace(yaml.find("metadata:\n"), 10, "metadata:\n  labels: " + labels + "\n");
  std::vector<LoadedDaemonSet> loaded = LoadDaemonSets(yaml, "test.yaml");
  EXPECT_TRUE(loaded.at(0).ok());
  return loaded.at(0).daemon_set;
}

ApiError::Reason ReasonOf(const std::function<void()>& call) {
  try {
    call();
  } catch (const ApiError& error) {
    return error.reason();
  }
  ADD_FAILURE() << "no ApiError";
  return ApiError::Reason::kInternal;
}

// Collects a watch's events, for the test to wait on.
template <typename T>
class Collected {
 public:
  void Add(const coordinator::WatchEvent<T>& event) {
    std::lock_guard lock(mu_);
    events_.push_back(std::string(coordinator::WatchEventTypeName(event.type)) + " " +
                      event.object.metadata().name() + "@" +
                      event.object.metadata().resource_version());
    changed_.notify_all();
  }
  std::vector<std::string> WaitFor(size_t count) {
    std::unique_lock lock(mu_);
    changed_.wait(lock, [&] { return events_.size() >= count; });
    return events_;
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  std::vector<std::string> events_;
};

class RegistryTest : public ControllerFixture {};

TEST_F(RegistryTest, EveryWriteGivesANewResourceVersionAndSpecChangesBumpTheGeneration) {
  auto& daemon_sets = registries_.daemon_sets;
  const v1::DaemonSet created = daemon_sets.Create(kCaller, Manifest("agent", "agent:1"));
  EXPECT_FALSE(created.metadata().resource_version().empty());
  EXPECT_FALSE(created.metadata().uid().empty());
  EXPECT_EQ(created.metadata().namespace_(), "default");
  EXPECT_EQ(created.metadata().generation(), 1);
  EXPECT_EQ(daemon_sets.Get("default", "agent").metadata().resource_version(),
            created.metadata().resource_version());

  v1::DaemonSet labelled = created;
  (*labelled.mutable_metadata()->mutable_labels())["team"] = "infra";
  labelled = daemon_sets.Update(kCaller, labelled);
  EXPECT_NE(labelled.metadata().resource_version(), created.metadata().resource_version());
  EXPECT_EQ(labelled.metadata().generation(), 1) << "metadata changes keep the generation";

  v1::DaemonSet status = labelled;
  status.mutable_status()->set_desired_number_scheduled(3);
  status.mutable_spec()->mutable_template_()->mutable_spec()->mutable_containers(0)->set_image("x");
  status = daemon_sets.UpdateStatus(kCaller, status);
  EXPECT_EQ(status.status().desired_number_scheduled(), 3);
  EXPECT_EQ(status.spec().template_().spec().containers(0).image(), "agent:1")
      << "a status update changes the status only";
  EXPECT_EQ(status.metadata().generation(), 1);

  v1::DaemonSet image = status;
  image.mutable_spec()->mutable_template_()->mutable_spec()->mutable_containers(0)->set_image(
      "agent:2");
  image.mutable_status()->set_desired_number_scheduled(99);
  image = daemon_sets.Update(kCaller, image);
  EXPECT_EQ(image.metadata().generation(), 2);
  EXPECT_EQ(image.status().desired_number_scheduled(), 3) << "an update keeps the status";
  EXPECT_EQ(image.metadata().uid(), created.metadata().uid());

  // Nothing changes: nothing is written.
  EXPECT_EQ(daemon_sets.Update(kCaller, image).metadata().resource_version(),
            image.metadata().resource_version());
}

TEST_F(RegistryTest, AStaleResourceVersionIsAConflict) {
  auto& daemon_sets = registries_.daemon_sets;
  const v1::DaemonSet first = daemon_sets.Create(kCaller, Manifest("agent", "agent:1"));
  v1::DaemonSet second = first;
  (*second.mutable_metadata()->mutable_labels())["a"] = "b";
  second = daemon_sets.Update(kCaller, second);

  v1::DaemonSet stale = first;
  (*stale.mutable_metadata()->mutable_labels())["c"] = "d";
  try {
    daemon_sets.Update(kCaller, stale);
    FAIL() << "a stale update was stored";
  } catch (const ApiError& error) {
    EXPECT_EQ(error.reason(), ApiError::Reason::kConflict);
    EXPECT_STREQ(error.what(),
                 "Operation cannot be fulfilled on daemonsets.apps \"agent\": the object has been "
                 "modified; please apply your changes to the latest version and try again");
  }
  EXPECT_EQ(daemon_sets.Get("default", "agent").metadata().labels().count("c"), 0u);
  coordinator::DeleteOptions precondition;
  precondition.resource_version = first.metadata().resource_version();
  EXPECT_EQ(ReasonOf([&] { daemon_sets.Delete(kCaller, "default", "agent", precondition); }),
            ApiError::Reason::kConflict);
  EXPECT_EQ(ReasonOf([&] { daemon_sets.Create(kCaller, Manifest("agent", "agent:1")); }),
            ApiError::Reason::kAlreadyExists);
}

TEST_F(RegistryTest, ValidationAndImmutableFieldsAreInvalidWithTheirPaths) {
  auto& daemon_sets = registries_.daemon_sets;
  v1::DaemonSet bad = Manifest("agent", "agent:1");
  bad.mutable_metadata()->set_name("Bad_Name");
  try {
    daemon_sets.Create(kCaller, bad);
    FAIL();
  } catch (const ApiError& error) {
    EXPECT_EQ(error.reason(), ApiError::Reason::kInvalid);
    EXPECT_THAT(error.what(), HasSubstr("metadata.name"));
  }
  v1::DaemonSet stored = daemon_sets.Create(kCaller, Manifest("agent", "agent:1"));
  (*stored.mutable_spec()->mutable_selector()->mutable_match_labels())["app"] = "other";
  (*stored.mutable_spec()->mutable_template_()->mutable_metadata()->mutable_labels())["app"] =
      "other";
  try {
    daemon_sets.Update(kCaller, stored);
    FAIL();
  } catch (const ApiError& error) {
    EXPECT_EQ(error.reason(), ApiError::Reason::kInvalid);
    EXPECT_THAT(error.what(), HasSubstr("spec.selector: Invalid value: field is immutable"));
  }
}

TEST_F(RegistryTest, ListsSelectByLabelsAndFields) {
  auto& daemon_sets = registries_.daemon_sets;
  daemon_sets.Create(kCaller, Manifest("a", "x:1", "{tier: web}"));
  daemon_sets.Create(kCaller, Manifest("b", "x:1", "{tier: db}"));
  v1::DaemonSet other = Manifest("c", "x:1", "{tier: web}");
  other.mutable_metadata()->set_namespace_("kube-system");
  daemon_sets.Create(kCaller, other);

  auto names = [&](const ListOptions& options) {
    std::vector<std::string> found;
    for (const auto& item : daemon_sets.List(options).items)
      found.push_back(item.metadata().name());
    return found;
  };
  EXPECT_THAT(names({}), ElementsAre("a", "b", "c"));
  EXPECT_THAT(names({"default", "", ""}), ElementsAre("a", "b"));
  EXPECT_THAT(names({"", "tier=web", ""}), ElementsAre("a", "c"));
  EXPECT_THAT(names({"", "", "metadata.namespace!=default"}), ElementsAre("c"));
  EXPECT_THAT(names({"", "tier=web", "metadata.name=a"}), ElementsAre("a"));
  EXPECT_EQ(ReasonOf([&] { names({"", "", "spec.nodeName=x"}); }), ApiError::Reason::kBadRequest);
  EXPECT_EQ(ReasonOf([&] { names({"", "tier in (", ""}); }), ApiError::Reason::kBadRequest);
}

TEST_F(RegistryTest, PodsAreSelectableByNodeAndStoredUnderTheirUid) {
  auto& pods = registries_.pods;
  for (const auto& [uid, node] : {std::pair{"u1", "node-1"}, {"u2", "node-2"}}) {
    v1::Pod pod;
    pod.mutable_metadata()->set_name("agent-abcde");  // the same name on both nodes
    pod.mutable_metadata()->set_namespace_("default");
    pod.mutable_metadata()->set_uid(uid);
    pod.set_node_name(node);
    pods.PutAsync(kCaller, pod);
  }
  WaitForWatchers();
  EXPECT_EQ(pods.List({}).items.size(), 2u);
  const auto on_node = pods.List({"", "", "spec.nodeName=node-2"}).items;
  ASSERT_EQ(on_node.size(), 1u);
  EXPECT_EQ(on_node[0].metadata().uid(), "u2");
}

TEST_F(RegistryTest, AnObjectWithAUniqueNameIsCreatedWithItsMetadataAndNoCheck) {
  auto& events = registries_.events;
  v1::Event event;
  event.mutable_metadata()->set_name("node-1.00000000000000ff");
  event.mutable_metadata()->set_namespace_("default");
  event.set_reason("Registered");
  event.set_involved_object("node/node-1");
  std::optional<Registry<v1::Event>::WriteResult> written;
  events.CreateUniqueAsync(kCaller, event, [&](const auto& result) { written = result; });
  WaitForWatchers();
  ASSERT_TRUE(written.has_value());
  EXPECT_FALSE(written->error.has_value());
  const v1::Event stored = events.Get("default", "node-1.00000000000000ff");
  EXPECT_FALSE(stored.metadata().uid().empty());
  EXPECT_TRUE(stored.metadata().has_creation_timestamp());
  EXPECT_EQ(stored.kind(), "Event");
  EXPECT_EQ(stored.reason(), "Registered");
  // Invalid objects are refused as by Create.
  event.mutable_metadata()->set_name("");
  written.reset();
  events.CreateUniqueAsync(kCaller, event, [&](const auto& result) { written = result; });
  WaitForWatchers();
  ASSERT_TRUE(written.has_value());
  ASSERT_TRUE(written->error.has_value());
  EXPECT_EQ(written->error->reason(), ApiError::Reason::kInvalid);
}

TEST_F(RegistryTest, AnUpdateFromTheCacheStillMeetsAConflictInTheStore) {
  auto& daemon_sets = registries_.daemon_sets;
  const v1::DaemonSet cached = daemon_sets.Create(kCaller, Manifest("a", "x:1", "{tier: web}"));
  auto update = [&](const std::string& image) {
    v1::DaemonSet changed = cached;
    changed.mutable_spec()->mutable_template_()->mutable_spec()->mutable_containers(0)->set_image(
        image);
    std::optional<Registry<v1::DaemonSet>::WriteResult> written;
    daemon_sets.UpdateAsync(
        kCaller, changed, /*status=*/false, [&](const auto& result) { written = result; }, &cached);
    WaitForWatchers();
    EXPECT_TRUE(written.has_value());
    return written.value_or(Registry<v1::DaemonSet>::WriteResult{});
  };
  // The cache is current: the update goes in without a read.
  EXPECT_FALSE(update("x:2").error.has_value());
  EXPECT_EQ(daemon_sets.Get("default", "a").spec().template_().spec().containers(0).image(), "x:2");
  // The same cached copy is now out of date: the store says Conflict.
  const auto stale = update("x:3");
  ASSERT_TRUE(stale.error.has_value());
  EXPECT_EQ(stale.error->reason(), ApiError::Reason::kConflict);
  EXPECT_EQ(daemon_sets.Get("default", "a").spec().template_().spec().containers(0).image(), "x:2");
}

TEST_F(RegistryTest, WatchReplaysFromAResourceVersionAndFollowsTheSelection) {
  auto& daemon_sets = registries_.daemon_sets;
  const v1::DaemonSet a = daemon_sets.Create(kCaller, Manifest("a", "x:1", "{tier: web}"));
  v1::DaemonSet b = daemon_sets.Create(kCaller, Manifest("b", "x:1", "{tier: web}"));

  Collected<v1::DaemonSet> events;
  WatchOptions options;
  options.label_selector = "tier=web";
  options.resource_version = a.metadata().resource_version();
  auto watch = daemon_sets.Watch(options, [&](const auto& event) { events.Add(event); });
  (*b.mutable_metadata()->mutable_labels())["tier"] = "db";
  b = daemon_sets.Update(kCaller, b);
  const v1::DaemonSet deleted = daemon_sets.Delete(kCaller, "default", "a");
  const std::string rv_b_created = std::to_string(std::stoll(a.metadata().resource_version()) + 1);
  // b: created after the watch's resourceVersion (ADDED), then it stopped
  // matching (DELETED for this watch); a: deleted.
  EXPECT_THAT(
      events.WaitFor(3),
      ElementsAre("ADDED b@" + rv_b_created, "DELETED b@" + b.metadata().resource_version(),
                  "DELETED a@" + std::to_string(std::stoll(b.metadata().resource_version()) + 1)));

  Collected<v1::DaemonSet> listed;
  auto from_now = daemon_sets.Watch({}, [&](const auto& event) { listed.Add(event); });
  EXPECT_THAT(listed.WaitFor(1), ElementsAre("ADDED b@" + b.metadata().resource_version()));
}

TEST_F(RegistryTest, AWatchWithoutSelectorsTellsAdditionsModificationsAndDeletions) {
  auto& daemon_sets = registries_.daemon_sets;
  Collected<v1::DaemonSet> events;
  std::vector<std::string> images_seen;
  std::mutex images_mu;
  auto watch = daemon_sets.Watch({}, [&](const auto& event) {
    {
      std::lock_guard lock(images_mu);
      images_seen.push_back(event.object.spec().template_().spec().containers(0).image());
    }
    events.Add(event);
  });
  v1::DaemonSet a = daemon_sets.Create(kCaller, Manifest("a", "x:1", "{tier: web}"));
  a.mutable_spec()->mutable_template_()->mutable_spec()->mutable_containers(0)->set_image("x:2");
  a = daemon_sets.Update(kCaller, a);
  daemon_sets.Delete(kCaller, "default", "a");
  const int64_t updated = std::stoll(a.metadata().resource_version());
  EXPECT_THAT(events.WaitFor(3), ElementsAre("ADDED a@" + std::to_string(updated - 1),
                                             "MODIFIED a@" + std::to_string(updated),
                                             "DELETED a@" + std::to_string(updated + 1)));
  // A deletion carries the object as it last was.
  std::lock_guard lock(images_mu);
  EXPECT_THAT(images_seen, ElementsAre("x:1", "x:2", "x:2"));
}

TEST_F(RegistryTest, AWatchFromARevisionOlderThanTheHistoryIsGone) {
  auto& leases = registries_.leases;
  v1::Lease lease;
  lease.mutable_metadata()->set_name("node-1");
  lease.mutable_metadata()->set_namespace_("kube-node-lease");
  for (int i = 0; i < 20000; ++i) {
    lease.mutable_spec()->set_lease_transitions(i);
    leases.PutAsync(kCaller, lease);
  }
  WaitForWatchers();
  WatchOptions options;
  options.resource_version = "1";
  try {
    leases.Watch(options, [](const auto&) {});
    FAIL() << "a watch from revision 1 after 20000 changes was accepted";
  } catch (const ApiError& error) {
    EXPECT_EQ(error.reason(), ApiError::Reason::kGone);
    EXPECT_THAT(error.what(), HasSubstr("too old resource version: 1"));
  }
  options.resource_version = "not-a-number";
  EXPECT_EQ(ReasonOf([&] { leases.Watch(options, [](const auto&) {}); }),
            ApiError::Reason::kBadRequest);
}

// The etcd store writes the transactions that queued up as one request,
// so hundreds of objects can share a revision. A controller that waits
// for its cache to reach the revision of its writes must then see all of
// them, not the first few.
TEST_F(RegistryTest, AnInformerAtARevisionHoldsEveryObjectWrittenAtIt) {
  auto& assignments = registries_.node_assignments;
  coordinator::Informer<v1::NodeAssignments> informer(assignments);
  const std::vector<std::string> names = {"node-1", "node-2", "node-3"};
  // Whether the last object was in the cache at its first handler call.
  std::optional<bool> last_object_in;
  informer.AddHandler([&](const coordinator::WatchEvent<v1::NodeAssignments>&) {
    if (!last_object_in) last_object_in = informer.Get("", names.back()) != nullptr;
  });
  informer.Start();

  coordinator::storage::Transaction transaction;
  for (const std::string& name : names) {
    v1::NodeAssignments object;
    object.mutable_metadata()->set_name(name);
    (*object.mutable_assignments())["default/agent"].set_revision_hash("abc");
    transaction.operations.push_back(coordinator::storage::Operation::Put(
        assignments.KeyOf(object), object.SerializeAsString()));
  }
  const coordinator::storage::TransactionResult written = durable_->Commit(std::move(transaction));
  ASSERT_TRUE(written.committed()) << written.error;
  informer.WaitForRevision(written.revision);
  for (const std::string& name : names) EXPECT_NE(informer.Get("", name), nullptr) << name;
  WaitForWatchers();
  ASSERT_TRUE(last_object_in.has_value());
  EXPECT_TRUE(*last_object_in) << "a handler ran before the cache held the whole transaction";
}

// A controller waits for its cache to reach the revision of its own
// writes, then reads what its handlers noted (the nodes whose objects
// changed). Had the revision been announced before the handlers ran, the
// controller would act on the objects as they were before its writes, and
// write them again on a stale version: refused as a conflict.
TEST_F(RegistryTest, AnInformerAnnouncesARevisionOnlyAfterItsHandlersRan) {
  auto& assignments = registries_.node_assignments;
  coordinator::Informer<v1::NodeAssignments> informer(assignments);
  std::atomic<int> handled = 0;
  std::atomic<coordinator::storage::Revision> announced_in_handler = -1;
  informer.AddHandler([&](const coordinator::WatchEvent<v1::NodeAssignments>&) {
    announced_in_handler = informer.Revision();
    ++handled;
  });
  informer.Start();

  v1::NodeAssignments object;
  object.mutable_metadata()->set_name("node-1");
  (*object.mutable_assignments())["default/agent"].set_revision_hash("abc");
  const coordinator::storage::Revision written =
      coordinator::ResourceRevision(assignments.Create(kCaller, object).metadata());
  informer.WaitForRevision(written);
  EXPECT_EQ(handled, 1) << "WaitForRevision returned before the handler ran";
  EXPECT_LT(announced_in_handler, written)
      << "the revision was announced while the handler was still being told of it";
}

}  // namespace
}  // namespace fleetset::testing
