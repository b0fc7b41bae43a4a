// The SQLite store's reads, on connections of their own: in WAL mode a
// reader sees the last committed state and never waits for the writer,
// whose commit may be in the middle of its fsync.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "coordinator/storage/storage.h"

namespace fleetset::coordinator::storage::sqlite {

class SqliteReaders {
 public:
  explicit SqliteReaders(std::string path);
  SqliteReaders(const SqliteReaders&) = delete;
  SqliteReaders& operator=(const SqliteReaders&) = delete;
  ~SqliteReaders();

  std::optional<KeyValue> Get(const std::string& key);
  ListResult List(const std::string& prefix);
  Revision CurrentRevision();

 private:
  struct Reader;
  class Lease;

  const std::string path_;
  std::mutex mutex_;
  // Connections not in use. A read takes one (or opens one when none is
  // idle), so concurrent reads run in parallel.
  std::vector<std::unique_ptr<Reader>> idle_;
};

}  // namespace fleetset::coordinator::storage::sqlite
