#include "fleetset/uid.h"

#include <cstdint>
#include <cstdio>
#include <random>

namespace fleetset {

std::string GenerateUid() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  std::uniform_int_distribution<uint64_t> pick;
  uint64_t high = pick(engine);
  uint64_t low = pick(engine);
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

}  // namespace fleetset
