// Randomness behind an interface, so that what it decides (back-off jitter)
// can be pinned down in tests.
#pragma once

namespace fleetset::agent {

class RandomSource {
 public:
  virtual ~RandomSource() = default;
  // Uniform in [0, 1). Any thread.
  virtual double Uniform() = 0;
};

// Seeded from the system; safe to call from any thread (an engine per thread).
RandomSource& SystemRandom();

}  // namespace fleetset::agent
