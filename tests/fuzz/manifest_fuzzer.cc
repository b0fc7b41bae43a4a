// Feeds arbitrary bytes to the manifest loader, the code every untrusted
// manifest reaches first. Any crash, leak, sanitizer report or escaping
// exception is a bug: LoadDaemonSets promises errors, never failures.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fleetset/manifest.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const fleetset::LoadedDaemonSet& loaded : fleetset::LoadDaemonSets(text, "fuzz.yaml")) {
    // Rendering every error exercises the paths and messages built for it.
    for (const fleetset::FieldError& error : loaded.errors) (void)error.ToString();
  }
  return 0;
}
