#include "coordinator/frontend/operator_service.h"

#include "coordinator/frontend/grpc_status.h"

#include <optional>

#include "coordinator/frontend/watch_stream.h"
#include "coordinator/storage/stale_reads.h"
#include "fleetset/call_warnings.h"
#include "fleetset/object_kinds.h"
#include "fleetset/version.h"

namespace fleetset::coordinator {

namespace {

using Reactor = OperatorServiceImpl::Reactor;
using Context = OperatorServiceImpl::Context;

// A read answered from this coordinator's copy of the store; metadata
// values are printable ASCII on one line.
std::string StaleWarning(const std::string& why) {
  std::string warning = "store unavailable: " + why +
                        "; this answer is from the coordinator's cache and may be stale";
  for (char& c : warning) {
    if (c < 0x20 || c > 0x7e) c = ' ';
  }
  return warning;
}

// Admits the caller for `action`, then answers the call with what `call`
// does (or throws); what it changed is audited.
template <typename Call>
Reactor* Respond(Context* context, const Access& access, const Action& action, Call&& call) {
  Reactor* reactor = context->DefaultReactor();
  std::optional<Caller> caller;
  storage::StaleReadScope reads;
  const grpc::Status status = Serve([&] {
    caller = access.Admit(*context, action);
    call(*caller);
  });
  // A failed call says why it failed; the warning is for answers given.
  if (reads.stale() && status.ok()) {
    context->AddTrailingMetadata(kWarningMetadata, StaleWarning(reads.why()));
  }
  if (caller) access.Audit(*caller, action, status);
  reactor->Finish(status);
  return reactor;
}

Action On(std::string verb, std::string resource, const std::string& namespace_,
          std::string name = {}) {
  return {std::move(verb), std::move(resource), NamespaceOrDefault(namespace_), std::move(name)};
}

Action ListAction(std::string resource, const std::string& namespace_, bool all_namespaces) {
  return {"list", std::move(resource), all_namespaces ? "" : NamespaceOrDefault(namespace_), {}};
}

Action OnCluster(std::string verb, std::string resource, std::string name = {}) {
  return {std::move(verb), std::move(resource), {}, std::move(name)};
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

Reactor* OperatorServiceImpl::Version(Context* context, const v1::VersionRequest* /*request*/,
                                      v1::VersionResponse* response) {
  return Respond(context, access_, OnCluster("get", "version"), [&](const Caller&) {
    response->set_version(kVersion);
    response->set_protocol_version(kProtocolVersion);
  });
}

Reactor* OperatorServiceImpl::ListCoordinators(Context* context,
                                               const v1::ListCoordinatorsRequest* /*request*/,
                                               v1::ListCoordinatorsResponse* response) {
  return Respond(context, access_, OnCluster("list", "coordinators"), [&](const Caller&) {
    for (v1::Coordinator& member : apis_.members.List()) {
      *response->add_items() = std::move(member);
    }
  });
}

Reactor* OperatorServiceImpl::ApplyDaemonSet(Context* context,
                                             const v1::ApplyDaemonSetRequest* request,
                                             v1::ApplyDaemonSetResponse* response) {
  return Respond(context, access_,
                 On("apply", "daemonsets", request->daemon_set().metadata().namespace_(),
                    request->daemon_set().metadata().name()),
                 [&](const Caller& caller) {
                   Answer(apis_.daemon_sets.Apply(caller, request->daemon_set(),
                                                  request->create_only(), request->dry_run()),
                          response);
                 });
}

namespace {

// The object's plural resource (as Action and the audit log name it).
std::string ResourceOf(const v1::Object& object) {
  switch (object.kind_case()) {
    case v1::Object::kConfigMap:
      return "configmaps";
    case v1::Object::kSecret:
      return "secrets";
    case v1::Object::kPriorityClass:
      return "priorityclasses";
    case v1::Object::kNamespace:
      return "namespaces";
    default:
      return "daemonsets";
  }
}

// Cluster-scoped resources carry no namespace in their action.
Action OnObject(std::string verb, const std::string& resource, const std::string& namespace_,
                std::string name = {}) {
  if (resource == "priorityclasses" || resource == "namespaces") {
    return OnCluster(std::move(verb), resource, std::move(name));
  }
  return On(std::move(verb), resource, namespace_, std::move(name));
}

}  // namespace

Reactor* OperatorServiceImpl::ApplyObject(Context* context, const v1::ApplyObjectRequest* request,
                                          v1::ApplyObjectResponse* response) {
  const v1::ObjectMeta* meta = MetadataOf(request->object());
  return Respond(
      context, access_,
      OnObject("apply", ResourceOf(request->object()), meta ? meta->namespace_() : std::string(),
               meta ? meta->name() : std::string()),
      [&](const Caller& caller) {
        ObjectApplyResult result = apis_.config_objects.Apply(
            caller, request->object(), request->create_only(), request->dry_run());
        *response->mutable_object() = std::move(result.object);
        response->set_result(std::move(result.result));
      });
}

Reactor* OperatorServiceImpl::GetObject(Context* context, const v1::GetObjectRequest* request,
                                        v1::Object* response) {
  return Respond(context, access_,
                 OnObject("get", request->resource(), request->namespace_(), request->name()),
                 [&](const Caller& caller) {
                   *response = apis_.config_objects.Get(caller, request->resource(),
                                                        request->namespace_(), request->name());
                 });
}

Reactor* OperatorServiceImpl::ListObjects(Context* context, const v1::ListObjectsRequest* request,
                                          v1::ListObjectsResponse* response) {
  Action action = ListAction(request->resource(), request->namespace_(), request->all_namespaces());
  if (request->resource() == "priorityclasses" || request->resource() == "namespaces") {
    action.namespace_.clear();
  }
  return Respond(context, access_, action, [&](const Caller& caller) {
    Fill(response->mutable_items(), response->mutable_resource_version(),
         apis_.config_objects.List(caller, request->resource(),
                                   Options(request->namespace_(), request->all_namespaces(),
                                           request->label_selector(), request->field_selector())));
  });
}

Reactor* OperatorServiceImpl::DeleteObject(Context* context, const v1::DeleteObjectRequest* request,
                                           v1::DeleteResponse* response) {
  return Respond(context, access_,
                 OnObject("delete", request->resource(), request->namespace_(), request->name()),
                 [&](const Caller& caller) {
                   apis_.config_objects.Delete(caller, request->resource(), request->namespace_(),
                                               request->name());
                   response->set_result("deleted");
                 });
}

Reactor* OperatorServiceImpl::GetDaemonSet(Context* context, const v1::GetDaemonSetRequest* request,
                                           v1::DaemonSet* response) {
  return Respond(
      context, access_, On("get", "daemonsets", request->key().namespace_(), request->key().name()),
      [&](const Caller& caller) {
        *response =
            apis_.daemon_sets.Get(caller, request->key().namespace_(), request->key().name());
      });
}

Reactor* OperatorServiceImpl::ListDaemonSets(Context* context,
                                             const v1::ListDaemonSetsRequest* request,
                                             v1::ListDaemonSetsResponse* response) {
  return Respond(context, access_,
                 ListAction("daemonsets", request->namespace_(), request->all_namespaces()),
                 [&](const Caller& caller) {
                   Fill(response->mutable_items(), response->mutable_resource_version(),
                        apis_.daemon_sets.List(
                            caller, Options(request->namespace_(), request->all_namespaces(),
                                            request->label_selector(), request->field_selector())));
                 });
}

Reactor* OperatorServiceImpl::DeleteDaemonSet(Context* context,
                                              const v1::DeleteDaemonSetRequest* request,
                                              v1::DeleteResponse* response) {
  return Respond(context, access_,
                 On("delete", "daemonsets", request->key().namespace_(), request->key().name()),
                 [&](const Caller& caller) {
                   apis_.daemon_sets.Delete(caller, request->key().namespace_(),
                                            request->key().name());
                   response->set_result("deleted");
                 });
}

Reactor* OperatorServiceImpl::SetImage(Context* context, const v1::SetImageRequest* request,
                                       v1::ApplyDaemonSetResponse* response) {
  return Respond(context, access_,
                 On("update", "daemonsets", request->key().namespace_(), request->key().name()),
                 [&](const Caller& caller) {
                   const std::map<std::string, std::string> images(request->images().begin(),
                                                                   request->images().end());
                   Answer(apis_.daemon_sets.SetImage(caller, request->key().namespace_(),
                                                     request->key().name(), images),
                          response);
                 });
}

Reactor* OperatorServiceImpl::GetNode(Context* context, const v1::GetNodeRequest* request,
                                      v1::Node* response) {
  return Respond(
      context, access_, OnCluster("get", "nodes", request->name()),
      [&](const Caller& caller) { *response = apis_.nodes.Get(caller, request->name()); });
}

Reactor* OperatorServiceImpl::ListNodes(Context* context, const v1::ListNodesRequest* request,
                                        v1::ListNodesResponse* response) {
  return Respond(context, access_, OnCluster("list", "nodes"), [&](const Caller& caller) {
    ListOptions options;
    options.label_selector = request->label_selector();
    options.field_selector = request->field_selector();
    Fill(response->mutable_items(), response->mutable_resource_version(),
         apis_.nodes.List(caller, options));
  });
}

Reactor* OperatorServiceImpl::DeleteNode(Context* context, const v1::DeleteNodeRequest* request,
                                         v1::DeleteResponse* response) {
  return Respond(context, access_, OnCluster("delete", "nodes", request->name()),
                 [&](const Caller& caller) {
                   apis_.nodes.Delete(caller, request->name());
                   response->set_result("deleted");
                 });
}

Reactor* OperatorServiceImpl::LabelNode(Context* context, const v1::LabelNodeRequest* request,
                                        v1::Node* response) {
  return Respond(
      context, access_, OnCluster("label", "nodes", request->name()), [&](const Caller& caller) {
        const std::map<std::string, std::string> set(request->set().begin(), request->set().end());
        const std::vector<std::string> remove(request->remove().begin(), request->remove().end());
        *response = apis_.nodes.Label(caller, request->name(), set, remove, request->overwrite());
      });
}

Reactor* OperatorServiceImpl::TaintNode(Context* context, const v1::TaintNodeRequest* request,
                                        v1::Node* response) {
  return Respond(
      context, access_, OnCluster("taint", "nodes", request->name()), [&](const Caller& caller) {
        const std::vector<v1::Taint> add(request->add().begin(), request->add().end());
        const std::vector<v1::Taint> remove(request->remove().begin(), request->remove().end());
        *response = apis_.nodes.Taint(caller, request->name(), add, remove, request->overwrite());
      });
}

Reactor* OperatorServiceImpl::SetNodeSchedulable(Context* context,
                                                 const v1::SetNodeSchedulableRequest* request,
                                                 v1::Node* response) {
  return Respond(
      context, access_, OnCluster("cordon", "nodes", request->name()), [&](const Caller& caller) {
        *response = apis_.nodes.SetUnschedulable(caller, request->name(), request->unschedulable());
      });
}

Reactor* OperatorServiceImpl::ListPods(Context* context, const v1::ListPodsRequest* request,
                                       v1::ListPodsResponse* response) {
  return Respond(
      context, access_, ListAction("pods", request->namespace_(), request->all_namespaces()),
      [&](const Caller& caller) {
        Fill(response->mutable_items(), response->mutable_resource_version(),
             apis_.pods.List(caller,
                             Options(request->namespace_(), request->all_namespaces(),
                                     request->label_selector(), request->field_selector()),
                             request->node_name()));
      });
}

Reactor* OperatorServiceImpl::DeletePod(Context* context, const v1::DeletePodRequest* request,
                                        v1::DeleteResponse* response) {
  return Respond(context, access_, On("delete", "pods", request->namespace_(), request->name()),
                 [&](const Caller& caller) {
                   apis_.pods.Delete(caller, request->namespace_(), request->name());
                   response->set_result("deleted");
                 });
}

Reactor* OperatorServiceImpl::RolloutStatus(Context* context,
                                            const v1::RolloutStatusRequest* request,
                                            v1::RolloutStatusResponse* response) {
  return Respond(
      context, access_, On("get", "daemonsets", request->key().namespace_(), request->key().name()),
      [&](const Caller& caller) {
        int64_t observed_generation = 0;
        RolloutProgress progress = apis_.daemon_sets.RolloutStatus(
            caller, request->key().namespace_(), request->key().name(), &observed_generation);
        response->set_done(progress.done);
        response->set_message(progress.message);
        response->set_failure(progress.failure);
        response->set_observed_generation(observed_generation);
      });
}

Reactor* OperatorServiceImpl::RolloutHistory(Context* context,
                                             const v1::RolloutHistoryRequest* request,
                                             v1::RolloutHistoryResponse* response) {
  return Respond(
      context, access_, On("get", "daemonsets", request->key().namespace_(), request->key().name()),
      [&](const Caller& caller) {
        for (v1::DaemonSetRevision& revision : apis_.daemon_sets.RolloutHistory(
                 caller, request->key().namespace_(), request->key().name(), request->revision())) {
          *response->add_revisions() = std::move(revision);
        }
      });
}

Reactor* OperatorServiceImpl::RolloutUndo(Context* context, const v1::RolloutUndoRequest* request,
                                          v1::ApplyDaemonSetResponse* response) {
  return Respond(context, access_,
                 On("rollback", "daemonsets", request->key().namespace_(), request->key().name()),
                 [&](const Caller& caller) {
                   Answer(apis_.daemon_sets.RolloutUndo(caller, request->key().namespace_(),
                                                        request->key().name(),
                                                        request->to_revision(), request->dry_run()),
                          response);
                 });
}

Reactor* OperatorServiceImpl::ExplainPlacement(Context* context,
                                               const v1::ExplainPlacementRequest* request,
                                               v1::ExplainPlacementResponse* response) {
  return Respond(context, access_,
                 On("get", "daemonsets", request->key().namespace_(), request->key().name()),
                 [&](const Caller& caller) {
                   for (Placement& placement :
                        apis_.daemon_sets.Explain(caller, request->key().namespace_(),
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
  return Respond(context, access_, OnCluster("list", "events"), [&](const Caller& caller) {
    for (v1::Event& event :
         apis_.events.List(caller, request->involved_object(), request->limit())) {
      *response->add_items() = std::move(event);
    }
  });
}

grpc::ServerWriteReactor<v1::WatchEvent>* OperatorServiceImpl::Watch(
    Context* context, const v1::WatchRequest* request) {
  Action action = ListAction(request->resource(), request->namespace_(), request->all_namespaces());
  action.verb = "watch";
  return StartWatchStream(
      apis_.registries, [&] { access_.Admit(*context, action); }, *request);
}

Reactor* OperatorServiceImpl::CreateToken(Context* context, const v1::CreateTokenRequest* request,
                                          v1::CreateTokenResponse* response) {
  return Respond(
      context, access_, OnCluster("create", "bootstraptokens"), [&](const Caller& caller) {
        CreatedToken created = apis_.tokens.Create(
            caller, std::chrono::seconds(request->ttl_seconds()), request->description());
        response->set_token(std::move(created.token));
        *response->mutable_bootstrap_token() = std::move(created.record);
        response->set_ca_cert_hash(apis_.pki.ca_pin());
      });
}

Reactor* OperatorServiceImpl::ListTokens(Context* context, const v1::ListTokensRequest*,
                                         v1::ListTokensResponse* response) {
  return Respond(context, access_, OnCluster("list", "bootstraptokens"), [&](const Caller& caller) {
    for (v1::BootstrapToken& token : apis_.tokens.List(caller)) {
      *response->add_items() = std::move(token);
    }
  });
}

Reactor* OperatorServiceImpl::DeleteToken(Context* context, const v1::DeleteTokenRequest* request,
                                          v1::DeleteResponse* response) {
  return Respond(context, access_, OnCluster("delete", "bootstraptokens", request->id()),
                 [&](const Caller& caller) {
                   apis_.tokens.Delete(caller, request->id());
                   response->set_result("deleted");
                 });
}

Reactor* OperatorServiceImpl::CreateUser(Context* context, const v1::CreateUserRequest* request,
                                         v1::CreateUserResponse* response) {
  return Respond(
      context, access_, OnCluster("create", "users", request->name()), [&](const Caller& caller) {
        CreatedUser created = apis_.users.Create(caller, request->name(), request->role(),
                                                 std::chrono::seconds(request->ttl_seconds()),
                                                 request->certificate_request());
        *response->mutable_user() = std::move(created.user);
        response->set_certificate(std::move(created.certificate_pem));
        response->set_ca_certificate(apis_.pki.trust_pem());
      });
}

Reactor* OperatorServiceImpl::ListUsers(Context* context, const v1::ListUsersRequest*,
                                        v1::ListUsersResponse* response) {
  return Respond(context, access_, OnCluster("list", "users"), [&](const Caller& caller) {
    for (v1::User& user : apis_.users.List(caller)) *response->add_items() = std::move(user);
  });
}

Reactor* OperatorServiceImpl::DeleteUser(Context* context, const v1::DeleteUserRequest* request,
                                         v1::DeleteResponse* response) {
  return Respond(context, access_, OnCluster("delete", "users", request->name()),
                 [&](const Caller& caller) {
                   apis_.users.Delete(caller, request->name());
                   response->set_result("deleted");
                 });
}

}  // namespace fleetset::coordinator
