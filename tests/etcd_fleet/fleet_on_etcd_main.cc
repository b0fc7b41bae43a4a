// The in-process fleet tests (tests/unit/fleet_*), run again with every
// harness keeping its fleet in a real etcd under a prefix of its own: the
// coordinator's logic must hold on both stores. One member serves them all
// (the tests are about the coordinator on the store, not etcd's failures,
// which tests/etcd covers), started once for the whole run.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <iostream>

#include "etcd/etcd_cluster.h"
#include "support/prerequisites.h"
#include "unit/fleet_harness.h"

namespace {

// ctest reports this exit status as a skip (SKIP_RETURN_CODE).
constexpr int kSkipped = 77;

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleMock(&argc, argv);
  using namespace fleetset::testing;
  const std::string missing = MissingEtcdPrerequisites();
  if (!missing.empty()) {
    if (RunningInCi()) {
      std::cerr << "missing prerequisite (CI=true, so this fails instead of skipping): " << missing
                << "\n";
      return 1;
    }
    AnnounceSkip("every fleet test on etcd", missing);
    return kSkipped;
  }
  EtcdCluster cluster(/*members=*/1);
  if (!cluster.ok()) {
    std::cerr << "etcd did not start: " << cluster.error() << "\n";
    return 1;
  }
  UseEtcdInFleetHarnesses([&cluster] { return cluster.Options(UniquePrefix("fleet")); });
  return RUN_ALL_TESTS();
}
