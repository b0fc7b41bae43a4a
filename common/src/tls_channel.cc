#include "fleetset/tls_channel.h"

namespace fleetset {

std::shared_ptr<grpc::ChannelCredentials> CoordinatorCredentials(const std::string& ca_pem,
                                                                 const std::string& certificate_pem,
                                                                 const std::string& key_pem) {
  grpc::SslCredentialsOptions tls;
  tls.pem_root_certs = ca_pem;
  tls.pem_cert_chain = certificate_pem;
  tls.pem_private_key = key_pem;
  return grpc::SslCredentials(tls);
}

}  // namespace fleetset
