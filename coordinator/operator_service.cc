#include "coordinator/operator_service.h"

#include "coordinator/watch_stream.h"
#include "fleetset/version.h"

namespace fleetset::coordinator {

namespace {

grpc::ServerUnaryReactor* Respond(grpc::CallbackServerContext* context,
                                  const grpc::Status& status) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(status);
  return reactor;
}

}  // namespace

using Reactor = OperatorServiceImpl::Reactor;
using Context = OperatorServiceImpl::Context;

Reactor* OperatorServiceImpl::Version(Context* context, const v1::VersionRequest*,
                                      v1::VersionResponse* response) {
  response->set_version(kVersion);
  response->set_protocol_version(kProtocolVersion);
  return Respond(context, grpc::Status::OK);
}

Reactor* OperatorServiceImpl::ApplyDaemonSet(Context* context,
                                             const v1::ApplyDaemonSetRequest* request,
                                             v1::ApplyDaemonSetResponse* response) {
  return Respond(context, fleet_.ApplyDaemonSet(*request, response));
}

Reactor* OperatorServiceImpl::GetDaemonSet(Context* context, const v1::GetDaemonSetRequest* request,
                                           v1::DaemonSet* response) {
  return Respond(context, fleet_.GetDaemonSet(request->key(), response));
}

Reactor* OperatorServiceImpl::ListDaemonSets(Context* context,
                                             const v1::ListDaemonSetsRequest* request,
                                             v1::ListDaemonSetsResponse* response) {
  return Respond(context, fleet_.ListDaemonSets(*request, response));
}

Reactor* OperatorServiceImpl::DeleteDaemonSet(Context* context,
                                              const v1::DeleteDaemonSetRequest* request,
                                              v1::DeleteResponse* response) {
  return Respond(context, fleet_.DeleteDaemonSet(request->key(), response));
}

Reactor* OperatorServiceImpl::SetImage(Context* context, const v1::SetImageRequest* request,
                                       v1::ApplyDaemonSetResponse* response) {
  return Respond(context, fleet_.SetImage(*request, response));
}

Reactor* OperatorServiceImpl::GetNode(Context* context, const v1::GetNodeRequest* request,
                                      v1::Node* response) {
  return Respond(context, fleet_.GetNode(request->name(), response));
}

Reactor* OperatorServiceImpl::ListNodes(Context* context, const v1::ListNodesRequest* request,
                                        v1::ListNodesResponse* response) {
  return Respond(context, fleet_.ListNodes(*request, response));
}

Reactor* OperatorServiceImpl::DeleteNode(Context* context, const v1::DeleteNodeRequest* request,
                                         v1::DeleteResponse* response) {
  return Respond(context, fleet_.DeleteNode(request->name(), response));
}

Reactor* OperatorServiceImpl::LabelNode(Context* context, const v1::LabelNodeRequest* request,
                                        v1::Node* response) {
  return Respond(context, fleet_.LabelNode(*request, response));
}

Reactor* OperatorServiceImpl::TaintNode(Context* context, const v1::TaintNodeRequest* request,
                                        v1::Node* response) {
  return Respond(context, fleet_.TaintNode(*request, response));
}

Reactor* OperatorServiceImpl::SetNodeSchedulable(Context* context,
                                                 const v1::SetNodeSchedulableRequest* request,
                                                 v1::Node* response) {
  return Respond(context, fleet_.SetNodeSchedulable(*request, response));
}

Reactor* OperatorServiceImpl::ListPods(Context* context, const v1::ListPodsRequest* request,
                                       v1::ListPodsResponse* response) {
  return Respond(context, fleet_.ListPods(*request, response));
}

Reactor* OperatorServiceImpl::DeletePod(Context* context, const v1::DeletePodRequest* request,
                                        v1::DeleteResponse* response) {
  return Respond(context, fleet_.DeletePod(*request, response));
}

Reactor* OperatorServiceImpl::RolloutStatus(Context* context,
                                            const v1::RolloutStatusRequest* request,
                                            v1::RolloutStatusResponse* response) {
  return Respond(context, fleet_.RolloutStatus(request->key(), response));
}

Reactor* OperatorServiceImpl::RolloutHistory(Context* context,
                                             const v1::RolloutHistoryRequest* request,
                                             v1::RolloutHistoryResponse* response) {
  return Respond(context, fleet_.RolloutHistory(*request, response));
}

Reactor* OperatorServiceImpl::RolloutUndo(Context* context, const v1::RolloutUndoRequest* request,
                                          v1::ApplyDaemonSetResponse* response) {
  return Respond(context, fleet_.RolloutUndo(*request, response));
}

Reactor* OperatorServiceImpl::ExplainPlacement(Context* context,
                                               const v1::ExplainPlacementRequest* request,
                                               v1::ExplainPlacementResponse* response) {
  return Respond(context, fleet_.ExplainPlacement(*request, response));
}

Reactor* OperatorServiceImpl::ListEvents(Context* context, const v1::ListEventsRequest* request,
                                         v1::ListEventsResponse* response) {
  return Respond(context, fleet_.ListEvents(*request, response));
}

grpc::ServerWriteReactor<v1::WatchEvent>* OperatorServiceImpl::Watch(
    Context*, const v1::WatchRequest* request) {
  return StartWatchStream(fleet_, *request);
}

}  // namespace fleetset::coordinator
