// Kubernetes' name and label syntax rules, with the messages
// k8s.io/apimachinery/pkg/util/validation produces, so that an operator who
// knows Kubernetes recognises every complaint.
#include "fleetset/names.h"

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace fleetset {
namespace {

constexpr size_t kDns1123LabelMaxLength = 63;
constexpr size_t kDns1123SubdomainMaxLength = 253;
constexpr size_t kQualifiedNameMaxLength = 63;
constexpr size_t kLabelValueMaxLength = 63;

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool IsAlnum(char c) { return IsLowerAlnum(c) || (c >= 'A' && c <= 'Z'); }
bool IsDnsLabelChar(char c) { return IsLowerAlnum(c) || c == '-'; }
bool IsNameChar(char c) { return IsAlnum(c) || c == '-' || c == '_' || c == '.'; }

// The shape shared by all these rules: non-empty, every character in
// `inner`, first and last character in `edge`.
template <typename Edge, typename Inner>
bool MatchesEdgedRun(std::string_view value, Edge edge, Inner inner) {
  if (value.empty() || !edge(value.front()) || !edge(value.back())) return false;
  for (char c : value) {
    if (!inner(c)) return false;
  }
  return true;
}

std::string MaxLenError(size_t length) {
  return "must be no more than " + std::to_string(length) + " characters";
}

// Kubernetes' RegexError: the message, examples, then the pattern.
std::string RegexError(const std::string& message, const std::string& pattern,
                       const std::vector<std::string>& examples) {
  std::string out = message + " (";
  if (!examples.empty()) {
    out += "e.g. ";
    for (size_t i = 0; i < examples.size(); ++i) {
      if (i > 0) out += " or ";
      out += "'" + examples[i] + "', ";
    }
  }
  return out + "regex used for validation is '" + pattern + "')";
}

bool IsDns1123LabelSyntax(std::string_view value) {
  return MatchesEdgedRun(value, IsLowerAlnum, IsDnsLabelChar);
}

bool IsDns1123SubdomainSyntax(std::string_view value) {
  size_t start = 0;
  while (true) {
    const size_t dot = value.find('.', start);
    if (!IsDns1123LabelSyntax(value.substr(start, dot - start))) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

bool IsQualifiedNameSyntax(std::string_view value) {
  return MatchesEdgedRun(value, IsAlnum, IsNameChar);
}

const std::string& QualifiedNameRegexError() {
  static const std::string kMessage = RegexError(
      "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
      "alphanumeric character",
      "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]", {"MyName", "my.name", "123-abc"});
  return kMessage;
}

// Names that become file names may not walk out of their directory.
void AppendDotProblems(std::string_view value, std::vector<std::string>* errors) {
  if (value == ".") {
    errors->push_back("must not be '.'");
  } else if (value == "..") {
    errors->push_back("must not be '..'");
  } else if (value.starts_with("..")) {
    errors->push_back("must not start with '..'");
  }
}

}  // namespace

std::vector<std::string> CheckDns1123Label(std::string_view value) {
  std::vector<std::string> errors;
  if (value.size() > kDns1123LabelMaxLength) errors.push_back(MaxLenError(kDns1123LabelMaxLength));
  if (!IsDns1123LabelSyntax(value)) {
    errors.push_back(RegexError(
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
        "and must start and end with an alphanumeric character",
        "[a-z0-9]([-a-z0-9]*[a-z0-9])?", {"my-name", "123-abc"}));
  }
  return errors;
}

std::vector<std::string> CheckDns1123Subdomain(std::string_view value) {
  std::vector<std::string> errors;
  if (value.size() > kDns1123SubdomainMaxLength) {
    errors.push_back(MaxLenError(kDns1123SubdomainMaxLength));
  }
  if (!IsDns1123SubdomainSyntax(value)) {
    errors.push_back(RegexError(
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' "
        "or '.', and must start and end with an alphanumeric character",
        "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*", {"example.com"}));
  }
  return errors;
}

std::vector<std::string> CheckQualifiedName(std::string_view value) {
  std::vector<std::string> errors;
  std::string_view name = value;
  const size_t slash = value.find('/');
  if (slash != std::string_view::npos) {
    if (value.find('/', slash + 1) != std::string_view::npos) {
      // More than one '/' cannot be split into prefix and name at all.
      return {"a qualified name " + QualifiedNameRegexError() +
              " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"};
    }
    const std::string_view prefix = value.substr(0, slash);
    name = value.substr(slash + 1);
    if (prefix.empty()) {
      errors.push_back("prefix part must be non-empty");
    } else {
      for (const std::string& message : CheckDns1123Subdomain(prefix)) {
        errors.push_back("prefix part " + message);
      }
    }
  }
  if (name.empty()) {
    errors.push_back("name part must be non-empty");
  } else if (name.size() > kQualifiedNameMaxLength) {
    errors.push_back("name part " + MaxLenError(kQualifiedNameMaxLength));
  }
  if (!IsQualifiedNameSyntax(name)) errors.push_back("name part " + QualifiedNameRegexError());
  return errors;
}

std::vector<std::string> CheckLabelValue(std::string_view value) {
  std::vector<std::string> errors;
  if (value.size() > kLabelValueMaxLength) errors.push_back(MaxLenError(kLabelValueMaxLength));
  if (!value.empty() && !IsQualifiedNameSyntax(value)) {
    errors.push_back(RegexError(
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' "
        "or '.', and must start and end with an alphanumeric character",
        "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?", {"MyValue", "my_value", "12345"}));
  }
  return errors;
}

std::vector<std::string> CheckEnvVarName(std::string_view value) {
  std::vector<std::string> errors;
  const auto first_ok = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '.' || c == '_';
  };
  const auto rest_ok = [&](char c) { return first_ok(c) || (c >= '0' && c <= '9'); };
  bool valid = !value.empty() && first_ok(value.front());
  for (char c : value) valid = valid && rest_ok(c);
  if (!valid) {
    errors.push_back(RegexError(
        "a valid environment variable name must consist of alphabetic characters, digits, '_', "
        "'-', or '.', and must not start with a digit",
        "[-._a-zA-Z][-._a-zA-Z0-9]*", {"my.env-name", "MY_ENV.NAME", "MyEnvName1"}));
  }
  // Kubernetes also refuses names that would be path traversal when the
  // variable is projected as a file.
  AppendDotProblems(value, &errors);
  return errors;
}

std::vector<std::string> CheckConfigMapKey(std::string_view value) {
  std::vector<std::string> errors;
  if (value.size() > kDns1123SubdomainMaxLength) {
    errors.push_back(MaxLenError(kDns1123SubdomainMaxLength));
  }
  if (value.empty() || !std::all_of(value.begin(), value.end(), IsNameChar)) {
    errors.push_back(
        RegexError("a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
                   "[-._a-zA-Z0-9]+", {"key.name", "KEY_NAME", "key-name"}));
  }
  // A key is a file name in a volume.
  AppendDotProblems(value, &errors);
  return errors;
}

}  // namespace fleetset
