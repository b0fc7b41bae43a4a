// Who is asking. Every registry call carries one, from the front end that
// took the request (today every remote caller is anonymous; with mutual TLS
// the certificate names a user and role, or a node) or from the
// coordinator's own controllers. Authorization and audit read it; nothing
// else may.
#pragma once

#include <string>

namespace fleetset::coordinator {

struct Caller {
  enum class Kind {
    kAnonymous,
    // An operator (fleetsetctl).
    kUser,
    // A node's agent.
    kNode,
    // The coordinator itself: a controller or the agent hub.
    kSystem,
  };
  Kind kind = Kind::kAnonymous;
  // The user's or node's name, or the controller's ("daemonset-controller").
  std::string name;
  // The user's role (admin, edit, view) once users exist.
  std::string role;

  static Caller Anonymous() { return {}; }
  static Caller System(std::string component) { return {Kind::kSystem, std::move(component), {}}; }
  static Caller Node(std::string node_name) { return {Kind::kNode, std::move(node_name), {}}; }

  // "system:anonymous", "user alice", "node node-1", "system:daemonset-controller".
  std::string Describe() const {
    switch (kind) {
      case Kind::kUser:
        return "user " + name;
      case Kind::kNode:
        return "node " + name;
      case Kind::kSystem:
        return "system:" + name;
      case Kind::kAnonymous:
        break;
    }
    return "system:anonymous";
  }
};

}  // namespace fleetset::coordinator
