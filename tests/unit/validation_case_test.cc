// The test that every INSTANTIATE_TEST_SUITE_P of ValidationCaseTest runs:
// one change to ValidDaemonSet(), exactly the expected errors.
#include "validation_case_test.h"

#include <gmock/gmock.h>

#include "fleetset/manifest.h"

namespace fleetset::validation_test {
namespace {

TEST_P(ValidationCaseTest, ReportsExactlyTheExpectedErrors) {
  v1::DaemonSet daemon_set = ValidDaemonSet();
  GetParam().mutate(&daemon_set);
  EXPECT_THAT(ValidateDaemonSet(daemon_set), testing::ElementsAreArray(GetParam().want));
}

}  // namespace
}  // namespace fleetset::validation_test
