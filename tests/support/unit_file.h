// `systemd-analyze verify` on one of the project's unit files.
#pragma once

#include <string>

#include "support/run_command.h"

namespace fleetset::testing {

// Verifies systemd/<unit> with its ExecStart= program (`installed`, e.g.
// /usr/bin/fleetset-agent) replaced by the program this build made
// (`built`, relative to the build tree), since verify checks that the
// program is executable. Records a test failure when the unit has no such
// ExecStart=.
CommandResult VerifyUnitFile(const std::string& unit, const std::string& installed,
                             const std::string& built);

}  // namespace fleetset::testing
