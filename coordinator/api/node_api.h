// What operators do with nodes: get and list (with the latest heartbeat),
// delete, label, taint, cordon and uncordon, with kubectl's checks and
// wording. Every failure is an ApiError.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "coordinator/controllers/event_recorder.h"
#include "coordinator/registry/registries.h"

namespace fleetset::coordinator {

class NodeApi {
 public:
  NodeApi(Registries& registries, EventRecorder& events, const Clock& clock)
      : registries_(registries), events_(events), clock_(clock) {}

  v1::Node Get(const Caller& caller, const std::string& name);
  ObjectList<v1::Node> List(const Caller& caller, const ListOptions& options);
  void Delete(const Caller& caller, const std::string& name);
  // kubectl label: `overwrite` allows changing a label's value.
  v1::Node Label(const Caller& caller, const std::string& name,
                 const std::map<std::string, std::string>& set,
                 const std::vector<std::string>& remove, bool overwrite);
  // kubectl taint: `remove` matches by key, and by effect when it has one.
  v1::Node Taint(const Caller& caller, const std::string& name, const std::vector<v1::Taint>& add,
                 const std::vector<v1::Taint>& remove, bool overwrite);
  // kubectl cordon (true) and uncordon (false).
  v1::Node SetUnschedulable(const Caller& caller, const std::string& name, bool unschedulable);

 private:
  // The node with its Ready condition's heartbeat taken from its lease
  // (renewed with every heartbeat; the node object is written only when
  // something about it changes).
  v1::Node WithHeartbeat(v1::Node node) const;

  Registries& registries_;
  EventRecorder& events_;
  const Clock& clock_;
};

}  // namespace fleetset::coordinator
