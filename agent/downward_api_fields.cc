#include "agent/downward_api_fields.h"

#include "agent/pod_identity.h"
#include "fleetset/strings.h"

namespace fleetset::agent {
namespace {

// One byte of a Go %q string: named escapes, other control bytes as \xNN.
void AppendGoQuoted(std::string& out, char c) {
  static const char kHex[] = "0123456789abcdef";
  if (AppendCommonEscape(out, c)) return;
  const auto byte = static_cast<unsigned char>(c);
  if (byte >= 0x20 && byte != 0x7f) {
    out += c;
    return;
  }
  switch (c) {
    case '\a':
      out += "\\a";
      return;
    case '\b':
      out += "\\b";
      return;
    case '\f':
      out += "\\f";
      return;
    case '\v':
      out += "\\v";
      return;
    default:
      out += "\\x";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xF];
  }
}

// Splits "metadata.labels['key']" into ("metadata.labels", "key"); returns
// false for a path without a subscript.
bool SplitSubscript(const std::string& path, std::string* base, std::string* key) {
  const size_t open = path.find("['");
  if (open == std::string::npos || !path.ends_with("']") || path.size() < open + 4) return false;
  *base = path.substr(0, open);
  *key = path.substr(open + 2, path.size() - open - 4);
  return true;
}

// The labels a DaemonSet pod carries in Kubernetes: the template's, plus
// the controller's revision hash.
std::map<std::string, std::string> PodObjectLabels(const v1::PodTemplateSpec& template_spec,
                                                   const PodContext& context) {
  std::map<std::string, std::string> labels(template_spec.metadata().labels().begin(),
                                            template_spec.metadata().labels().end());
  if (!context.revision_hash.empty()) labels[kRevisionHashLabel] = context.revision_hash;
  return labels;
}

}  // namespace

std::string FormatMap(const std::map<std::string, std::string>& values) {
  std::string out;
  for (const auto& [key, value] : values) {
    if (!out.empty()) out += '\n';
    out += key + "=\"";
    for (char c : value) AppendGoQuoted(out, c);
    out += '"';
  }
  return out;
}

bool FieldRefValue(const std::string& path, const v1::PodTemplateSpec& template_spec,
                   const PodContext& context, std::string* value) {
  const v1::PodSpec& spec = template_spec.spec();
  const std::map<std::string, std::string> simple = {
      {"spec.nodeName", context.node_name},
      {"metadata.name", context.pod_name},
      {"metadata.namespace", context.pod_namespace},
      {"metadata.uid", context.pod_uid},
      {"status.hostIP", context.host_ip},
      {"status.hostIPs", context.host_ip},
      {"status.podIP", context.pod_ip},
      {"status.podIPs", context.pod_ip},
      // serviceAccount is the deprecated alias Kubernetes still honours.
      {"spec.serviceAccountName",
       spec.service_account_name().empty() ? spec.service_account() : spec.service_account_name()},
  };
  if (auto it = simple.find(path); it != simple.end()) {
    *value = it->second;
    return true;
  }
  const std::map<std::string, std::string> annotations(
      template_spec.metadata().annotations().begin(), template_spec.metadata().annotations().end());
  if (path == "metadata.labels") {
    *value = FormatMap(PodObjectLabels(template_spec, context));
    return true;
  }
  if (path == "metadata.annotations") {
    *value = FormatMap(annotations);
    return true;
  }
  std::string base;
  std::string key;
  if (!SplitSubscript(path, &base, &key)) return false;
  std::map<std::string, std::string> source;
  if (base == "metadata.labels") {
    source = PodObjectLabels(template_spec, context);
  } else if (base == "metadata.annotations") {
    source = annotations;
  } else {
    return false;
  }
  // A missing key gives "", as in Kubernetes.
  auto it = source.find(key);
  *value = it == source.end() ? "" : it->second;
  return true;
}

bool MetadataFieldRefValue(const std::string& path, const v1::PodTemplateSpec& template_spec,
                           const PodContext& context, std::string* value) {
  return path.starts_with("metadata.") && FieldRefValue(path, template_spec, context, value);
}

}  // namespace fleetset::agent
