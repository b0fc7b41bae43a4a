#include "coordinator/frontend/operator_service.h"

#include "coordinator/frontend/grpc_status.h"
#include "coordinator/frontend/watch_stream.h"
#include "fleetset/version.h"

namespace fleetset::coordinator {

namespace {

using Reactor = OperatorServiceImpl::Reactor;
using Context = OperatorServiceImpl::Context;

// Answers the call with what `call` returns (or throws).
template <typename Call>
Reactor* Respond(Context* context, Call&& call) {
  Reactor* reactor = context->DefaultReactor();
  reactor->Finish(Serve(std::forward<Call>(call)));
  return reactor;
}

ListOptions Options(const std::string& namespace_, bool all_namespaces,
                    const std::string& label_selector, const std::string& field_selector) {
  ListOptions options;
  options.namespace_ = all_namespaces ? "" : NamespaceOrDefault(namespace_);
  options.label_selector = label_selector;
  options.field_selector = field_selector;
  return options;
}

template <typename Items, typename List>
void Fill(Items* items, std::string* resource_version, List list) {
  for (auto& item : list.items) *items->Add() = std::move(item);
  *resource_version = std::move(list.resource_version);
}

void Answer(const ApplyResult& result, v1::ApplyDaemonSetResponse* response) {
  *response->mutable_daemon_set() = result.daemon_set;
  response->set_result(result.result);
}

}  // namespace

Reactor* OperatorServiceImpl::Version(Context* context, const v1::VersionRequest*,
                                      v1::VersionResponse* response) {
  return Respond(context, [&] {
    response->set_version(kVersion);
    response->set_protocol_version(kProtocolVersion);
  });
}

Reactor* OperatorServiceImpl::ApplyDaemonSet(Context* context,
                                             const v1::ApplyDaemonSetRequest* request,
                                             v1::ApplyDaemonSetResponse* response) {
  return Respond(context, [&] {
    Answer(apis_.daemon_sets.Apply(CallerOf(*context), request->daemon_set(),
                                   request->create_only(), request->dry_run()),
           response);
  });
}

Reactor* OperatorServiceImpl::GetDaemonSet(Context* context, const v1::GetDaemonSetRequest* request,
                                           v1::DaemonSet* response) {
  return Respond(context, [&] {
    *response = apis_.daemon_sets.Get(CallerOf(*context), request->key().namespace_(),
                                      request->key().name());
  });
}

Reactor* OperatorServiceImpl::ListDaemonSets(Context* context,
                                             const v1::ListDaemonSetsRequest* request,
                                             v1::ListDaemonSetsResponse* response) {
  return Respond(context, [&] {
    Fill(response->mutable_items(), response->mutable_resource_version(),
         apis_.daemon_sets.List(CallerOf(*context),
                                Options(request->namespace_(), request->all_namespaces(),
                                        request->label_selector(), request->field_selector())));
  });
}

Reactor* OperatorServiceImpl::DeleteDaemonSet(Context* context,
                                              const v1::DeleteDaemonSetRequest* request,
                                              v1::DeleteResponse* response) {
  return Respond(context, [&] {
    apis_.daemon_sets.Delete(CallerOf(*context), request->key().namespace_(),
                             request->key().name());
    response->set_result("deleted");
  });
}

Reactor* OperatorServiceImpl::SetImage(Context* context, const v1::SetImageRequest* request,
                                       v1::ApplyDaemonSetResponse* response) {
  return Respond(context, [&] {
    const std::map<std::string, std::string> images(request->images().begin(),
                                                    request->images().end());
    Answer(apis_.daemon_sets.SetImage(CallerOf(*context), request->key().namespace_(),
                                      request->key().name(), images),
           response);
  });
}

Reactor* OperatorServiceImpl::GetNode(Context* context, const v1::GetNodeRequest* request,
                                      v1::Node* response) {
  return Respond(context,
                 [&] { *response = apis_.nodes.Get(CallerOf(*context), request->name()); });
}

Reactor* OperatorServiceImpl::ListNodes(Context* context, const v1::ListNodesRequest* request,
                                        v1::ListNodesResponse* response) {
  return Respond(context, [&] {
    ListOptions options;
    options.label_selector = request->label_selector();
    options.field_selector = request->field_selector();
    Fill(response->mutable_items(), response->mutable_resource_version(),
         apis_.nodes.List(CallerOf(*context), options));
  });
}

Reactor* OperatorServiceImpl::DeleteNode(Context* context, const v1::DeleteNodeRequest* request,
                                         v1::DeleteResponse* response) {
  return Respond(context, [&] {
    apis_.nodes.Delete(CallerOf(*context), request->name());
    response->set_result("deleted");
  });
}

Reactor* OperatorServiceImpl::LabelNode(Context* context, const v1::LabelNodeRequest* request,
                                        v1::Node* response) {
  return Respond(context, [&] {
    const std::map<std::string, std::string> set(request->set().begin(), request->set().end());
    const std::vector<std::string> remove(request->remove().begin(), request->remove().end());
    *response =
        apis_.nodes.Label(CallerOf(*context), request->name(), set, remove, request->overwrite());
  });
}

Reactor* OperatorServiceImpl::TaintNode(Context* context, const v1::TaintNodeRequest* request,
                                        v1::Node* response) {
  return Respond(context, [&] {
    const std::vector<v1::Taint> add(request->add().begin(), request->add().end());
    const std::vector<v1::Taint> remove(request->remove().begin(), request->remove().end());
    *response =
        apis_.nodes.Taint(CallerOf(*context), request->name(), add, remove, request->overwrite());
  });
}

Reactor* OperatorServiceImpl::SetNodeSchedulable(Context* context,
                                                 const v1::SetNodeSchedulableRequest* request,
                                                 v1::Node* response) {
  return Respond(context, [&] {
    *response =
        apis_.nodes.SetUnschedulable(CallerOf(*context), request->name(), request->unschedulable());
  });
}

Reactor* OperatorServiceImpl::ListPods(Context* context, const v1::ListPodsRequest* request,
                                       v1::ListPodsResponse* response) {
  return Respond(context, [&] {
    Fill(response->mutable_items(), response->mutable_resource_version(),
         apis_.pods.List(CallerOf(*context),
                         Options(request->namespace_(), request->all_namespaces(),
                                 request->label_selector(), request->field_selector()),
                         request->node_name()));
  });
}

Reactor* OperatorServiceImpl::DeletePod(Context* context, const v1::DeletePodRequest* request,
                                        v1::DeleteResponse* response) {
  return Respond(context, [&] {
    apis_.pods.Delete(CallerOf(*context), request->namespace_(), request->name());
    response->set_result("deleted");
  });
}

Reactor* OperatorServiceImpl::RolloutStatus(Context* context,
                                            const v1::RolloutStatusRequest* request,
                                            v1::RolloutStatusResponse* response) {
  return Respond(context, [&] {
    int64_t observed_generation = 0;
    RolloutProgress progress =
        apis_.daemon_sets.RolloutStatus(CallerOf(*context), request->key().namespace_(),
                                        request->key().name(), &observed_generation);
    response->set_done(progress.done);
    response->set_message(progress.message);
    response->set_failure(progress.failure);
    response->set_observed_generation(observed_generation);
  });
}

Reactor* OperatorServiceImpl::RolloutHistory(Context* context,
                                             const v1::RolloutHistoryRequest* request,
                                             v1::RolloutHistoryResponse* response) {
  return Respond(context, [&] {
    for (v1::DaemonSetRevision& revision :
         apis_.daemon_sets.RolloutHistory(CallerOf(*context), request->key().namespace_(),
                                          request->key().name(), request->revision())) {
      *response->add_revisions() = std::move(revision);
    }
  });
}

Reactor* OperatorServiceImpl::RolloutUndo(Context* context, const v1::RolloutUndoRequest* request,
                                          v1::ApplyDaemonSetResponse* response) {
  return Respond(context, [&] {
    Answer(apis_.daemon_sets.RolloutUndo(CallerOf(*context), request->key().namespace_(),
                                         request->key().name(), request->to_revision(),
                                         request->dry_run()),
           response);
  });
}

Reactor* OperatorServiceImpl::ExplainPlacement(Context* context,
                                               const v1::ExplainPlacementRequest* request,
                                               v1::ExplainPlacementResponse* response) {
  return Respond(context, [&] {
    for (Placement& placement :
         apis_.daemon_sets.Explain(CallerOf(*context), request->key().namespace_(),
                                   request->key().name(), request->node_name())) {
      auto& node = *response->add_nodes();
      node.set_node_name(placement.node_name);
      *node.mutable_eligibility() = std::move(placement.eligibility);
      node.set_pod_name(placement.pod_name);
    }
  });
}

Reactor* OperatorServiceImpl::ListEvents(Context* context, const v1::ListEventsRequest* request,
                                         v1::ListEventsResponse* response) {
  return Respond(context, [&] {
    for (v1::Event& event :
         apis_.events.List(CallerOf(*context), request->involved_object(), request->limit())) {
      *response->add_items() = std::move(event);
    }
  });
}

grpc::ServerWriteReactor<v1::WatchEvent>* OperatorServiceImpl::Watch(
    Context* context, const v1::WatchRequest* request) {
  return StartWatchStream(apis_.registries, CallerOf(*context), *request);
}

}  // namespace fleetset::coordinator
