// Container environment as kubelet computes it: every key of the envFrom
// ConfigMaps and Secrets, then literal values with $(VAR) references to
// earlier variables, the downward API's fieldRef and resourceFieldRef, and
// single keys of ConfigMaps and Secrets.
#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "agent/downward_api_fields.h"
#include "agent/pod_config_builder.h"
#include "agent/resource_field_value.h"

namespace fleetset::agent {
namespace {

// Kubernetes' IsEnvVarName: what envFrom keys must look like to become
// variables (kubelet skips the others).
bool IsEnvVarName(const std::string& name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_';
  });
}

// One key of a ConfigMap or Secret in the pod's namespace (configMapKeyRef,
// secretKeyRef), in kubelet's words when it is missing. nullopt with
// *error empty: optional and missing, so the variable stays unset.
std::optional<std::string> KeyValue(const v1::ObjectKeySelector& selector, bool secret,
                                    const PodContext& context, std::string* error) {
  const bool optional = selector.has_optional() && selector.optional();
  std::map<std::string, std::string> contents;
  if (secret) {
    const v1::Secret* found = context.objects->FindSecret(context.pod_namespace, selector.name());
    if (found == nullptr) {
      if (!optional) *error = SecretNotFound(selector.name());
      return std::nullopt;
    }
    contents.insert(found->data().begin(), found->data().end());
  } else {
    const v1::ConfigMap* found =
        context.objects->FindConfigMap(context.pod_namespace, selector.name());
    if (found == nullptr) {
      if (!optional) *error = ConfigMapNotFound(selector.name());
      return std::nullopt;
    }
    contents = ConfigMapContents(*found);
  }
  auto it = contents.find(selector.key());
  if (it == contents.end()) {
    if (!optional) {
      *error = "couldn't find key " + selector.key() + " in " +
               (secret ? "Secret " : "ConfigMap ") + context.pod_namespace + "/" + selector.name();
    }
    return std::nullopt;
  }
  return it->second;
}

// Every key of one envFrom source as prefix + key; false with *error when
// a source that is not optional is missing.
bool AddEnvFrom(const v1::EnvFromSource& source, const PodContext& context,
                std::map<std::string, std::string>& out, std::string* error) {
  const bool secret = source.has_secret_ref();
  const v1::EnvObjectSource& ref = secret ? source.secret_ref() : source.config_map_ref();
  const bool optional = ref.has_optional() && ref.optional();
  std::map<std::string, std::string> contents;
  if (secret) {
    const v1::Secret* found = context.objects->FindSecret(context.pod_namespace, ref.name());
    if (found != nullptr) contents.insert(found->data().begin(), found->data().end());
    if (found == nullptr && !optional) *error = SecretNotFound(ref.name());
  } else {
    const v1::ConfigMap* found = context.objects->FindConfigMap(context.pod_namespace, ref.name());
    // Only data: kubelet leaves binaryData out of the environment.
    if (found != nullptr) contents.insert(found->data().begin(), found->data().end());
    if (found == nullptr && !optional) *error = ConfigMapNotFound(ref.name());
  }
  if (!error->empty()) return false;
  for (const auto& [key, value] : contents) {
    const std::string name = source.prefix() + key;
    if (IsEnvVarName(name)) out[name] = value;
  }
  return true;
}

}  // namespace

std::string ExpandVariables(const std::string& input,
                            const std::map<std::string, std::string>& env) {
  std::string out;
  out.reserve(input.size());
  size_t i = 0;
  while (i < input.size()) {
    // A '$' as the very last character is plain text.
    if (input[i] != '$' || i + 1 == input.size()) {
      out += input[i++];
      continue;
    }
    const char next = input[i + 1];
    if (next == '$') {  // "$$" is an escaped '$'.
      out += '$';
      i += 2;
      continue;
    }
    if (next != '(') {  // Not a reference: keep both characters.
      out += input.substr(i, 2);
      i += 2;
      continue;
    }
    const size_t close = input.find(')', i + 2);
    if (close == std::string::npos) {
      // Unterminated: keep "$(" and carry on scanning after it.
      out += "$(";
      i += 2;
      continue;
    }
    const std::string name = input.substr(i + 2, close - i - 2);
    auto it = env.find(name);
    // Unknown names stay as written, so a typo is visible in the process.
    // Values are inserted verbatim: expansion never recurses.
    out += it != env.end() ? it->second : "$(" + name + ")";
    i = close + 1;
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> ResolveEnv(
    const v1::Container& container, const v1::PodTemplateSpec& template_spec,
    const PodContext& context, std::string* error) {
  std::vector<std::pair<std::string, std::string>> resolved;
  // What $(VAR) may refer to: envFrom's variables and those defined earlier
  // in the list.
  std::map<std::string, std::string> defined;
  for (const v1::EnvFromSource& source : container.env_from()) {
    if (!AddEnvFrom(source, context, defined, error)) return {};
  }
  resolved.assign(defined.begin(), defined.end());
  for (const v1::EnvVar& var : container.env()) {
    std::string value;
    if (var.has_value_from()) {
      const v1::EnvVarSource& source = var.value_from();
      if (source.has_field_ref()) {
        if (!FieldRefValue(source.field_ref().field_path(), template_spec, context, &value)) {
          *error = "env " + var.name() + ": unsupported fieldRef fieldPath \"" +
                   source.field_ref().field_path() + "\"";
          return {};
        }
      } else if (source.has_resource_field_ref()) {
        std::optional<std::string> amount =
            ResourceFieldValue(template_spec.spec(), container.name(), source.resource_field_ref(),
                               ThisNodeAllocatable(context.node_memory_bytes), error);
        if (!amount) return {};
        value = *amount;
      } else {
        const bool secret = source.has_secret_key_ref();
        std::optional<std::string> found = KeyValue(
            secret ? source.secret_key_ref() : source.config_map_key_ref(), secret, context, error);
        if (!error->empty()) return {};
        if (!found) continue;  // optional, and missing
        value = *found;
      }
    } else {
      value = ExpandVariables(var.value(), defined);
    }
    defined[var.name()] = value;
    // A repeated name keeps its first position and takes the later value,
    // as the last definition wins in Kubernetes.
    auto existing = std::find_if(resolved.begin(), resolved.end(),
                                 [&](const auto& entry) { return entry.first == var.name(); });
    if (existing != resolved.end()) {
      existing->second = value;
    } else {
      resolved.emplace_back(var.name(), value);
    }
  }
  return resolved;
}

}  // namespace fleetset::agent
