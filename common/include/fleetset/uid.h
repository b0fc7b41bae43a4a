// Object UIDs as Kubernetes makes them: random RFC 4122 version 4 UUIDs.
#pragma once

#include <string>

namespace fleetset {

std::string GenerateUid();

}  // namespace fleetset
