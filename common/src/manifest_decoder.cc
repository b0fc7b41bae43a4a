// DecodeManifests: YAML/JSON text -> objects of the managed kinds, with every
// decoding problem listed. The field-by-field work is the generic
// YamlToProto walker; this file handles the stream (documents, List
// objects, syntax errors, size) and the object's identity (kind and
// apiVersion), which decide whether the rest is worth decoding at all.
#include <exception>
#include <utility>

#include <yaml-cpp/yaml.h>

#include "fleetset/manifest.h"
#include "fleetset/object_kinds.h"
#include "yaml_scalar.h"
#include "yaml_stream.h"
#include "yaml_to_proto.h"

namespace fleetset {
namespace {

using internal::ClassifyScalar;
using internal::FindKey;
using internal::ScalarKind;

// The API server refuses request bodies over 3 MiB; a manifest larger than
// that could never have been applied to Kubernetes either.
constexpr size_t kMaxManifestBytes = 3 * 1024 * 1024;

// The value of a top-level string field such as kind, when it is a string.
std::optional<std::string> StringField(const YAML::Node& object, const std::string& key) {
  const std::optional<YAML::Node> value = FindKey(object, key);
  if (!value || !value->IsScalar() || ClassifyScalar(*value) != ScalarKind::kString) {
    return std::nullopt;
  }
  return value->Scalar();
}

// Checks that a required top-level string is present and is a string.
std::optional<std::string> RequiredString(const YAML::Node& object, const std::string& key,
                                          FieldErrors* errors) {
  const std::optional<YAML::Node> value = FindKey(object, key);
  if (!value || value->IsNull()) {
    errors->push_back({key, "Required value"});
    return std::nullopt;
  }
  std::optional<std::string> text = StringField(object, key);
  if (!text) errors->push_back({key, "expected string, got " + internal::NodeTypeName(*value)});
  return text;
}

void DecodeObject(const YAML::Node& object, DecodedDocument* document) {
  FieldErrors& errors = document->errors;
  if (!object.IsMap()) {
    errors.push_back({"", "expected object, got " + internal::NodeTypeName(object)});
    return;
  }
  document->kind = StringField(object, "kind").value_or("");
  if (const std::optional<YAML::Node> metadata = FindKey(object, "metadata")) {
    document->name = StringField(*metadata, "name").value_or("");
  }
  const std::optional<std::string> api_version = RequiredString(object, "apiVersion", &errors);
  const std::optional<std::string> kind = RequiredString(object, "kind", &errors);
  if (!kind) return;
  KindDecision decision = ClassifyKind(*kind, api_version.value_or(""));
  if (decision.treatment == KindDecision::Treatment::kSkipped) {
    document->skipped = std::move(decision.skip_reason);
    return;
  }
  // Another kind's schema is not ours to check; one clear error is better
  // than a page of "unknown field" about a ReplicaSet.
  if (decision.treatment == KindDecision::Treatment::kRefused) {
    for (FieldError& error : decision.errors) errors.push_back(std::move(error));
    return;
  }
  // Decode the rest even after an apiVersion error: the schema is the same,
  // and the user should see every problem in one go. (A missing apiVersion
  // is already reported as required.)
  if (api_version) {
    for (FieldError& error : decision.errors) errors.push_back(std::move(error));
  }
  v1::Object& decoded = document->object;
  google::protobuf::Message* message = nullptr;
  switch (decision.managed) {
    case v1::Object::kDaemonSet:
      message = decoded.mutable_daemon_set();
      break;
    case v1::Object::kConfigMap:
      message = decoded.mutable_config_map();
      break;
    case v1::Object::kSecret:
      message = decoded.mutable_secret();
      break;
    case v1::Object::kPriorityClass:
      message = decoded.mutable_priority_class();
      break;
    case v1::Object::kNamespace:
      message = decoded.mutable_namespace_();
      break;
    case v1::Object::KIND_NOT_SET:
      return;
  }
  internal::YamlToProto walker(&errors);
  walker.DecodeMessage(object, "", message);
  // What the server reports is not the client's to set.
  if (decoded.has_daemon_set()) decoded.mutable_daemon_set()->clear_status();
  if (decoded.has_namespace_()) decoded.mutable_namespace_()->clear_status();
}

// The objects of one YAML document: itself, or the items of a List.
void AppendObjects(const YAML::Node& document, std::vector<YAML::Node>* objects) {
  if (StringField(document, "kind") == "List") {
    const std::optional<YAML::Node> items = FindKey(document, "items");
    if (items && items->IsSequence()) {
      for (const YAML::Node& item : *items) objects->push_back(item);
      return;
    }
  }
  objects->push_back(document);
}

DecodedDocument ErrorDocument(const std::string& source, std::string message) {
  DecodedDocument document;
  document.source = source;
  document.errors.push_back({"", std::move(message)});
  return document;
}

std::vector<DecodedDocument> Decode(std::string_view text, const std::string& source) {
  if (text.size() > kMaxManifestBytes) {
    return {ErrorDocument(source, "manifest is " + std::to_string(text.size()) +
                                      " bytes; the limit is " + std::to_string(kMaxManifestBytes))};
  }
  std::vector<YAML::Node> documents;
  try {
    documents = internal::LoadYamlDocuments(std::string(text));
  } catch (const YAML::Exception& e) {
    if (e.mark.is_null()) return {ErrorDocument(source, "yaml: " + e.msg)};
    // yaml-cpp marks are 0-based; editors count from 1.
    return {ErrorDocument(source, "yaml: line " + std::to_string(e.mark.line + 1) + ", column " +
                                      std::to_string(e.mark.column + 1) + ": " + e.msg)};
  }
  std::vector<YAML::Node> objects;
  for (const YAML::Node& document : documents) {
    if (!document.IsNull()) AppendObjects(document, &objects);
  }
  std::vector<DecodedDocument> decoded(objects.size());
  for (size_t i = 0; i < objects.size(); ++i) {
    // Numbered among the objects of the stream (List items included) so
    // that every message points at one object.
    decoded[i].source = objects.size() > 1 ? source + "#" + std::to_string(i + 1) : source;
    DecodeObject(objects[i], &decoded[i]);
  }
  return decoded;
}

}  // namespace

std::vector<DecodedDocument> DecodeManifests(std::string_view text, const std::string& source) {
  try {
    return Decode(text, source);
  } catch (const std::exception& e) {
    // Nothing above should throw; if a library does, the caller still gets
    // an error to show instead of a crash.
    return {ErrorDocument(source, std::string("internal error decoding manifest: ") + e.what())};
  }
}

}  // namespace fleetset
