#include "fleetset/agent_stream_transport.h"

#include <grpc/grpc.h>

namespace fleetset {

void SetAgentStreamTransport(grpc::ChannelArguments& args) {
  args.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);
  args.SetInt(GRPC_ARG_HTTP2_STREAM_LOOKAHEAD_BYTES, kAgentStreamWindowBytes);
}

void SetCoordinatorStreamTransport(grpc::ServerBuilder& builder) {
  builder.AddChannelArgument(GRPC_ARG_HTTP2_BDP_PROBE, 0);
}

}  // namespace fleetset
