// Transactions go through the commit pipeline to etcd and back; the store's
// watch feed gives the pipeline etcd's events; the pipeline hands results
// and events, in order, to one dispatcher thread, which runs `done`
// callbacks and publishes events to the watch hub. No lock is held while
// etcd is asked anything.
#include "coordinator/storage/etcd_storage.h"

#include "coordinator/storage/stale_reads.h"

#include <atomic>
#include <optional>
#include <thread>

#include "coordinator/storage/batch_worker.h"
#include "coordinator/storage/etcd_client.h"
#include "coordinator/storage/etcd_commit_pipeline.h"
#include "coordinator/storage/etcd_mapping.h"
#include "coordinator/storage/etcd_transaction_limit.h"
#include "coordinator/storage/etcd_watch_feed.h"

namespace fleetset::coordinator::storage {
EtcdClientOptions ClientOptions(const EtcdOptions& options) {
  return {options.servers, options.ca_file, options.cert_file, options.key_file,
          options.request_timeout};
}

namespace {

class EtcdStorage final : public Storage {
 public:
  explicit EtcdStorage(const EtcdOptions& options)
      : client_(ClientOptions(options)),
        keys_(options.prefix),
        dispatcher_("etcd-dispatch",
                    [this](std::vector<CommitPipeline::Delivery>& batch) { Dispatch(batch); }),
        pipeline_(
            options.max_in_flight,
            [this](uint64_t id, const std::vector<Transaction>& batch) { Send(id, batch); },
            [this](CommitPipeline::Delivery delivery) { dispatcher_.Push(std::move(delivery)); }),
        feed_(client_, keys_, options.watch_retry_interval,
              [this](std::vector<WatchEvent> events) { pipeline_.Observe(std::move(events)); }),
        hub_(feed_.start_revision(), options.watch_history_events,
             [this] { return CurrentRevision(); }) {
    CheckTransactionLimit(client_, keys_.ToEtcd(""));
    pipeline_.NoteRevision(feed_.start_revision());
    feed_.Start();
  }

  ~EtcdStorage() override {
    // What is queued is sent and its callers told (each ends within the
    // request timeout) before the watches stop.
    pipeline_.WaitIdle();
    feed_.Stop();
    dispatcher_.Stop();
    hub_.Close();
  }

  // Without a quorum, reads are answered from the feed's mirror, as
  // kube-apiserver's watch cache answers them, and noted as stale.
  std::optional<KeyValue> Get(const std::string& key) override {
    etcdserverpb::RangeRequest request;
    request.set_key(keys_.ToEtcd(key));
    etcdserverpb::RangeResponse response;
    try {
      response = client_.Range(request);
    } catch (const EtcdError& error) {
      if (!error.unavailable()) throw;
      NoteStaleRead(error.what());
      return feed_.MirrorGet(key);
    }
    pipeline_.NoteRevision(response.header().revision());
    if (response.kvs_size() == 0) return std::nullopt;
    return keys_.FromEtcd(response.kvs(0));
  }

  ListResult List(const std::string& prefix) override {
    etcdserverpb::RangeResponse response;
    try {
      response = client_.Range(keys_.ListRequest(prefix));
    } catch (const EtcdError& error) {
      if (!error.unavailable()) throw;
      NoteStaleRead(error.what());
      return feed_.MirrorList(prefix);
    }
    pipeline_.NoteRevision(response.header().revision());
    ListResult result;
    result.items.reserve(response.kvs_size());
    for (const mvccpb::KeyValue& kv : response.kvs()) result.items.push_back(keys_.FromEtcd(kv));
    result.revision = response.header().revision();
    return result;
  }

  Revision CurrentRevision() override {
    // The cheapest linearizable read: one key, counted, not fetched.
    etcdserverpb::RangeRequest request;
    request.set_key(keys_.ToEtcd(""));
    request.set_count_only(true);
    const Revision revision = client_.Range(request).header().revision();
    pipeline_.NoteRevision(revision);
    return revision;
  }

  void CommitAsync(Transaction transaction,
                   std::function<void(const TransactionResult&)> done) override {
    std::string refusal = RefusedTransaction(transaction);
    pipeline_.Queue(std::move(transaction), std::move(done), std::move(refusal));
  }

  CommitStats Stats() override { return {transactions_.load(), pipeline_.sent()}; }

  std::unique_ptr<WatchHandle> Watch(const std::string& prefix, Revision from,
                                     WatchCallback callback) override {
    return hub_.Watch(prefix, from, std::move(callback));
  }

 private:
  void Send(uint64_t id, const std::vector<Transaction>& batch) {
    std::vector<std::optional<Compare>> fences;
    fences.reserve(batch.size());
    for (const Transaction& transaction : batch) fences.push_back(transaction.fence);
    client_.TxnAsync(keys_.BatchRequest(batch), [this, id, fences = std::move(fences)](
                                                    const grpc::Status& status,
                                                    const etcdserverpb::TxnResponse& response) {
      if (!status.ok()) {
        pipeline_.Resolve(
            id, {{{TransactionResult::Status::kFailed, 0, DescribeEtcdFailure(status)}, false}});
        return;
      }
      pipeline_.Resolve(id, BatchOutcomes(response, fences));
    });
  }

  void Dispatch(std::vector<CommitPipeline::Delivery>& batch) {
    for (CommitPipeline::Delivery& delivery : batch) {
      if (delivery.done || delivery.events.empty()) {
        transactions_.fetch_add(1);
        if (delivery.done) delivery.done(delivery.result);
      } else {
        hub_.Publish(std::move(delivery.events));
      }
    }
  }

  // Declaration order is construction order: the hub starts where the
  // feed's first list was read, and everything exists before the feed's
  // thread starts (at the end of the constructor).
  EtcdClient client_;
  const EtcdKeyMapping keys_;
  std::atomic<uint64_t> transactions_ = 0;
  BatchWorker<CommitPipeline::Delivery> dispatcher_;
  CommitPipeline pipeline_;
  EtcdWatchFeed feed_;
  WatchHub hub_;
};

}  // namespace

std::unique_ptr<Storage> OpenEtcdStorage(EtcdOptions options) {
  return std::make_unique<EtcdStorage>(options);
}

}  // namespace fleetset::coordinator::storage
