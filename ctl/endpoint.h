// One coordinator of those fleetsetctl may talk to: its channel, and
// whether it can be reached before a call is sent, so that a dead or
// stopped coordinator costs a moment rather than the request timeout.
#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "fleetset/v1/operator_service.grpc.pb.h"

namespace fleetset::ctl {

// The useful tail of gRPC's connection failure text: "failed to connect to
// all addresses; last error: UNKNOWN: ipv4:127.0.0.1:1: Failed to connect
// to remote host: Connection refused" becomes "connection refused".
std::string ShortReason(const std::string& message);

// No answer came: the coordinator could not be reached, or went away or
// stopped after the call was sent.
bool IsTransportFailure(const grpc::Status& status);

class Endpoint {
 public:
  Endpoint(std::string address, const std::shared_ptr<grpc::ChannelCredentials>& credentials,
           const grpc::ChannelArguments& args);

  const std::string& address() const { return address_; }
  v1::OperatorService::Stub& stub() { return *stub_; }
  // Whether the channel is connected now.
  bool connected() const;

  // Connects the channel if it is not, waiting at most `window`: nullopt
  // once it is connected, else why not in a few words ("connection
  // refused", "no answer within 3s"). A refused or failed connection ends
  // the wait at once; a host that takes the connection but never completes
  // the handshake (a stopped process) uses the whole window.
  std::optional<std::string> Reach(std::chrono::milliseconds window);

 private:
  // Why a channel that failed to connect did: gRPC keeps the reason for
  // the calls it fails, so one cheap call that cannot leave the client
  // (the channel is not connected) fetches it.
  std::optional<std::string> FailureReason(std::chrono::milliseconds window);

  std::string address_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::OperatorService::Stub> stub_;
};

}  // namespace fleetset::ctl
