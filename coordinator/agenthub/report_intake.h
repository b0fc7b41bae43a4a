// The agents' status reports waiting to be taken in: one thread takes them,
// oldest node first, below normal priority.
//
// A stream's reader only queues its report, so the threads that also send
// desired states are not held up by what follows a report (the diff with
// the previous one, the pods' writes, their commit to the store). During a
// fleet-wide apply every core is busy and the states are what agents wait
// for; the reports then go in as the cores allow (the same reasoning as
// the store's watch threads, storage/thread_priority.h).
//
// A node's report says everything about the node, so a newer one replaces
// one still queued, as the kubelet's status manager syncs a pod's latest
// status: the queue holds at most one report per node, however fast a node
// sends them, and a node that floods its stream only replaces its own.
// What the replaced report alone showed (a container that restarted and is
// running again) is then seen in the newer one's counts, not as events of
// its own.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "fleetset/v1/agent_service.pb.h"

namespace fleetset::coordinator {

class ReportIntake {
 public:
  // `take` runs on the intake's thread, one report at a time; `stream`
  // is what Push was given with it.
  using Take =
      std::function<void(const std::string& node_name, uint64_t stream, v1::StatusReport report)>;

  // The thread runs at `niceness` (storage::YieldCallingThreadTo).
  ReportIntake(Take take, int niceness);
  // Reports still queued are dropped: an agent repeats its whole state in
  // its next hello, to whichever coordinator it reaches.
  ~ReportIntake();
  ReportIntake(const ReportIntake&) = delete;
  ReportIntake& operator=(const ReportIntake&) = delete;

  // Queues `report` of `node_name`, replacing one of the node's still
  // queued (which keeps its place).
  void Push(const std::string& node_name, uint64_t stream, v1::StatusReport report);

  // Returns once every report queued before the call was taken (or
  // replaced): for a caller that reads what reports wrote.
  void WaitUntilTaken();

  // Nodes whose report waits to be taken (one each at most). Any thread.
  size_t Waiting() const;

 private:
  void Run(int niceness);

  struct Queued {
    uint64_t stream = 0;
    v1::StatusReport report;
  };

  const Take take_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::condition_variable taken_;
  // Nodes in the order their queued report arrived; each has one entry in
  // queued_.
  std::deque<std::string> order_;
  std::map<std::string, Queued> queued_;
  // Counted under mu_: reports pushed, and reports taken or replaced.
  uint64_t pushed_ = 0;
  uint64_t done_ = 0;
  bool stopping_ = false;
  // Last: started once everything it uses exists.
  std::thread thread_;
};

}  // namespace fleetset::coordinator
