// Events as kubectl describe lists them: oldest first, optionally only
// those about one object, optionally only the newest `limit`.
#pragma once

#include <string>
#include <vector>

#include "coordinator/registry/registries.h"

namespace fleetset::coordinator {

class EventApi {
 public:
  explicit EventApi(Registries& registries) : registries_(registries) {}

  // `involved_object`: "daemonset/NS/NAME", "node/NAME" or "" for all;
  // `limit` 0: all.
  std::vector<v1::Event> List(const Caller& caller, const std::string& involved_object,
                              int32_t limit);

 private:
  Registries& registries_;
};

}  // namespace fleetset::coordinator
