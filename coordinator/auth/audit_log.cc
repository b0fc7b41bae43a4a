#include "coordinator/auth/audit_log.h"

#include <fcntl.h>
#include <google/protobuf/util/json_util.h>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace fleetset::coordinator {

AuditLog::AuditLog(const AuditLogOptions& options) {
  // The sink opens the file for appending and keeps its mode: create it
  // private first. (Rotated files are renamed, so they keep it too.)
  const int fd = ::open(options.path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) {
    throw std::runtime_error("audit log " + options.path + ": " + std::strerror(errno));
  }
  ::close(fd);
  auto sink = std::make_shared<spdlog::sinks::rotating_file_sink_mt>(
      options.path, options.max_bytes, options.max_backups);
  // Not registered with spdlog: the process's own loggers never write here.
  logger_ = std::make_shared<spdlog::logger>("audit", std::move(sink));
  logger_->set_pattern("%v");
  logger_->set_level(spdlog::level::info);
  logger_->flush_on(spdlog::level::info);
}

AuditLog::~AuditLog() = default;

void AuditLog::Record(const v1::AuditEvent& event) {
  std::string line;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = false;
  if (!google::protobuf::util::MessageToJsonString(event, &line, options).ok()) return;
  logger_->info(line);
}

}  // namespace fleetset::coordinator
