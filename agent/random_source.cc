#include "agent/random_source.h"

#include <random>

namespace fleetset::agent {
namespace {

class SystemRandomSource final : public RandomSource {
 public:
  double Uniform() override {
    thread_local std::mt19937_64 engine{std::random_device{}()};
    return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
  }
};

}  // namespace

RandomSource& SystemRandom() {
  static SystemRandomSource source;
  return source;
}

}  // namespace fleetset::agent
