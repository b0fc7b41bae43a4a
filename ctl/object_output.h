// `-o json`, `-o yaml` and `-o name`: objects printed the way kubectl
// prints them. protobuf's JSON printer (field names are Kubernetes' JSON
// names) gives the structure; a pass over the descriptors then restores
// Kubernetes' types where proto3's JSON mapping differs (int64 as numbers,
// IntOrString as a plain value, timestamps to the second), fills kind and
// apiVersion, and keys are sorted, as kubectl's output is.
#pragma once

#include <google/protobuf/message.h>

#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace fleetset::ctl {

enum class OutputFormat { kTable, kWide, kJson, kYaml, kName };

// "", "wide", "json", "yaml", "name"; otherwise nullopt and kubectl's
// "unable to match a printer" message in *error.
std::optional<OutputFormat> ParseOutputFormat(const std::string& text, std::string* error);

// A JSON value with object keys kept sorted.
struct JsonValue {
  enum class Type { kNull, kBool, kNumber, kString, kArray, kObject };
  Type type = Type::kNull;
  // The literal for numbers and booleans; the text for strings.
  std::string scalar;
  std::vector<JsonValue> items;
  std::map<std::string, JsonValue> fields;

  static JsonValue String(std::string text);
  static JsonValue Number(std::string literal);
  static JsonValue Object();
  static JsonValue Array();
};

// A DaemonSet, Node, Pod, ConfigMap, Secret, PriorityClass or Namespace as
// the Kubernetes object kubectl would print (bytes, such as a Secret's
// data, in base64).
JsonValue ToKubernetesObject(const google::protobuf::Message& message);
// `kind: List` around `items`, as kubectl prints several objects.
JsonValue MakeList(std::vector<JsonValue> items);

// A string as Go's encoding/json writes it, quotes included (HTML-safe, as
// kubectl's output is).
std::string JsonQuote(const std::string& text);

// Go's json.MarshalIndent with four spaces (what kubectl -o json prints),
// with a trailing newline.
std::string ToJson(const JsonValue& value);
// Block YAML; strings that would read back as another type are quoted.
std::string ToYaml(const JsonValue& value);

// Prints `objects` as JSON or YAML: the object itself when `single`,
// otherwise a List.
void PrintObjects(std::ostream& out, OutputFormat format,
                  const std::vector<const google::protobuf::Message*>& objects, bool single);

}  // namespace fleetset::ctl
