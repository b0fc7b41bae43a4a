// Who is asking. Every registry call carries one, from the front end that
// took the request (the verified client certificate names a user with a
// role, or a node) or from the coordinator's own controllers. The
// authorizer and the audit log read it; nothing else may.
#pragma once

#include <string>

#include "fleetset/identity.h"

namespace fleetset::coordinator {

struct Caller {
  enum class Kind {
    // No verified certificate: may call nothing but Join (with a token).
    kAnonymous,
    // An operator (fleetsetctl).
    kUser,
    // A node's agent.
    kNode,
    // The coordinator itself: a controller or the agent hub.
    kSystem,
  };
  Kind kind = Kind::kAnonymous;
  // The user's or node's name, or the component's ("daemonset-controller").
  std::string name;
  // A user's role.
  Role role = Role::kView;
  // The serial of the certificate the caller authenticated with (hex);
  // empty for system and anonymous callers.
  std::string certificate_serial;
  // Where the call came from ("ipv4:10.0.0.5:50412"), for the audit log.
  std::string address;

  static Caller Anonymous() { return {}; }
  static Caller System(std::string component) {
    Caller caller;
    caller.kind = Kind::kSystem;
    caller.name = std::move(component);
    return caller;
  }
  static Caller Node(std::string node_name) {
    Caller caller;
    caller.kind = Kind::kNode;
    caller.name = std::move(node_name);
    return caller;
  }
  static Caller User(std::string user_name, Role user_role) {
    Caller caller;
    caller.kind = Kind::kUser;
    caller.name = std::move(user_name);
    caller.role = user_role;
    return caller;
  }

  // As refusals name the caller: `user "alice" (role view)`,
  // `node "node-1"`, "system:daemonset-controller", "system:anonymous".
  std::string Describe() const {
    switch (kind) {
      case Kind::kUser:
        return "user \"" + name + "\" (role " + std::string(RoleName(role)) + ")";
      case Kind::kNode:
        return "node \"" + name + "\"";
      case Kind::kSystem:
        return "system:" + name;
      case Kind::kAnonymous:
        break;
    }
    return "system:anonymous";
  }
};

}  // namespace fleetset::coordinator
