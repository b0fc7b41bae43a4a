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

std::string PodOwner::Key() const {
  std::string key = daemon_set_namespace + "/" + daemon_set_name;
  return static_pod ? "static:" + key : key;
}

std::string GeneratePodName(const std::string& daemon_set_name) {
  std::uniform_int_distribution<size_t> pick(0, sizeof kSuffixAlphabet - 2);
  std::string suffix(5, ' ');
  for (char& c : suffix) c = kSuffixAlphabet[pick(Random())];
  // A pod name must stay a valid DNS-1123 subdomain of at most 63
  // characters in the places that take it as a label (hostname).
  std::string base = daemon_set_name.substr(0, 57);
  return base + "-" + suffix;
}

std::string GenerateUid() {
  std::uniform_int_distribution<uint64_t> pick;
  uint64_t high = pick(Random());
  uint64_t low = pick(Random());
  // RFC 4122 version 4, variant 1.
  high = (high & 0xffffffffffff0fffull) | 0x0000000000004000ull;
  low = (low & 0x3fffffffffffffffull) | 0x8000000000000000ull;
  char text[37];
  snprintf(text, sizeof text, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(high >> 32),
           static_cast<unsigned>((high >> 16) & 0xffff), static_cast<unsigned>(high & 0xffff),
           static_cast<unsigned>(low >> 48),
           static_cast<unsigned long long>(low & 0xffffffffffffull));
  return text;
}

}  // namespace fleetset::agent
