#include "coordinator/storage/sqlite_readers.h"

#include <utility>

#include "coordinator/storage/sqlite_schema.h"
#include "coordinator/storage/sqlite_transaction.h"

namespace fleetset::coordinator::storage::sqlite {
namespace {

// Idle connections kept beyond this are closed: bursts of parallel reads
// should not leave file handles and page caches behind.
constexpr size_t kMaxIdleReaders = 4;

// etcd's range end for a prefix: the smallest key greater than every key
// that starts with it; none when every byte is 0xff (or it is empty).
std::optional<std::string> PrefixEnd(std::string prefix) {
  while (!prefix.empty()) {
    auto& last = reinterpret_cast<unsigned char&>(prefix.back());
    if (last != 0xff) {
      ++last;
      return prefix;
    }
    prefix.pop_back();
  }
  return std::nullopt;
}

}  // namespace

struct SqliteReaders::Reader {
  explicit Reader(const std::string& path)
      : db(path),
        get(db, SelectKeyValues("key = ?")),
        range(db, SelectKeyValues("key >= ? AND key < ? ORDER BY key")),
        from(db, SelectKeyValues("key >= ? ORDER BY key")),
        revision(db, kSelectRevisionSql) {
    db.Exec("PRAGMA query_only=1");
  }

  Database db;
  Statement get, range, from, revision;
};

// A connection taken from the pool for one read, given back afterwards.
class SqliteReaders::Lease {
 public:
  explicit Lease(SqliteReaders& pool) : pool_(pool) {
    {
      std::lock_guard lock(pool_.mutex_);
      if (!pool_.idle_.empty()) {
        reader_ = std::move(pool_.idle_.back());
        pool_.idle_.pop_back();
      }
    }
    // Opened without the lock: other reads need not wait for it.
    if (!reader_) reader_ = std::make_unique<Reader>(pool_.path_);
  }
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  ~Lease() {
    std::lock_guard lock(pool_.mutex_);
    if (pool_.idle_.size() < kMaxIdleReaders) pool_.idle_.push_back(std::move(reader_));
  }

  Reader* operator->() const { return reader_.get(); }

 private:
  SqliteReaders& pool_;
  std::unique_ptr<Reader> reader_;
};

SqliteReaders::SqliteReaders(std::string path) : path_(std::move(path)) {
  // The first connection is opened now, so that a file the readers cannot
  // use fails the open rather than the first read.
  idle_.push_back(std::make_unique<Reader>(path_));
}

SqliteReaders::~SqliteReaders() = default;

std::optional<KeyValue> SqliteReaders::Get(const std::string& key) {
  Lease reader(*this);
  return FindKeyValue(reader->get, key);
}

ListResult SqliteReaders::List(const std::string& prefix) {
  Lease reader(*this);
  // One read transaction: the items and the revision are of one snapshot.
  ScopedTransaction snapshot(reader->db, "BEGIN");
  const std::optional<std::string> end = PrefixEnd(prefix);
  Statement& rows =
      end ? reader->range.Bind(1, prefix).Bind(2, *end) : reader->from.Bind(1, prefix);
  ListResult result;
  while (rows.Step()) result.items.push_back(ReadKeyValue(rows));
  result.revision = ReadRevision(reader->revision);
  snapshot.Commit();
  return result;
}

Revision SqliteReaders::CurrentRevision() {
  Lease reader(*this);
  return ReadRevision(reader->revision);
}

}  // namespace fleetset::coordinator::storage::sqlite
