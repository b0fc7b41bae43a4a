// Minimal RAII ownership of SQLite connections and prepared statements.
// Every failure becomes a StorageError carrying SQLite's own message, so code
// using them reads as a sequence of statements without error plumbing.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "coordinator/storage/storage.h"

namespace fleetset::coordinator::storage::sqlite {

// How long a connection waits for another one's lock before failing: long
// enough to ride out an operator's sqlite3 shell or a backup reading the
// file; other coordinators are kept out by the directory lock instead.
inline constexpr int kBusyTimeoutMs = 5000;

// An open connection; closed on destruction.
class Database {
 public:
  // Opens (creating when missing) the database file at `path`.
  explicit Database(const std::string& path) : path_(path) {
    sqlite3* raw = nullptr;
    int rc =
        sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    // sqlite3_open_v2 hands out a handle even on failure, for the message.
    db_.reset(raw);
    if (rc != SQLITE_OK) Fail("cannot open");
    sqlite3_extended_result_codes(raw, 1);
    sqlite3_busy_timeout(raw, kBusyTimeoutMs);
  }
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  sqlite3* get() const { return db_.get(); }
  const std::string& path() const { return path_; }

  // Runs statements that return no rows of interest.
  void Exec(const std::string& sql) {
    if (sqlite3_exec(db_.get(), sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
      Fail("\"" + sql + "\"");
    }
  }

  // "PATH: WHAT: sqlite's message for the last failure".
  StorageError Error(std::string_view what) const {
    std::string message = db_ ? sqlite3_errmsg(db_.get()) : "out of memory";
    return StorageError(path_ + ": " + std::string(what) + ": " + message);
  }
  [[noreturn]] void Fail(std::string_view what) const { throw Error(what); }

 private:
  struct Closer {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
  };
  std::string path_;
  std::unique_ptr<sqlite3, Closer> db_;
};

// A prepared statement on a Database that outlives it. Reusable: it resets
// itself when it finishes or fails, and a caller that stops reading rows
// early calls Reset(); the next Bind calls replace the bindings.
class Statement {
 public:
  Statement(Database& db, std::string sql) : db_(db), sql_(std::move(sql)) {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db.get(), sql_.c_str(), -1, &raw, nullptr) != SQLITE_OK) {
      db.Fail("preparing \"" + sql_ + "\"");
    }
    stmt_.reset(raw);
  }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // 1-based parameter indexes. Text and blob values are copied by SQLite.
  Statement& Bind(int index, std::string_view text) {
    return Check(sqlite3_bind_text(stmt_.get(), index, text.data(), static_cast<int>(text.size()),
                                   SQLITE_TRANSIENT));
  }
  Statement& BindBlob(int index, std::string_view bytes) {
    // A zero-length blob with a null pointer would bind NULL; "" is never null.
    const char* data = bytes.empty() ? "" : bytes.data();
    return Check(sqlite3_bind_blob(stmt_.get(), index, data, static_cast<int>(bytes.size()),
                                   SQLITE_TRANSIENT));
  }
  Statement& Bind(int index, int64_t value) {
    return Check(sqlite3_bind_int64(stmt_.get(), index, value));
  }

  // Advances; true when a row is available. A failure is reported as
  // "PATH: WHAT: sqlite's message", WHAT defaulting to the statement.
  bool Step(std::string_view what = {}) {
    int rc = sqlite3_step(stmt_.get());
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) {
      Reset();
      return false;
    }
    // The message is taken before the reset, which may replace it.
    StorageError error = db_.Error(what.empty() ? "\"" + sql_ + "\"" : std::string(what));
    Reset();
    throw error;
  }
  // Runs a statement whose rows, if any, are of no interest.
  void Run(std::string_view what = {}) {
    if (Step(what)) Reset();
  }
  void Reset() { sqlite3_reset(stmt_.get()); }

  std::string ColumnText(int column) const {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_.get(), column));
    return text ? std::string(text, sqlite3_column_bytes(stmt_.get(), column)) : std::string();
  }
  std::string ColumnBlob(int column) const {
    const auto* data = static_cast<const char*>(sqlite3_column_blob(stmt_.get(), column));
    return data ? std::string(data, sqlite3_column_bytes(stmt_.get(), column)) : std::string();
  }
  int64_t ColumnInt(int column) const { return sqlite3_column_int64(stmt_.get(), column); }

 private:
  Statement& Check(int rc) {
    if (rc != SQLITE_OK) db_.Fail("binding a parameter of \"" + sql_ + "\"");
    return *this;
  }

  struct Finalizer {
    void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
  };
  Database& db_;
  std::string sql_;
  std::unique_ptr<sqlite3_stmt, Finalizer> stmt_;
};

// The first column of the first row of a single-row query such as a pragma.
inline std::string QueryText(Database& db, const std::string& sql) {
  Statement statement(db, sql);
  if (!statement.Step()) throw StorageError(db.path() + ": \"" + sql + "\" returned no row");
  return statement.ColumnText(0);
}

inline int64_t QueryInt(Database& db, const std::string& sql) {
  Statement statement(db, sql);
  if (!statement.Step()) throw StorageError(db.path() + ": \"" + sql + "\" returned no row");
  return statement.ColumnInt(0);
}

}  // namespace fleetset::coordinator::storage::sqlite
