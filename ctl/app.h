// The whole fleetsetctl command line as one function, so main() and the
// tests run exactly the same thing.
#pragma once

#include <string>
#include <vector>

#include "commands.h"

namespace fleetset::ctl {

// Parses `args` (without the program name) and runs the selected verb.
// Usage errors and --help are written to io as CLI11 formats them. Returns
// the process exit code.
int RunCtl(const std::vector<std::string>& args, Io& io);

}  // namespace fleetset::ctl
