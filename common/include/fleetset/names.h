// Kubernetes' name and label syntax rules (apimachinery validation).
// Each returns the list of problems, empty when the value is valid; the
// messages follow Kubernetes' wording.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace fleetset {

// DNS-1123 label: at most 63 chars, [a-z0-9]([-a-z0-9]*[a-z0-9])?
std::vector<std::string> CheckDns1123Label(std::string_view value);
// DNS-1123 subdomain: at most 253 chars, dot-separated DNS-1123 labels.
std::vector<std::string> CheckDns1123Subdomain(std::string_view value);
// Qualified name (label and annotation keys): optional DNS-1123 subdomain
// prefix and '/', then a name of at most 63 chars [A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?
std::vector<std::string> CheckQualifiedName(std::string_view value);
// Label value: empty, or at most 63 chars with the same pattern as a name.
std::vector<std::string> CheckLabelValue(std::string_view value);
// C identifier-ish environment variable name as Kubernetes accepts it:
// [-._a-zA-Z][-._a-zA-Z0-9]*
std::vector<std::string> CheckEnvVarName(std::string_view value);
// A ConfigMap or Secret key (a file name when projected): at most 253 chars
// of [-._a-zA-Z0-9], not "." or "..", not starting with "..".
std::vector<std::string> CheckConfigMapKey(std::string_view value);

}  // namespace fleetset
