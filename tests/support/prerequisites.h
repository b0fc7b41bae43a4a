// Guards for tests that need the real test environment (a root shell with
// containerd, runc and friends; see tests/env/containerd-env.sh).
//
// Developer machines often lack it, so there the test is skipped, loudly.
// In CI (CI=true) a missing prerequisite is a broken runner, and skipping
// would hide that every real-runtime test stopped running: fail instead.
#pragma once

#include <gtest/gtest.h>

#include <string>

namespace fleetset::testing {

// What is missing to run a private containerd, or "" when nothing is.
std::string MissingContainerdPrerequisites();

// The same for the local image registry (docker-registry, curl).
std::string MissingRegistryPrerequisites();

// True when the environment variable CI says "true" (or "1").
bool RunningInCi();

// Prints the loud "SKIPPED (missing prerequisite): ..." line to stderr.
void AnnounceSkip(const std::string& test_name, const std::string& missing);

}  // namespace fleetset::testing

// Use as the first statement of a TEST body; returns from it when skipping
// or failing.
#define FLEETSET_REQUIRE_(missing_expr)                                                        \
  do {                                                                                         \
    const std::string fleetset_missing_ = (missing_expr);                                      \
    if (!fleetset_missing_.empty()) {                                                          \
      if (::fleetset::testing::RunningInCi()) {                                                \
        GTEST_FAIL() << "missing prerequisite (CI=true, so this fails instead of skipping): "  \
                     << fleetset_missing_;                                                     \
      }                                                                                        \
      ::fleetset::testing::AnnounceSkip(                                                       \
          ::testing::UnitTest::GetInstance()->current_test_info()->name(), fleetset_missing_); \
      GTEST_SKIP() << "missing prerequisite: " << fleetset_missing_;                           \
    }                                                                                          \
  } while (false)

#define REQUIRE_REAL_CONTAINERD() \
  FLEETSET_REQUIRE_(::fleetset::testing::MissingContainerdPrerequisites())

#define REQUIRE_LOCAL_REGISTRY() \
  REQUIRE_REAL_CONTAINERD();     \
  FLEETSET_REQUIRE_(::fleetset::testing::MissingRegistryPrerequisites())
