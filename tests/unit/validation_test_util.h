// Shared pieces of the ValidateDaemonSet tests: a valid, defaulted
// DaemonSet to mutate, and the table-driven case shape.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "fleetset/field_error.h"
#include "fleetset/v1/daemonset.pb.h"

namespace fleetset {

// gtest prints mismatching error lists readably with this.
inline void PrintTo(const FieldError& error, std::ostream* out) {
  *out << "{\"" << error.path << "\", \"" << error.message << "\"}";
}

namespace validation_test {

// The fluentd-elasticsearch DaemonSet of the Kubernetes docs, as it reads
// after defaulting: one container with a port, env from fieldRef,
// resources, a hostPath mount and a liveness probe; a toleration; rolling
// update 1/0.
v1::DaemonSet ValidDaemonSet();

v1::PodSpec* Pod(v1::DaemonSet* daemon_set);
v1::Container* Container(v1::DaemonSet* daemon_set, int index = 0);

// One table row: change one thing in ValidDaemonSet(), expect exactly
// these errors.
struct Case {
  std::string name;
  std::function<void(v1::DaemonSet*)> mutate;
  FieldErrors want;
};

// gtest test-name for a Case.
std::string CaseName(const testing::TestParamInfo<Case>& info);

// The errors a syntax checker's problems become: one Invalid per problem,
// value quoted. For rules owned by names.h, so the tests pin the wiring
// (path, value, one error per problem) rather than another module's text.
FieldErrors InvalidEach(const std::string& path, std::string_view value,
                        const std::vector<std::string>& problems);

// Concatenation, for cases whose errors come from several sources.
FieldErrors Join(std::vector<FieldErrors> parts);

}  // namespace validation_test
}  // namespace fleetset
