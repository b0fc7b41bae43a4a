// Where log records go. Started by systemd with stderr connected to the
// journal, records are sent with the journal's native protocol so that
// fields such as FLEETSET_NODE= and CODE_FILE= can be filtered on
// (`journalctl FLEETSET_NODE=node-a`); otherwise they go to stderr in a
// compact one-line format.
//
// spdlog 1.10 ships spdlog/sinks/systemd_sink.h, but it cannot add fields
// of our own (FLEETSET_NODE) and throws when sending fails, so fleetset
// has its own small sink, shared by the agent and the coordinator.
#pragma once

#include <spdlog/common.h>
#include <spdlog/details/log_msg.h>
#include <spdlog/sinks/base_sink.h>
#include <sys/types.h>

#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fleetset {

// Journal fields added to every record, e.g. {"FLEETSET_NODE", "node-a"}.
using JournalFields = std::vector<std::pair<std::string, std::string>>;

enum class LogDestination { kStderr, kJournal };

// systemd.exec(5)'s way to tell: a service whose stderr is connected to the
// journal gets JOURNAL_STREAM=<device>:<inode> of that stream. Comparing it
// with stderr itself (rather than trusting INVOCATION_ID, or the variable
// merely being set) is what tells whether *this* stderr still goes there: a
// process whose output was redirected inherits the variable, not the stream.
bool StderrIsJournal();
// The comparison itself, for tests.
bool JournalStreamMatches(std::string_view journal_stream, dev_t device, ino_t inode);

struct LoggingOptions {
  // SYSLOG_IDENTIFIER= in the journal; also the logger's name.
  std::string program;
  spdlog::level::level_enum level = spdlog::level::info;
  JournalFields fields;
  // nullopt: the journal when StderrIsJournal(), else stderr.
  std::optional<LogDestination> destination;
};

// Replaces spdlog's default logger. Change the level later (on reload) with
// spdlog::set_level().
void SetUpLogging(const LoggingOptions& options);
// syslog(3) priority for a level, the journal's PRIORITY=.
int JournalPriority(spdlog::level::level_enum level);

// Journal field names are upper-case letters, digits and '_', at most 64
// characters, and do not start with '_' (those are the trusted fields
// journald adds itself); journald silently drops any other field.
bool IsValidJournalFieldName(std::string_view name);

// The "NAME=value" fields of one record in the order they are sent:
// MESSAGE, PRIORITY, SYSLOG_IDENTIFIER, then CODE_FILE, CODE_LINE and
// CODE_FUNC when the record knows its source location (SPDLOG_INFO() and
// friends record it, spdlog::info() does not), then `extra`.
std::vector<std::string> JournalRecord(const spdlog::details::log_msg& msg,
                                       std::string_view identifier, const JournalFields& extra);

class JournalSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  // Throws std::invalid_argument for a field name the journal would drop:
  // the names are fixed in code, so this is caught by the first test run.
  JournalSink(std::string identifier, JournalFields fields);

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override;
  void flush_() override {}

 private:
  std::string identifier_;
  JournalFields fields_;
};

}  // namespace fleetset
