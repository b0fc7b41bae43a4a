// The audit log: one JSON line per request that changes something and per
// refused request (who, with which role, did what to which object, with
// what result, when, from where), rotated by size as kube-apiserver's
// --audit-log-maxsize and --audit-log-maxbackup rotate its log. Each line
// is handed to the kernel before the request is answered (no fsync: the
// page cache survives a crash of the coordinator, and a line per request
// costs one write).
#pragma once

#include <memory>
#include <string>

#include "fleetset/v1/audit.pb.h"

namespace spdlog {
class logger;
}  // namespace spdlog

namespace fleetset::coordinator {

struct AuditLogOptions {
  std::string path;
  size_t max_bytes = 100 * 1024 * 1024;
  size_t max_backups = 10;
};

class AuditLog {
 public:
  // Creates the file (mode 0600) when it is not there. Throws
  // std::runtime_error naming the path when it cannot be opened.
  explicit AuditLog(const AuditLogOptions& options);
  ~AuditLog();

  // Any thread.
  void Record(const v1::AuditEvent& event);

 private:
  std::shared_ptr<spdlog::logger> logger_;
};

}  // namespace fleetset::coordinator
