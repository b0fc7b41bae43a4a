// A RandomSource that returns what the test sets: jitter pinned down.
#pragma once

#include "agent/random_source.h"

namespace fleetset::testing {

class FixedRandom final : public agent::RandomSource {
 public:
  explicit FixedRandom(double value = 0) : value_(value) {}
  double Uniform() override { return value_; }
  void Set(double value) { value_ = value; }

 private:
  double value_;
};

}  // namespace fleetset::testing
