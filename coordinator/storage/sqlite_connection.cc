#include "coordinator/storage/sqlite_connection.h"

namespace fleetset::coordinator::storage::sqlite {

void ConfigureDurableConnection(Database& db) {
  // A filesystem without shared memory or an old library refuses WAL by
  // answering with another mode, not with an error.
  const std::string mode = QueryText(db, "PRAGMA journal_mode=WAL");
  if (mode != "wal") {
    throw StorageError(db.path() + ": cannot use write-ahead logging (journal mode is " + mode +
                       ")");
  }
  db.Exec("PRAGMA synchronous=FULL");
}

}  // namespace fleetset::coordinator::storage::sqlite
