// The coordinator's command line as its flag tests read it: the parsed
// settings, with what it printed to stderr in *errors.
#pragma once

#include <sstream>
#include <string>
#include <vector>

#include "coordinator/coordinator_config.h"

namespace fleetset::coordinator {

inline CoordinatorCommandLine ParseFlags(const std::vector<std::string>& args,
                                         std::string* errors) {
  std::ostringstream out;
  std::ostringstream err;
  CoordinatorCommandLine parsed = ParseCoordinatorCommandLine(args, out, err);
  *errors = err.str();
  return parsed;
}

}  // namespace fleetset::coordinator
