// fleetsetctl get -w: one server stream per watch, fed by the registry's
// watch of the resource asked for.
#pragma once

#include <grpcpp/grpcpp.h>

#include <functional>

#include "coordinator/registry/registries.h"
#include "fleetset/v1/operator_service.pb.h"

namespace fleetset::coordinator {

// The stream ends with INVALID_ARGUMENT for an unknown resource or a bad
// selector, OUT_OF_RANGE for a resourceVersion older than the history
// kept, RESOURCE_EXHAUSTED when the client falls too far behind, and
// with what `admit` throws (it checks the caller first).
grpc::ServerWriteReactor<v1::WatchEvent>* StartWatchStream(Registries& registries,
                                                           const std::function<void()>& admit,
                                                           const v1::WatchRequest& request);

}  // namespace fleetset::coordinator
