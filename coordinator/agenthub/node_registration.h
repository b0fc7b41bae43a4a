// A node's record when its agent says hello: registered on first contact
// with the labels and taints of the agent's flags (from then on the
// coordinator's record, edited with fleetsetctl, is the truth), and on
// every contact its system info, addresses, the labels the agent always
// owns, and Ready.
#pragma once

#include "coordinator/controllers/event_recorder.h"
#include "coordinator/registry/registries.h"
#include "fleetset/v1/agent_service.pb.h"

namespace fleetset::coordinator {

// Checks what a hello says about the node; Invalid naming each field.
void CheckHello(const v1::Hello& hello);

// Registers or refreshes the node; returns it as stored. Tried again from a
// fresh read when the node changed in between (a few times, then the
// Conflict is the caller's).
v1::Node RegisterNode(Registry<v1::Node>& nodes, EventRecorder& events, const Clock& clock,
                      const Caller& caller, const v1::Hello& hello);

// Makes a node that the node lifecycle controller gave up on Ready again
// (and takes its unreachable taints away) when its agent, still connected,
// is heard from again: its lease ran out while the link or the coordinator
// was too slow. Kubelet's next node status update does the same. Nothing
// happens to a node that is Ready; ApiError (a conflict) when the node
// changed meanwhile.
void MarkNodeReadyAgain(Registry<v1::Node>& nodes, EventRecorder& events, const Clock& clock,
                        const Caller& caller, const std::string& name);

}  // namespace fleetset::coordinator
