#include "object_output.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/util/json_util.h>
#include <yaml-cpp/yaml.h>

#include <regex>
#include <set>

#include "fleetset/object_kinds.h"
#include "fleetset/strings.h"

namespace fleetset::ctl {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;

struct KindInfo {
  const char* api_version;
  const char* kind;
};

const std::map<std::string, KindInfo>& KnownKinds() {
  static const std::map<std::string, KindInfo> kinds{
      {"fleetset.v1.DaemonSet", {kDaemonSetApiVersion, kDaemonSetKind}},
      {"fleetset.v1.Node", {"v1", "Node"}},
      {"fleetset.v1.Pod", {"v1", "Pod"}},
      {"fleetset.v1.ConfigMap", {kCoreApiVersion, kConfigMapKind}},
      {"fleetset.v1.Secret", {kCoreApiVersion, kSecretKind}},
      {"fleetset.v1.PriorityClass", {kPriorityClassApiVersion, kPriorityClassKind}},
      {"fleetset.v1.Namespace", {kCoreApiVersion, kNamespaceKind}},
  };
  return kinds;
}

// A scalar as yaml-cpp read it from the printer's JSON: quoted ("!" tag)
// is a string; otherwise a number, boolean or null literal.
JsonValue FromScalar(const YAML::Node& node) {
  if (node.Tag() == "!") return JsonValue::String(node.Scalar());
  JsonValue value;
  const std::string& text = node.Scalar();
  value.scalar = text;
  if (text == "true" || text == "false")
    value.type = JsonValue::Type::kBool;
  else if (text == "null" || text == "~")
    value.type = JsonValue::Type::kNull;
  else
    value.type = JsonValue::Type::kNumber;
  return value;
}

JsonValue FromMessage(const YAML::Node& node, const Descriptor* descriptor);

JsonValue FromSingle(const YAML::Node& node, const FieldDescriptor* field) {
  if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
    const std::string& type = field->message_type()->full_name();
    if (type == "google.protobuf.Timestamp") {
      // metav1.Time is serialised to the second.
      std::string text = node.Scalar();
      if (const size_t dot = text.find('.'); dot != std::string::npos) {
        const size_t zone = text.find_first_of("Z+-", dot);
        text.erase(dot, zone == std::string::npos ? std::string::npos : zone - dot);
      }
      return JsonValue::String(text);
    }
    if (type == "fleetset.v1.IntOrString") {
      if (node["intVal"]) return JsonValue::Number(node["intVal"].Scalar());
      if (node["strVal"]) return JsonValue::String(node["strVal"].Scalar());
      return JsonValue::Number("0");
    }
    return FromMessage(node, field->message_type());
  }
  // proto3's JSON writes 64-bit integers as strings; Kubernetes as numbers.
  if (field->cpp_type() == FieldDescriptor::CPPTYPE_INT64 ||
      field->cpp_type() == FieldDescriptor::CPPTYPE_UINT64) {
    return JsonValue::Number(node.Scalar());
  }
  return FromScalar(node);
}

JsonValue FromField(const YAML::Node& node, const FieldDescriptor* field) {
  if (field->is_map()) {
    const FieldDescriptor* value_field = field->message_type()->map_value();
    JsonValue map = JsonValue::Object();
    for (const auto& entry : node) {
      map.fields[entry.first.Scalar()] = FromSingle(entry.second, value_field);
    }
    return map;
  }
  if (field->is_repeated()) {
    JsonValue list = JsonValue::Array();
    for (const YAML::Node& item : node) list.items.push_back(FromSingle(item, field));
    return list;
  }
  return FromSingle(node, field);
}

const FieldDescriptor* FieldByJsonName(const Descriptor* descriptor, const std::string& name) {
  for (int i = 0; i < descriptor->field_count(); ++i) {
    if (descriptor->field(i)->json_name() == name) return descriptor->field(i);
  }
  return nullptr;
}

JsonValue FromMessage(const YAML::Node& node, const Descriptor* descriptor) {
  JsonValue object = JsonValue::Object();
  for (const auto& entry : node) {
    const std::string key = entry.first.Scalar();
    const FieldDescriptor* field = FieldByJsonName(descriptor, key);
    object.fields[key] =
        field != nullptr ? FromField(entry.second, field) : FromScalar(entry.second);
  }
  return object;
}

JsonValue& Child(JsonValue& object, const std::string& key) {
  JsonValue& child = object.fields[key];
  if (child.type != JsonValue::Type::kObject) child = JsonValue::Object();
  return child;
}

// Kubernetes always prints these DaemonSet status counts, zero included.
void AddDaemonSetStatusCounts(JsonValue& object) {
  JsonValue& status = Child(object, "status");
  for (const char* key :
       {"currentNumberScheduled", "desiredNumberScheduled", "numberMisscheduled", "numberReady"}) {
    if (!status.fields.contains(key)) status.fields[key] = JsonValue::Number("0");
  }
}

// fleetset's Pod keeps the node and owner at the top level; Kubernetes has
// spec.nodeName and metadata.ownerReferences.
void ReshapePod(JsonValue& object) {
  JsonValue& metadata = Child(object, "metadata");
  if (auto node = object.fields.extract("nodeName")) {
    Child(object, "spec").fields["nodeName"] = std::move(node.mapped());
  }
  if (auto owner = object.fields.extract("owner")) {
    const std::string& text = owner.mapped().scalar;
    JsonValue reference = JsonValue::Object();
    reference.fields["apiVersion"] = JsonValue::String(kDaemonSetApiVersion);
    reference.fields["kind"] = JsonValue::String(kDaemonSetKind);
    reference.fields["name"] = JsonValue::String(text.substr(text.find('/') + 1));
    reference.fields["controller"] = JsonValue{JsonValue::Type::kBool, "true", {}, {}};
    JsonValue references = JsonValue::Array();
    references.items.push_back(std::move(reference));
    metadata.fields["ownerReferences"] = std::move(references);
  }
  if (auto hash = object.fields.extract("revisionHash")) {
    Child(metadata, "labels")
        .fields.try_emplace("controller-revision-hash", std::move(hash.mapped()));
  }
  if (object.fields.extract("staticPod")) {
    Child(metadata, "annotations").fields["kubernetes.io/config.source"] =
        JsonValue::String("file");
  }
  // kube-apiserver's Priority admission always sets spec.priority.
  auto priority = object.fields.extract("priority");
  Child(object, "spec").fields["priority"] =
      priority ? std::move(priority.mapped()) : JsonValue::Number("0");
  if (auto class_name = object.fields.extract("priorityClassName")) {
    Child(object, "spec").fields["priorityClassName"] = std::move(class_name.mapped());
  }
  if (auto sandbox = object.fields.extract("sandboxId")) {
    Child(metadata, "annotations").fields["fleetset.io/sandbox-id"] = std::move(sandbox.mapped());
  }
}

// Go's encoding/json escaping, HTML-safe as kubectl's output is.
void AppendJsonString(std::string& out, const std::string& text) {
  static const char kHex[] = "0123456789abcdef";
  out += '"';
  for (size_t i = 0; i < text.size(); ++i) {
    if (AppendCommonEscape(out, text[i])) continue;
    const unsigned char c = static_cast<unsigned char>(text[i]);
    switch (c) {
      case '<':
      case '>':
      case '&':
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 0xF];
        break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 0xF];
        } else if (c == 0xE2 && i + 2 < text.size() &&
                   static_cast<unsigned char>(text[i + 1]) == 0x80 &&
                   (static_cast<unsigned char>(text[i + 2]) & 0xFE) == 0xA8) {
          out += static_cast<unsigned char>(text[i + 2]) == 0xA8 ? "\\u2028" : "\\u2029";
          i += 2;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

void AppendJson(std::string& out, const JsonValue& value, int depth) {
  const std::string indent(static_cast<size_t>(depth + 1) * 4, ' ');
  const std::string closing(static_cast<size_t>(depth) * 4, ' ');
  switch (value.type) {
    case JsonValue::Type::kString:
      AppendJsonString(out, value.scalar);
      return;
    case JsonValue::Type::kNull:
      out += "null";
      return;
    case JsonValue::Type::kBool:
    case JsonValue::Type::kNumber:
      out += value.scalar;
      return;
    case JsonValue::Type::kArray: {
      if (value.items.empty()) {
        out += "[]";
        return;
      }
      out += "[\n";
      for (size_t i = 0; i < value.items.size(); ++i) {
        out += indent;
        AppendJson(out, value.items[i], depth + 1);
        out += i + 1 < value.items.size() ? ",\n" : "\n";
      }
      out += closing + "]";
      return;
    }
    case JsonValue::Type::kObject: {
      if (value.fields.empty()) {
        out += "{}";
        return;
      }
      out += "{\n";
      size_t remaining = value.fields.size();
      for (const auto& [key, field] : value.fields) {
        out += indent;
        AppendJsonString(out, key);
        out += ": ";
        AppendJson(out, field, depth + 1);
        out += --remaining > 0 ? ",\n" : "\n";
      }
      out += closing + "}";
      return;
    }
  }
}

// Whether a plain scalar `text` would be read back (YAML 1.1, as kubectl's
// YAML library resolves it) as something other than a string.
bool NeedsQuotes(const std::string& text) {
  static const std::set<std::string> kSpecial{
      "y",    "Y",    "yes",   "Yes",   "YES",   "n",     "N",     "no",  "No",
      "NO",   "true", "True",  "TRUE",  "false", "False", "FALSE", "on",  "On",
      "ON",   "off",  "Off",   "OFF",   "null",  "Null",  "NULL",  "~",   ".inf",
      ".Inf", ".INF", "-.inf", "-.Inf", "-.INF", ".nan",  ".NaN",  ".NAN"};
  static const std::regex kNumber(
      R"(^[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?$|^0x[0-9a-fA-F_]+$)");
  static const std::regex kTimestamp(R"(^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}.*)");
  return text.empty() || kSpecial.contains(text) || std::regex_match(text, kNumber) ||
         std::regex_match(text, kTimestamp);
}

void EmitString(YAML::Emitter& out, const std::string& text) {
  if (NeedsQuotes(text)) {
    out << YAML::DoubleQuoted << text;
  } else if (text.find('\n') != std::string::npos) {
    out << YAML::Literal << text;
  } else {
    out << text;
  }
}

void EmitYaml(YAML::Emitter& out, const JsonValue& value) {
  switch (value.type) {
    case JsonValue::Type::kString:
      EmitString(out, value.scalar);
      return;
    case JsonValue::Type::kNull:
      out << YAML::Null;
      return;
    case JsonValue::Type::kBool:
    case JsonValue::Type::kNumber:
      out << value.scalar;
      return;
    case JsonValue::Type::kArray:
      if (value.items.empty()) out << YAML::Flow;
      out << YAML::BeginSeq;
      for (const JsonValue& item : value.items) EmitYaml(out, item);
      out << YAML::EndSeq;
      return;
    case JsonValue::Type::kObject:
      if (value.fields.empty()) out << YAML::Flow;
      out << YAML::BeginMap;
      for (const auto& [key, field] : value.fields) {
        out << YAML::Key;
        EmitString(out, key);
        out << YAML::Value;
        EmitYaml(out, field);
      }
      out << YAML::EndMap;
      return;
  }
}

}  // namespace

JsonValue JsonValue::String(std::string text) {
  return JsonValue{Type::kString, std::move(text), {}, {}};
}
JsonValue JsonValue::Number(std::string literal) {
  return JsonValue{Type::kNumber, std::move(literal), {}, {}};
}
JsonValue JsonValue::Object() { return JsonValue{Type::kObject, {}, {}, {}}; }
JsonValue JsonValue::Array() { return JsonValue{Type::kArray, {}, {}, {}}; }

std::optional<OutputFormat> ParseOutputFormat(const std::string& text, std::string* error) {
  static const std::map<std::string, OutputFormat> kFormats{
      {"", OutputFormat::kTable},    {"wide", OutputFormat::kWide}, {"json", OutputFormat::kJson},
      {"yaml", OutputFormat::kYaml}, {"name", OutputFormat::kName},
  };
  if (auto it = kFormats.find(text); it != kFormats.end()) return it->second;
  *error = "unable to match a printer suitable for the output format \"" + text +
           "\", allowed formats are: json,name,wide,yaml";
  return std::nullopt;
}

JsonValue ToKubernetesObject(const google::protobuf::Message& message) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  if (!google::protobuf::util::MessageToJsonString(message, &json, options).ok()) return {};
  JsonValue object = FromMessage(YAML::Load(json), message.GetDescriptor());
  const std::string& type = message.GetDescriptor()->full_name();
  if (auto it = KnownKinds().find(type); it != KnownKinds().end()) {
    object.fields.try_emplace("apiVersion", JsonValue::String(it->second.api_version));
    object.fields.try_emplace("kind", JsonValue::String(it->second.kind));
  }
  if (type == "fleetset.v1.DaemonSet") AddDaemonSetStatusCounts(object);
  if (type == "fleetset.v1.Pod") ReshapePod(object);
  // A PriorityClass's value is printed even when zero (no omitempty).
  if (type == "fleetset.v1.PriorityClass") {
    object.fields.try_emplace("value", JsonValue::Number("0"));
  }
  return object;
}

JsonValue MakeList(std::vector<JsonValue> items) {
  JsonValue list = JsonValue::Object();
  list.fields["apiVersion"] = JsonValue::String("v1");
  list.fields["kind"] = JsonValue::String("List");
  list.fields["items"] = JsonValue::Array();
  list.fields["items"].items = std::move(items);
  Child(list, "metadata").fields["resourceVersion"] = JsonValue::String("");
  return list;
}

std::string JsonQuote(const std::string& text) {
  std::string out;
  AppendJsonString(out, text);
  return out;
}

std::string ToJson(const JsonValue& value) {
  std::string out;
  AppendJson(out, value, 0);
  return out + "\n";
}

std::string ToYaml(const JsonValue& value) {
  YAML::Emitter out;
  out.SetIndent(2);
  EmitYaml(out, value);
  return std::string(out.c_str()) + "\n";
}

void PrintObjects(std::ostream& out, OutputFormat format,
                  const std::vector<const google::protobuf::Message*>& objects, bool single) {
  JsonValue value;
  if (single && objects.size() == 1) {
    value = ToKubernetesObject(*objects.front());
  } else {
    std::vector<JsonValue> items;
    for (const google::protobuf::Message* object : objects)
      items.push_back(ToKubernetesObject(*object));
    value = MakeList(std::move(items));
  }
  out << (format == OutputFormat::kJson ? ToJson(value) : ToYaml(value));
}

}  // namespace fleetset::ctl
