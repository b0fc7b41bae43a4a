// `fleetset-coordinator migrate`: copies a single coordinator's SQLite
// database into etcd (--from-data-dir), or etcd's keys into a new SQLite
// database (--to-data-dir), with no coordinator running on either.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace fleetset::coordinator {

// `args` follow "migrate". Returns the exit code: 0 when copied, 64 for a
// usage error, 1 when the copy failed (nothing written then, or the
// target must be emptied before trying again, as the message says).
int RunMigrateCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace fleetset::coordinator
