// How a kind's values are kept at rest: as they are, or transformed
// (encrypted) on the way to the store and back, as kube-apiserver's
// storage transformers do for Secrets. The store key travels with the
// value as authenticated data, so a value moved to another key fails to
// read instead of passing for the other object.
#pragma once

#include <string>
#include <string_view>

namespace fleetset::coordinator {

class ValueTransformer {
 public:
  virtual ~ValueTransformer() = default;
  virtual std::string ToStorage(std::string_view plain, std::string_view key) const = 0;
  // Throws std::runtime_error (naming the key, never the value) when the
  // value cannot be read back: a key it was written with is gone, or the
  // bytes were changed.
  virtual std::string FromStorage(std::string_view stored, std::string_view key) const = 0;
};

}  // namespace fleetset::coordinator
