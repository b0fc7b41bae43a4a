// One operator's watch as a server-streaming callback reactor.
#pragma once

#include <grpcpp/support/server_callback.h>

#include "coordinator/fleet.h"

namespace fleetset::coordinator {

// Registers a watcher with `fleet` and returns the reactor that streams its
// events; the stream ends with INVALID_ARGUMENT for a bad request and with
// RESOURCE_EXHAUSTED when the client falls too far behind.
grpc::ServerWriteReactor<v1::WatchEvent>* StartWatchStream(Fleet& fleet,
                                                           const v1::WatchRequest& request);

}  // namespace fleetset::coordinator
