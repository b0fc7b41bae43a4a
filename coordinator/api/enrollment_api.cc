#include "coordinator/api/enrollment_api.h"

#include "coordinator/api/certificate_records.h"
#include "coordinator/controllers/node_conditions.h"
#include "coordinator/registry/kinds/kinds.h"
#include "fleetset/pki/certificate_request.h"
#include "fleetset/pki/pki_error.h"

namespace fleetset::coordinator {

IssuedNodeCertificate EnrollmentApi::Join(const Caller& caller, const std::string& token,
                                          const std::string& node_name,
                                          const std::string& certificate_request) {
  tokens_.Check(token);
  FieldErrors errors = CheckObjectName("nodeName", node_name);
  if (!errors.empty()) throw ApiError::Invalid("Node", node_name, std::move(errors));
  // Whoever holds a token could otherwise take over a live node's name.
  if (std::optional<v1::Node> node = registries_.nodes.Find("", node_name);
      node && NodeReady(*node)) {
    throw ApiError(ApiError::Reason::kAlreadyExists,
                   "a Node with name \"" + node_name +
                       "\" and status \"Ready\" already exists in the cluster; to join it "
                       "again, delete it first (fleetsetctl delete node " +
                       node_name + ")");
  }
  return Issue(caller, node_name, certificate_request);
}

IssuedNodeCertificate EnrollmentApi::Renew(const Caller& caller,
                                           const std::string& certificate_request) {
  if (caller.kind != Caller::Kind::kNode) {
    throw ApiError::Forbidden(caller.Describe() + " cannot renew node certificates");
  }
  return Issue(caller, caller.name, certificate_request);
}

IssuedNodeCertificate EnrollmentApi::Issue(const Caller& caller, const std::string& node_name,
                                           const std::string& certificate_request) {
  std::optional<pki::CertificateRequest> request;
  try {
    request = pki::ParseCertificateRequest(certificate_request);
  } catch (const pki::PkiError& error) {
    throw ApiError::BadRequest(std::string("certificateRequest: ") + error.what());
  }
  std::optional<pki::Certificate> certificate;
  try {
    certificate = pki_.IssueClientCertificate(request->public_key,
                                              {NodeCommonName(node_name), {kNodeGroup}}, ttl_);
  } catch (const pki::PkiError& error) {
    throw ApiError::Precondition(error.what());
  }
  RecordIssuedCertificate(registries_.certificates, caller, *certificate, kSubjectNode, node_name);
  return {certificate->ToPem(), pki_.trust_pem()};
}

}  // namespace fleetset::coordinator
