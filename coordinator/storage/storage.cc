#include "coordinator/storage/storage.h"

#include <future>

namespace fleetset::coordinator::storage {

std::string FencedError(const Compare& fence) {
  // A negative revision is the fence of a coordinator that does not lead.
  if (fence.mod_revision < 0) return "not the leader: this coordinator does not hold " + fence.key;
  return "not the leader: " + fence.key + " is no longer at revision " +
         std::to_string(fence.mod_revision) + " (another coordinator has taken over)";
}

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
