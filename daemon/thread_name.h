// Names the calling thread, so that `top -H`, `ps -L`, /proc and profilers
// tell a process's threads apart (gRPC names its own; without this every
// other thread carries the program's name).
#pragma once

#include <string>
#include <string_view>

namespace fleetset {

// Linux keeps at most 15 characters of a thread's name; a longer `name`
// is cut to its first 15. Failure is harmless and ignored.
void NameCurrentThread(std::string_view name);

// The calling thread's name, as the kernel holds it.
std::string CurrentThreadName();

}  // namespace fleetset
