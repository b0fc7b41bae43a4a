// The one question the controllers ask before acting: does this
// coordinator lead? With one coordinator it always does; with several on
// etcd, the one holding the leader lease does, and the others serve agents
// and operators only.
#pragma once

namespace fleetset::coordinator {

class LeaderGate {
 public:
  virtual ~LeaderGate() = default;
  virtual bool IsLeader() const = 0;
};

class AlwaysLeader final : public LeaderGate {
 public:
  bool IsLeader() const override { return true; }
};

}  // namespace fleetset::coordinator
