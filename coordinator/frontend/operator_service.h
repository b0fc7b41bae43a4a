// The operators' API (what fleetsetctl speaks), on gRPC's callback API: each
// call translates its request into the API layer's terms, with the caller's
// identity, and the answer or the ApiError back. Nothing here decides
// anything; nothing is trusted because the client checked it.
#pragma once

#include <grpcpp/grpcpp.h>

#include "coordinator/api/config_object_api.h"
#include "coordinator/api/daemon_set_api.h"
#include "coordinator/api/event_api.h"
#include "coordinator/api/node_api.h"
#include "coordinator/api/pod_api.h"
#include "coordinator/api/token_api.h"
#include "coordinator/api/user_api.h"
#include "coordinator/frontend/access.h"
#include "coordinator/members/coordinator_members.h"
#include "fleetset/v1/operator_service.grpc.pb.h"

namespace fleetset::coordinator {

struct OperatorApis {
  DaemonSetApi& daemon_sets;
  ConfigObjectApi& config_objects;
  NodeApi& nodes;
  PodApi& pods;
  EventApi& events;
  TokenApi& tokens;
  UserApi& users;
  const ClusterPki& pki;
  Registries& registries;
  CoordinatorMembers& members;
};

class OperatorServiceImpl final : public v1::OperatorService::CallbackService {
 public:
  OperatorServiceImpl(OperatorApis apis, const Access& access) : apis_(apis), access_(access) {}

  using Reactor = grpc::ServerUnaryReactor;
  using Context = grpc::CallbackServerContext;

  Reactor* Version(Context* context, const v1::VersionRequest* request,
                   v1::VersionResponse* response) override;
  Reactor* ListCoordinators(Context* context, const v1::ListCoordinatorsRequest* request,
                            v1::ListCoordinatorsResponse* response) override;
  Reactor* ApplyDaemonSet(Context* context, const v1::ApplyDaemonSetRequest* request,
                          v1::ApplyDaemonSetResponse* response) override;
  Reactor* GetDaemonSet(Context* context, const v1::GetDaemonSetRequest* request,
                        v1::DaemonSet* response) override;
  Reactor* ListDaemonSets(Context* context, const v1::ListDaemonSetsRequest* request,
                          v1::ListDaemonSetsResponse* response) override;
  Reactor* DeleteDaemonSet(Context* context, const v1::DeleteDaemonSetRequest* request,
                           v1::DeleteResponse* response) override;
  Reactor* ApplyObject(Context* context, const v1::ApplyObjectRequest* request,
                       v1::ApplyObjectResponse* response) override;
  Reactor* GetObject(Context* context, const v1::GetObjectRequest* request,
                     v1::Object* response) override;
  Reactor* ListObjects(Context* context, const v1::ListObjectsRequest* request,
                       v1::ListObjectsResponse* response) override;
  Reactor* DeleteObject(Context* context, const v1::DeleteObjectRequest* request,
                        v1::DeleteResponse* response) override;
  Reactor* SetImage(Context* context, const v1::SetImageRequest* request,
                    v1::ApplyDaemonSetResponse* response) override;
  Reactor* GetNode(Context* context, const v1::GetNodeRequest* request,
                   v1::Node* response) override;
  Reactor* ListNodes(Context* context, const v1::ListNodesRequest* request,
                     v1::ListNodesResponse* response) override;
  Reactor* DeleteNode(Context* context, const v1::DeleteNodeRequest* request,
                      v1::DeleteResponse* response) override;
  Reactor* LabelNode(Context* context, const v1::LabelNodeRequest* request,
                     v1::Node* response) override;
  Reactor* TaintNode(Context* context, const v1::TaintNodeRequest* request,
                     v1::Node* response) override;
  Reactor* SetNodeSchedulable(Context* context, const v1::SetNodeSchedulableRequest* request,
                              v1::Node* response) override;
  Reactor* ListPods(Context* context, const v1::ListPodsRequest* request,
                    v1::ListPodsResponse* response) override;
  Reactor* DeletePod(Context* context, const v1::DeletePodRequest* request,
                     v1::DeleteResponse* response) override;
  Reactor* RolloutStatus(Context* context, const v1::RolloutStatusRequest* request,
                         v1::RolloutStatusResponse* response) override;
  Reactor* RolloutHistory(Context* context, const v1::RolloutHistoryRequest* request,
                          v1::RolloutHistoryResponse* response) override;
  Reactor* RolloutUndo(Context* context, const v1::RolloutUndoRequest* request,
                       v1::ApplyDaemonSetResponse* response) override;
  Reactor* ExplainPlacement(Context* context, const v1::ExplainPlacementRequest* request,
                            v1::ExplainPlacementResponse* response) override;
  Reactor* ListEvents(Context* context, const v1::ListEventsRequest* request,
                      v1::ListEventsResponse* response) override;
  grpc::ServerWriteReactor<v1::WatchEvent>* Watch(Context* context,
                                                  const v1::WatchRequest* request) override;
  Reactor* CreateToken(Context* context, const v1::CreateTokenRequest* request,
                       v1::CreateTokenResponse* response) override;
  Reactor* ListTokens(Context* context, const v1::ListTokensRequest* request,
                      v1::ListTokensResponse* response) override;
  Reactor* DeleteToken(Context* context, const v1::DeleteTokenRequest* request,
                       v1::DeleteResponse* response) override;
  Reactor* CreateUser(Context* context, const v1::CreateUserRequest* request,
                      v1::CreateUserResponse* response) override;
  Reactor* ListUsers(Context* context, const v1::ListUsersRequest* request,
                     v1::ListUsersResponse* response) override;
  Reactor* DeleteUser(Context* context, const v1::DeleteUserRequest* request,
                      v1::DeleteResponse* response) override;

 private:
  OperatorApis apis_;
  const Access& access_;
};

}  // namespace fleetset::coordinator
