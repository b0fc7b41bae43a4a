#include "daemon/logging.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <syslog.h>
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <stdexcept>

// Without this, sd_journal_sendv() is a macro that adds the location of
// *this* file; the records carry the location of the log call instead.
#define SD_JOURNAL_SUPPRESS_LOCATION
#include <systemd/sd-journal.h>

namespace fleetset {
namespace {

// Date, time, level letter, message: enough at a terminal; under systemd
// without the journal, the service manager adds its own timestamps anyway.
constexpr char kStderrPattern[] = "%Y-%m-%d %H:%M:%S.%e %^%L%$ %v";

template <typename Number>
bool ParseNumber(std::string_view text, Number* number) {
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), *number);
  return error == std::errc() && end == text.data() + text.size();
}

}  // namespace

bool JournalStreamMatches(std::string_view journal_stream, dev_t device, ino_t inode) {
  const size_t colon = journal_stream.find(':');
  if (colon == std::string_view::npos) return false;
  unsigned long long stream_device = 0;
  unsigned long long stream_inode = 0;
  return ParseNumber(journal_stream.substr(0, colon), &stream_device) &&
         ParseNumber(journal_stream.substr(colon + 1), &stream_inode) && stream_device == device &&
         stream_inode == inode;
}

bool StderrIsJournal() {
  const char* journal_stream = std::getenv("JOURNAL_STREAM");
  struct stat stderr_stat {};
  if (journal_stream == nullptr || fstat(STDERR_FILENO, &stderr_stat) != 0) return false;
  return JournalStreamMatches(journal_stream, stderr_stat.st_dev, stderr_stat.st_ino);
}

int JournalPriority(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
    case spdlog::level::debug:
      return LOG_DEBUG;
    case spdlog::level::info:
      return LOG_INFO;
    case spdlog::level::warn:
      return LOG_WARNING;
    case spdlog::level::err:
      return LOG_ERR;
    case spdlog::level::critical:
      return LOG_CRIT;
    default:
      return LOG_INFO;
  }
}

bool IsValidJournalFieldName(std::string_view name) {
  if (name.empty() || name.size() > 64 || name.front() == '_') return false;
  for (char c : name) {
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return !(name.front() >= '0' && name.front() <= '9');
}

std::vector<std::string> JournalRecord(const spdlog::details::log_msg& msg,
                                       std::string_view identifier, const JournalFields& extra) {
  std::vector<std::string> fields;
  fields.reserve(6 + extra.size());
  fields.push_back("MESSAGE=" + std::string(msg.payload.data(), msg.payload.size()));
  fields.push_back("PRIORITY=" + std::to_string(JournalPriority(msg.level)));
  fields.push_back("SYSLOG_IDENTIFIER=" + std::string(identifier));
  if (!msg.source.empty()) {
    fields.push_back(std::string("CODE_FILE=") + msg.source.filename);
    fields.push_back("CODE_LINE=" + std::to_string(msg.source.line));
    if (msg.source.funcname != nullptr) {
      fields.push_back(std::string("CODE_FUNC=") + msg.source.funcname);
    }
  }
  for (const auto& [name, value] : extra) fields.push_back(name + "=" + value);
  return fields;
}

JournalSink::JournalSink(std::string identifier, JournalFields fields)
    : identifier_(std::move(identifier)), fields_(std::move(fields)) {
  for (const auto& field : fields_) {
    if (!IsValidJournalFieldName(field.first)) {
      throw std::invalid_argument("not a journal field name: " + field.first);
    }
  }
}

void JournalSink::sink_it_(const spdlog::details::log_msg& msg) {
  const std::vector<std::string> fields = JournalRecord(msg, identifier_, fields_);
  std::vector<iovec> vectors;
  vectors.reserve(fields.size());
  for (const std::string& field : fields) {
    vectors.push_back(iovec{const_cast<char*>(field.data()), field.size()});
  }
  if (sd_journal_sendv(vectors.data(), static_cast<int>(vectors.size())) >= 0) return;
  // The native socket refused the record (journald restarting or
  // overloaded; libsystemd itself drops records silently only when the
  // socket does not exist). stderr is the journal's stream, so a
  // "<priority>" prefix there keeps the record and its level, if not its
  // extra fields.
  std::fprintf(stderr, "<%d>%.*s\n", JournalPriority(msg.level),
               static_cast<int>(msg.payload.size()), msg.payload.data());
}

void SetUpLogging(const LoggingOptions& options) {
  const LogDestination destination = options.destination.value_or(
      StderrIsJournal() ? LogDestination::kJournal : LogDestination::kStderr);
  spdlog::sink_ptr sink;
  if (destination == LogDestination::kJournal) {
    sink = std::make_shared<JournalSink>(options.program, options.fields);
  } else {
    sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
    sink->set_pattern(kStderrPattern);
  }
  auto logger = std::make_shared<spdlog::logger>(options.program, std::move(sink));
  logger->set_level(options.level);
  // Warnings and errors reach their destination at once, even if the
  // process dies right after.
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(std::move(logger));
}

}  // namespace fleetset
