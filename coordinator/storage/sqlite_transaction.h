// A SQLite transaction that cannot be left open: BEGIN on construction,
// ROLLBACK on destruction unless committed, so that any exception leaves
// the database as it was.
#pragma once

#include "coordinator/storage/sqlite_handle.h"

namespace fleetset::coordinator::storage::sqlite {

class ScopedTransaction {
 public:
  // `begin`: "BEGIN" for a read snapshot, "BEGIN IMMEDIATE" to take the
  // write lock up front, so that a write cannot fail half way for want of it.
  ScopedTransaction(Database& db, const char* begin) : db_(db) { db_.Exec(begin); }
  ScopedTransaction(const ScopedTransaction&) = delete;
  ScopedTransaction& operator=(const ScopedTransaction&) = delete;
  ~ScopedTransaction() {
    // Fails harmlessly when SQLite already rolled back (e.g. disk full).
    if (!committed_) sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
  }
  void Commit() {
    db_.Exec("COMMIT");
    committed_ = true;
  }

 private:
  Database& db_;
  bool committed_ = false;
};

}  // namespace fleetset::coordinator::storage::sqlite
