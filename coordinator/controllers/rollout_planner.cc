// The fleet-wide half of Kubernetes' DaemonSet rolling update
// (pkg/controller/daemon/update.go, rollingUpdate): which nodes move to the
// newest revision now. Pods are replaced by the agents; here a "move" is a
// change of the node's assignment.
#include "coordinator/controllers/rollout_planner.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <optional>
#include <string_view>

namespace fleetset::coordinator {
namespace {

// "N%" -> N; anything else is not a percentage.
std::optional<int> ParsePercent(std::string_view text) {
  if (!text.ends_with('%')) return std::nullopt;
  text.remove_suffix(1);
  int percent = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), percent);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return percent;
}

// A pod the operator deleted is as good as gone: the node replaces it with
// whatever revision it is assigned, which should then be the newest one,
// as Kubernetes recreates deleted DaemonSet pods from the current template.
bool Deleted(const NodeDaemonSetState& node, const ReportedPod& pod) {
  if (!node.assignment) return false;
  const auto& uids = node.assignment->deleted_pod_uids();
  return std::find(uids.begin(), uids.end(), pod.uid) != uids.end();
}

bool HasLivePod(const NodeDaemonSetState& node) {
  return std::any_of(node.pods.begin(), node.pods.end(),
                     [&](const ReportedPod& pod) { return !Deleted(node, pod); });
}

bool HasLivePodOtherThan(const NodeDaemonSetState& node, const std::string& revision) {
  return std::any_of(node.pods.begin(), node.pods.end(), [&](const ReportedPod& pod) {
    return !Deleted(node, pod) && pod.revision_hash != revision;
  });
}

bool HasAvailablePodOf(const NodeDaemonSetState& node, const std::string& revision,
                       const RolloutInput& input) {
  return std::any_of(node.pods.begin(), node.pods.end(), [&](const ReportedPod& pod) {
    return !Deleted(node, pod) && pod.revision_hash == revision &&
           PodAvailable(pod, input.min_ready_seconds, input.now);
  });
}

// The node serves `revision` without disruption: it is in contact and runs
// an available pod of that revision and nothing else (a second pod means a
// replacement is under way).
bool ServesAvailable(const NodeDaemonSetState& node, const std::string& revision,
                     const RolloutInput& input) {
  return node.node_ready && HasAvailablePodOf(node, revision, input) &&
         !HasLivePodOtherThan(node, revision);
}

// Nothing runs there that a move could disrupt, so it gets the newest
// revision without waiting for the rollout's budget.
bool MovesAtOnce(const NodeDaemonSetState& node) {
  return !node.eligible || !node.assignment || !HasLivePod(node);
}

bool AssignedTo(const NodeDaemonSetState& node, const std::string& revision) {
  return node.assignment && node.assignment->revision_hash() == revision;
}

// A node without an assignment (and so without a pod: see StateOf) is
// offered the newest revision without one being written.
bool OnNewest(const NodeDaemonSetState& node, const std::string& newest) {
  return !node.assignment || AssignedTo(node, newest);
}

// Of a node assigned the newest revision: a surge is under way, an older
// pod still running beside a new one that is not yet available (or not yet
// reported). Kubernetes counts exactly these nodes against maxSurge.
bool Surging(const NodeDaemonSetState& node, const RolloutInput& input) {
  return HasLivePodOtherThan(node, input.newest_hash) &&
         !(node.node_ready && HasAvailablePodOf(node, input.newest_hash, input));
}

class Planner {
 public:
  explicit Planner(const RolloutInput& input) : input_(input) {
    for (const NodeDaemonSetState& node : input.nodes) nodes_.push_back(&node);
    // In name order; the controller's nodes already are (they come from a
    // map), and checking takes one comparison a node where sorting takes
    // a dozen.
    auto by_name = [](const auto* a, const auto* b) { return a->node_name < b->node_name; };
    if (!std::is_sorted(nodes_.begin(), nodes_.end(), by_name)) {
      std::sort(nodes_.begin(), nodes_.end(), by_name);
    }
  }

  std::map<std::string, v1::NodeAssignment> Plan() {
    std::vector<const NodeDaemonSetState*> candidates = MoveFreeNodes();
    if (input_.strategy.type() == "OnDelete") return std::move(result_);
    const auto& rolling = input_.strategy.rolling_update();
    const int desired = static_cast<int>(std::count_if(
        nodes_.begin(), nodes_.end(), [](const auto* node) { return node->eligible; }));
    const int max_surge = ScaledValue(rolling.max_surge(), desired, true);
    int max_unavailable = ScaledValue(rolling.max_unavailable(), desired, true);
    // As Kubernetes: a strategy that allows no progress at all would stall.
    if (max_surge == 0 && max_unavailable == 0) max_unavailable = 1;
    if (max_surge > 0) {
      MoveWithSurge(candidates, max_surge);
    } else {
      MoveWithinUnavailability(candidates, max_unavailable);
    }
    return std::move(result_);
  }

 private:
  // Assigns the newest revision to the nodes that may move at once and
  // returns the update candidates: eligible nodes running a pod of an older
  // assigned revision, in node-name order.
  std::vector<const NodeDaemonSetState*> MoveFreeNodes() {
    std::vector<const NodeDaemonSetState*> candidates;
    for (const NodeDaemonSetState* node : nodes_) {
      if (MovesAtOnce(*node)) {
        MoveToNewest(*node, /*surge=*/false);
      } else if (!AssignedTo(*node, input_.newest_hash)) {
        candidates.push_back(node);
      }
    }
    return candidates;
  }

  // maxSurge 0: stop-first replacements, at most maxUnavailable nodes down
  // at a time. Candidates whose pod is already unavailable lose nothing by
  // moving and do not count against the budget (Kubernetes'
  // allowedReplacementPods).
  void MoveWithinUnavailability(const std::vector<const NodeDaemonSetState*>& candidates,
                                int max_unavailable) {
    int unavailable = CountSettled([&](const NodeDaemonSetState& node) {
      return !ServesAvailable(node, input_.newest_hash, input_);
    });
    for (const NodeDaemonSetState* node : candidates) {
      if (!ServesAvailable(*node, node->assignment->revision_hash(), input_)) {
        MoveToNewest(*node, /*surge=*/false);
      } else if (unavailable < max_unavailable) {
        MoveToNewest(*node, /*surge=*/false);
        ++unavailable;
      }
    }
  }

  // maxSurge > 0: start-first replacements, at most maxSurge extra pods at
  // a time; an unavailable old pod is replaced stop-first at once, since
  // keeping it serves nothing.
  void MoveWithSurge(const std::vector<const NodeDaemonSetState*>& candidates, int max_surge) {
    int surging =
        CountSettled([&](const NodeDaemonSetState& node) { return Surging(node, input_); });
    for (const NodeDaemonSetState* node : candidates) {
      if (!ServesAvailable(*node, node->assignment->revision_hash(), input_)) {
        MoveToNewest(*node, /*surge=*/false);
      } else if (surging < max_surge) {
        MoveToNewest(*node, /*surge=*/true);
        ++surging;
      }
    }
  }

  // Counts the eligible nodes that are (or were just) assigned the newest
  // revision and satisfy `predicate`.
  template <typename Predicate>
  int CountSettled(Predicate predicate) const {
    int count = 0;
    for (const NodeDaemonSetState* node : nodes_) {
      const bool newest = OnNewest(*node, input_.newest_hash) || result_.contains(node->node_name);
      if (node->eligible && newest && predicate(*node)) ++count;
    }
    return count;
  }

  void MoveToNewest(const NodeDaemonSetState& node, bool surge) {
    if (OnNewest(node, input_.newest_hash)) return;
    // A new revision starts with no deletions: the UIDs named pods that the
    // move replaces anyway.
    v1::NodeAssignment& assignment = result_[node.node_name];
    assignment.set_revision_hash(input_.newest_hash);
    assignment.set_surge(surge);
  }

  const RolloutInput& input_;
  std::vector<const NodeDaemonSetState*> nodes_;
  std::map<std::string, v1::NodeAssignment> result_;
};

}  // namespace

int ScaledValue(const v1::IntOrString& value, int total, bool round_up) {
  if (value.value_case() == v1::IntOrString::kIntVal) return value.int_val();
  if (value.value_case() != v1::IntOrString::kStrVal) return 0;
  const std::optional<int> percent = ParsePercent(value.str_val());
  if (!percent) return 0;
  // The same arithmetic as Go's intstr, so that results match at the edges.
  const double scaled = static_cast<double>(*percent) * static_cast<double>(total) / 100;
  return static_cast<int>(round_up ? std::ceil(scaled) : std::floor(scaled));
}

std::map<std::string, v1::NodeAssignment> PlanRollout(const RolloutInput& input) {
  return Planner(input).Plan();
}

}  // namespace fleetset::coordinator
