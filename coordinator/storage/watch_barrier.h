// Waiting until the watches have caught up: for the coordinator's manual
// passes (tests on a fake clock), which must see every change made so far
// in the controllers' caches before they look.
#pragma once

#include "coordinator/storage/storage.h"

namespace fleetset::coordinator::storage {

// Returns once every watch of `store` has been handed every change
// committed before the call. Relies on the store delivering to all its
// watches from one thread in revision order, as both stores here do.
void WaitForWatchers(Storage& store);

}  // namespace fleetset::coordinator::storage
