// A coordinator's warnings about an answer it gives (kube-apiserver's
// Warning header): sent as trailing metadata under this key, printed by
// fleetsetctl as "Warning: <text>" on stderr, as kubectl prints them.
#pragma once

namespace fleetset {

inline constexpr char kWarningMetadata[] = "warning";

}  // namespace fleetset
