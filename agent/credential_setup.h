// From the agent's settings to its node credentials, and the credentials
// the coordinator link dials with: what the agent's start and its link need
// of node_credentials.h, kept out of the agent's loop code.
#pragma once

#include <grpcpp/security/credentials.h>

#include <memory>
#include <string>

#include "agent/agent_config.h"
#include "agent/node_credentials.h"
#include "fleetset/clock.h"

namespace fleetset::agent {

// The options for `config`, with the token read from --token-file (which
// must be root-only). Throws CredentialError naming the file.
NodeCredentialOptions CredentialOptionsFor(const AgentConfig& config);

// Loads what the node has; when it has nothing, says so unless it can join.
// Throws CredentialError: files that are there but unusable, or no
// certificate and no token ("... and no --token to join with").
void LoadNodeCredentials(NodeCredentials& credentials, const NodeCredentialOptions& options);

// For a stream to `address`: the certificate held, after joining through
// that coordinator first when there is none or it has run out (and the node
// has a token). Blocking; throws CredentialError.
std::shared_ptr<grpc::ChannelCredentials> CredentialsForStream(NodeCredentials& credentials,
                                                               const std::string& address,
                                                               const Clock& clock, bool* joined);

}  // namespace fleetset::agent
