// One table-driven ValidateDaemonSet test over validation_test::Case rows,
// instantiated with its rows by the test file of each area.
#pragma once

#include <gtest/gtest.h>

#include "validation_test_util.h"

namespace fleetset::validation_test {

class ValidationCaseTest : public testing::TestWithParam<Case> {};

}  // namespace fleetset::validation_test
