// Names and identifiers for the pods a worker creates.
#include <random>

#include "agent/pod_worker.h"

namespace fleetset::agent {
namespace {

// Kubernetes' alphabet for generated name suffixes: no vowels (no words),
// no look-alike characters.
constexpr char kSuffixAlphabet[] = "bcdfghjklmnpqrstvwxz2456789";

std::mt19937_64& Random() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return engine;
}

}  // namespace

std::string GeneratePodName(const std::string& daemon_set_name) {
  std::uniform_int_distribution<size_t> pick(0, sizeof kSuffixAlphabet - 2);
  std::string suffix(5, ' ');
  for (char& c : suffix) c = kSuffixAlphabet[pick(Random())];
  // A pod name must stay a valid DNS-1123 subdomain of at most 63
  // characters in the places that take it as a label (hostname).
  std::string base = daemon_set_name.substr(0, 57);
  return base + "-" + suffix;
}

}  // namespace fleetset::agent
