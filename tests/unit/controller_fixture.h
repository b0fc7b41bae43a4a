// What the controller and registry tests share: registries over two
// in-memory stores, shared informers, an event recorder and a fake clock.
#pragma once

#include <gtest/gtest.h>

#include "coordinator/controllers/event_recorder.h"
#include "coordinator/controllers/node_conditions.h"
#include "coordinator/registry/shared_informers.h"
#include "coordinator/storage/memory_storage.h"
#include "coordinator/storage/watch_barrier.h"
#include "coordinator/timestamps.h"
#include "fleetset/clock.h"

namespace fleetset::testing {

class ControllerFixture : public ::testing::Test {
 protected:
  // Before the derived fixture's members (its controllers) go: a change
  // the test's last pass wrote may still be on its way to their handlers.
  void TearDown() override { informers_.Stop(); }

  // Returns once every cache and watch has seen every change made so far.
  void WaitForWatchers() {
    coordinator::storage::WaitForWatchers(*durable_);
    coordinator::storage::WaitForWatchers(*volatile_);
  }

  void AddReadyNode(const std::string& name) {
    v1::Node node;
    node.mutable_metadata()->set_name(name);
    coordinator::SetReadyCondition(node, true, coordinator::ToTimestamp(clock_.WallNow()));
    registries_.nodes.Create(coordinator::Caller::Anonymous(), node);
  }

  FakeClock clock_;
  std::unique_ptr<coordinator::storage::Storage> durable_ =
      coordinator::storage::OpenMemoryStorage();
  std::unique_ptr<coordinator::storage::Storage> volatile_ =
      coordinator::storage::OpenMemoryStorage();
  coordinator::Registries registries_{*durable_, *volatile_, clock_};
  coordinator::EventRecorder events_{registries_.events, clock_};
  coordinator::SharedInformers informers_{registries_};
};

}  // namespace fleetset::testing
