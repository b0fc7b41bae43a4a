// How an agent's stream to a coordinator uses HTTP/2. Set on both ends
// (the agent's channel, the coordinator's server) and by the bench's
// simulated agents, so all three agree.
//
// gRPC sizes a connection's flow-control window by probing its
// bandwidth-delay product: when data arrives it sends a PING and times the
// answer. An agent stream carries one small message at a time (a desired
// state one way, a report or a heartbeat the other), so each probe adds a
// write and a read on both ends to a message that needs no larger window.
// At 10,000 agents the probes were about a quarter of the coordinators' and
// the agents' CPU in a fleet-wide apply (bench/README.md). The windows are
// fixed instead, as Go's HTTP/2 client (the kubelet's) fixes its own.
#pragma once

#include <grpcpp/server_builder.h>
#include <grpcpp/support/channel_arguments.h>

namespace fleetset {

// What the agent lets a coordinator send ahead of its reads: a desired
// state carries the ConfigMaps and Secrets of the node's pods, megabytes
// at worst, and arrives in one round trip within this.
inline constexpr int kAgentStreamWindowBytes = 4 * 1024 * 1024;

// The agent's channel to a coordinator: no probe, kAgentStreamWindowBytes.
void SetAgentStreamTransport(grpc::ChannelArguments& args);

// The coordinator's server: no probe. What it reads (reports, heartbeats,
// operators' calls) is small and keeps gRPC's default window, 64 KiB per
// stream.
void SetCoordinatorStreamTransport(grpc::ServerBuilder& builder);

}  // namespace fleetset
