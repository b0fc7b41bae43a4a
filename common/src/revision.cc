#include "fleetset/revision.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <array>
#include <cstdint>

namespace fleetset {
namespace {

// FNV-1a (the family Kubernetes uses for controller-revision-hash), 64 bit
// so that ten characters of it keep collisions out of reach.
uint64_t Fnv1a64(const std::string& bytes) {
  uint64_t hash = 14695981039346656037ull;
  for (unsigned char byte : bytes) {
    hash ^= byte;
    hash *= 1099511628211ull;
  }
  return hash;
}

constexpr size_t kHashLength = 10;

// Kubernetes' "safe" alphabet (no vowels, no look-alikes) so a hash never
// spells a word or reads ambiguously in a pod name.
constexpr std::array<char, 27> kSafeAlphabet = {'b', 'c', 'd', 'f', 'g', 'h', 'j', 'k', 'l',
                                                'm', 'n', 'p', 'q', 'r', 's', 't', 'v', 'w',
                                                'x', 'z', '2', '4', '5', '6', '7', '8', '9'};

}  // namespace

std::string CanonicalTemplateBytes(const v1::PodTemplateSpec& template_spec) {
  // Deterministic serialisation orders map entries by key; fields are always
  // written in field-number order, so the YAML field order cannot matter.
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream raw(&bytes);
    google::protobuf::io::CodedOutputStream coded(&raw);
    coded.SetSerializationDeterministic(true);
    template_spec.SerializeToCodedStream(&coded);
  }
  return bytes;
}

std::string PodTemplateHash(const v1::PodTemplateSpec& template_spec) {
  uint64_t hash = Fnv1a64(CanonicalTemplateBytes(template_spec));
  // Base-27 digits of the hash, least significant first, fixed length.
  std::string encoded(kHashLength, kSafeAlphabet[0]);
  for (size_t i = 0; i < kHashLength; ++i) {
    encoded[i] = kSafeAlphabet[hash % kSafeAlphabet.size()];
    hash /= kSafeAlphabet.size();
  }
  return encoded;
}

}  // namespace fleetset
