#include "bench/node_certificates.h"

#include "fleetset/identity.h"
#include "fleetset/pki/certificate.h"
#include "fleetset/pki/issuer.h"
#include "fleetset/pki/keys.h"
#include "fleetset/pki/pki_error.h"
#include "fleetset/pki/secret_files.h"

namespace fleetset::bench {

FleetCredentials IssueNodeCredentials(const std::string& pki_dir,
                                      const std::vector<std::string>& node_names,
                                      std::chrono::seconds validity) {
  const std::string ca_pem = pki::ReadWholeFile(pki_dir + "/ca.crt");
  const pki::Certificate ca = pki::Certificate::FromPem(ca_pem);
  const pki::PrivateKey ca_key = pki::PrivateKey::FromPem(pki::ReadWholeFile(pki_dir + "/ca.key"));
  // Checked once here rather than found out as N refused handshakes.
  if (!ca.Matches(ca_key)) throw pki::PkiError(pki_dir + "/ca.key is not the key of ca.crt");

  FleetCredentials credentials;
  credentials.ca_pem = ca.ToPem();
  credentials.nodes.reserve(node_names.size());
  pki::IssueOptions options;
  options.usage = pki::Usage::kClient;
  options.now = std::chrono::system_clock::now();
  options.validity = validity;
  options.subject.organizations = {kNodeGroup};
  for (const std::string& name : node_names) {
    const pki::PrivateKey key = pki::PrivateKey::GenerateEcP256();
    options.subject.common_name = NodeCommonName(name);
    credentials.nodes.push_back(
        {pki::IssueCertificate(ca, ca_key, key.Public(), options).ToPem(), key.ToPem()});
  }
  return credentials;
}

}  // namespace fleetset::bench
