#include "coordinator/storage/storage.h"

#include <future>

namespace fleetset::coordinator::storage {

TransactionResult Storage::Commit(Transaction transaction) {
  // Shared with the callback: the store's thread may still be inside
  // set_value when this thread has woken up and returned.
  auto promise = std::make_shared<std::promise<TransactionResult>>();
  std::future<TransactionResult> result = promise->get_future();
  CommitAsync(std::move(transaction),
              [promise](const TransactionResult& outcome) { promise->set_value(outcome); });
  return result.get();
}

}  // namespace fleetset::coordinator::storage
