#include "coordinator/migrate/store_copy.h"

#include "coordinator/members/coordinator_members.h"

namespace fleetset::coordinator {

namespace {

constexpr size_t kMaxBatchBytes = 1024 * 1024;

bool Skipped(const std::string& key, const std::vector<std::string>& skip) {
  for (const std::string& prefix : skip) {
    if (key.starts_with(prefix)) return true;
  }
  return false;
}

}  // namespace

std::vector<std::string> RunningStateKeys() { return {kCoordinatorMembersPrefix, "/coordinator/"}; }

CopyResult CopyStore(storage::Storage& from, storage::Storage& to,
                     const std::vector<std::string>& skip, size_t batch,
                     const std::function<void(size_t copied)>& progress) {
  const storage::ListResult source = from.List("");
  CopyResult result;
  std::vector<const storage::KeyValue*> copied;
  for (const storage::KeyValue& kv : source.items) {
    if (Skipped(kv.key, skip)) {
      ++result.skipped;
    } else {
      copied.push_back(&kv);
    }
  }
  // Checked whole first, so that a wrong target is refused untouched.
  for (const storage::KeyValue& kv : to.List("").items) {
    if (!Skipped(kv.key, skip)) {
      throw storage::StorageError("the target already holds " + kv.key +
                                  ": copy into an empty store (a new --etcd-prefix, or a new "
                                  "data directory)");
    }
  }
  size_t next = 0;
  while (next < copied.size()) {
    storage::Transaction write;
    size_t bytes = 0;
    // etcd refuses a request over 1.5 MiB: a large object goes alone.
    while (next < copied.size() && write.operations.size() < batch &&
           (write.operations.empty() || bytes + copied[next]->value.size() < kMaxBatchBytes)) {
      const storage::KeyValue& kv = *copied[next++];
      bytes += kv.key.size() + kv.value.size();
      // Create-only, so that a writer that appeared meanwhile is not
      // overwritten but stops the copy.
      write.compares.push_back(storage::Compare::Absent(kv.key));
      write.operations.push_back(storage::Operation::Put(kv.key, kv.value));
    }
    const size_t count = write.operations.size();
    const storage::TransactionResult written = to.Commit(std::move(write));
    if (written.status == storage::TransactionResult::Status::kCompareFailed) {
      throw storage::StorageError(
          "the target was written to during the copy; stop what writes "
          "to it and copy again into an empty store");
    }
    if (!written.committed()) throw storage::StorageError(written.error);
    result.copied += count;
    if (progress) progress(result.copied);
  }
  return result;
}

}  // namespace fleetset::coordinator
