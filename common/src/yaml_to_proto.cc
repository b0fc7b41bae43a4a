#include "yaml_to_proto.h"

#include "fleetset/base64.h"

#include <functional>
#include <limits>
#include <optional>
#include <set>
#include <utility>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/util/time_util.h>

#include "fleetset/v1/meta.pb.h"
#include "kubernetes_fields.h"
#include "yaml_scalar.h"

namespace fleetset::internal {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// What a scalar field wants, for "expected X, got Y".
std::string ExpectedName(const FieldDescriptor& field) {
  switch (field.cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
    case FieldDescriptor::CPPTYPE_INT64:
    case FieldDescriptor::CPPTYPE_UINT32:
    case FieldDescriptor::CPPTYPE_UINT64:
      return "integer";
    case FieldDescriptor::CPPTYPE_DOUBLE:
    case FieldDescriptor::CPPTYPE_FLOAT:
      return "number";
    case FieldDescriptor::CPPTYPE_BOOL:
      return "boolean";
    case FieldDescriptor::CPPTYPE_MESSAGE:
      return "object";
    case FieldDescriptor::CPPTYPE_STRING:
    case FieldDescriptor::CPPTYPE_ENUM:
      return "string";
  }
  return "string";
}

// Descriptor::FindFieldByJsonName only arrived after protobuf 3.21; a
// linear scan is as fast for messages of a few dozen fields.
const FieldDescriptor* FindFieldByJsonName(const Descriptor& descriptor, const std::string& name) {
  for (int i = 0; i < descriptor.field_count(); ++i) {
    if (descriptor.field(i)->json_name() == name) return descriptor.field(i);
  }
  return nullptr;
}

bool IsNumber(ScalarKind kind) { return kind == ScalarKind::kInt || kind == ScalarKind::kFloat; }

// Range-checked integer of a field's width, or an error message.
template <typename Int, typename Wide>
std::optional<Int> Narrow(std::optional<Wide> value) {
  if (!value || *value < std::numeric_limits<Int>::min() ||
      *value > std::numeric_limits<Int>::max()) {
    return std::nullopt;
  }
  return static_cast<Int>(*value);
}

}  // namespace

std::string NodeTypeName(const YAML::Node& node) {
  if (node.IsMap()) return "object";
  if (node.IsSequence()) return "list";
  return ScalarKindName(ClassifyScalar(node));
}

std::optional<YAML::Node> FindKey(const YAML::Node& mapping, const std::string& key) {
  if (!mapping.IsMap()) return std::nullopt;
  for (const auto& entry : mapping) {
    if (entry.first.IsScalar() && entry.first.Scalar() == key) return entry.second;
  }
  return std::nullopt;
}

// Tracks nesting of mappings and lists on the way down.
class YamlToProto::DepthGuard {
 public:
  explicit DepthGuard(YamlToProto* owner) : owner_(owner) { ++owner_->depth_; }
  ~DepthGuard() { --owner_->depth_; }
  DepthGuard(const DepthGuard&) = delete;
  DepthGuard& operator=(const DepthGuard&) = delete;

 private:
  YamlToProto* owner_;
};

YamlToProto::YamlToProto(FieldErrors* errors, DecodeLimits limits)
    : errors_(errors), limits_(limits) {}

void YamlToProto::AddError(const std::string& path, std::string message) {
  if (stopped_) return;
  if (errors_->size() >= limits_.max_errors) {
    errors_->push_back(
        {"", "too many errors; stopped after " + std::to_string(limits_.max_errors)});
    stopped_ = true;
    return;
  }
  errors_->push_back({path, std::move(message)});
}

void YamlToProto::TypeError(const std::string& path, const std::string& expected,
                            const YAML::Node& node) {
  AddError(path, "expected " + expected + ", got " + NodeTypeName(node));
}

bool YamlToProto::Visit(const YAML::Node& node, const std::string& path) {
  if (stopped_) return false;
  if (++nodes_ > limits_.max_nodes) {
    AddError(path, "document too large: more than " + std::to_string(limits_.max_nodes) +
                       " YAML nodes (aliases included)");
    stopped_ = true;
    return false;
  }
  if ((node.IsMap() || node.IsSequence()) && depth_ >= limits_.max_depth) {
    AddError(path, "nesting deeper than " + std::to_string(limits_.max_depth) + " levels");
    return false;
  }
  return true;
}

void YamlToProto::DecodeMessage(const YAML::Node& node, const std::string& path, Message* message) {
  if (!Visit(node, path) || node.IsNull()) return;
  const Descriptor& descriptor = *message->GetDescriptor();
  // Kubernetes' wrapper types are scalars in JSON, not objects.
  if (&descriptor == v1::IntOrString::descriptor()) return DecodeIntOrString(node, path, message);
  if (descriptor.full_name() == "google.protobuf.Timestamp") {
    return DecodeTimestamp(node, path, message);
  }
  if (!node.IsMap()) return TypeError(path, "object", node);
  DepthGuard guard(this);
  ForEachEntry(node, path, MapKind::kObject,
               [&](const std::string& key, const std::string& field_path, const YAML::Node& value) {
                 if (const std::optional<KnownField> known = LookupKnownField(descriptor, key)) {
                   if (known->policy == KnownFieldPolicy::kUnsupported) {
                     AddError(field_path, known->message);
                   }
                   return;
                 }
                 const FieldDescriptor* field = FindFieldByJsonName(descriptor, key);
                 if (field == nullptr) {
                   AddError(field_path, "unknown field \"" + key + "\"");
                   return;
                 }
                 DecodeField(value, field_path, message, *field);
               });
}

void YamlToProto::ForEachEntry(
    const YAML::Node& node, const std::string& path, MapKind kind,
    const std::function<void(const std::string&, const std::string&, const YAML::Node&)>& visit) {
  std::set<std::string> seen;
  for (const auto& entry : node) {
    if (stopped_) return;
    if (!entry.first.IsScalar()) {
      AddError(path, "expected a string key, got " + NodeTypeName(entry.first));
      continue;
    }
    const std::string& key = entry.first.Scalar();
    const bool object = kind == MapKind::kObject;
    const std::string entry_path = object ? ChildPath(path, key) : KeyPath(path, key);
    if (!seen.insert(key).second) {
      AddError(entry_path, (object ? "duplicate field \"" : "duplicate key \"") + key + "\"");
      continue;
    }
    visit(key, entry_path, entry.second);
  }
}

void YamlToProto::DecodeField(const YAML::Node& node, const std::string& path, Message* message,
                              const FieldDescriptor& field) {
  // JSON null means "not set", for every kind of field.
  if (node.IsNull()) {
    message->GetReflection()->ClearField(message, &field);
    return;
  }
  if (field.is_map()) return DecodeMap(node, path, message, field);
  if (field.is_repeated()) return DecodeList(node, path, message, field);
  if (field.cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
    return DecodeMessage(node, path, message->GetReflection()->MutableMessage(message, &field));
  }
  DecodeScalar(node, path, message, field, IsQuantityField(field));
}

void YamlToProto::DecodeList(const YAML::Node& node, const std::string& path, Message* message,
                             const FieldDescriptor& field) {
  if (!Visit(node, path)) return;
  if (!node.IsSequence()) return TypeError(path, "list", node);
  DepthGuard guard(this);
  const Reflection& reflection = *message->GetReflection();
  size_t index = 0;
  for (const YAML::Node& item : node) {
    if (stopped_) return;
    const std::string item_path = IndexPath(path, index++);
    if (field.cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      // A null item is an empty object, as in JSON decoding into Go structs.
      DecodeMessage(item, item_path, reflection.AddMessage(message, &field));
    } else if (item.IsNull()) {
      TypeError(item_path, ExpectedName(field), item);
    } else {
      DecodeScalar(item, item_path, message, field, IsQuantityField(field));
    }
  }
}

void YamlToProto::DecodeMap(const YAML::Node& node, const std::string& path, Message* message,
                            const FieldDescriptor& field) {
  if (!Visit(node, path)) return;
  if (!node.IsMap()) return TypeError(path, "object", node);
  DepthGuard guard(this);
  const Descriptor& entry_type = *field.message_type();
  const FieldDescriptor& key_field = *entry_type.map_key();
  const FieldDescriptor& value_field = *entry_type.map_value();
  if (key_field.cpp_type() != FieldDescriptor::CPPTYPE_STRING) {
    // JSON object keys are strings; the model has no other kind of map.
    return AddError(path, "maps with non-string keys are not supported");
  }
  const bool quantity = IsQuantityField(field);
  ForEachEntry(node, path, MapKind::kMap,
               [&](const std::string& key, const std::string& entry_path, const YAML::Node& value) {
                 Message* map_entry = message->GetReflection()->AddMessage(message, &field);
                 map_entry->GetReflection()->SetString(map_entry, &key_field, key);
                 if (value.IsNull()) return;  // JSON null: the key with an empty value.
                 if (value_field.cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
                   DecodeMessage(
                       value, entry_path,
                       map_entry->GetReflection()->MutableMessage(map_entry, &value_field));
                 } else {
                   DecodeScalar(value, entry_path, map_entry, value_field, quantity);
                 }
               });
}

void YamlToProto::DecodeScalar(const YAML::Node& node, const std::string& path, Message* message,
                               const FieldDescriptor& field, bool quantity) {
  if (!Visit(node, path)) return;
  const std::string expected = ExpectedName(field);
  if (!node.IsScalar()) return TypeError(path, expected, node);
  const ScalarKind kind = ClassifyScalar(node);
  const std::string& text = node.Scalar();
  const Reflection& reflection = *message->GetReflection();
  const bool repeated = field.is_repeated();
  const auto out_of_range = [&](const char* type) {
    AddError(path, "value " + text + " is out of range for " + type);
  };
  switch (field.cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING: {
      if (kind != ScalarKind::kString && !(quantity && IsNumber(kind))) {
        return TypeError(path, expected, node);
      }
      std::string value = text;
      // Kubernetes' []byte fields (a Secret's data): base64 in YAML and JSON.
      if (field.type() == FieldDescriptor::TYPE_BYTES) {
        std::optional<std::string> decoded = DecodeBase64(text);
        if (!decoded) return AddError(path, "illegal base64 data");
        value = *std::move(decoded);
      }
      repeated ? reflection.AddString(message, &field, std::move(value))
               : reflection.SetString(message, &field, std::move(value));
      return;
    }
    case FieldDescriptor::CPPTYPE_BOOL: {
      if (kind != ScalarKind::kBool) return TypeError(path, expected, node);
      const bool value = ParseYamlBool(text);
      repeated ? reflection.AddBool(message, &field, value)
               : reflection.SetBool(message, &field, value);
      return;
    }
    case FieldDescriptor::CPPTYPE_ENUM: {
      if (kind != ScalarKind::kString) return TypeError(path, expected, node);
      const auto* value = field.enum_type()->FindValueByName(text);
      if (value == nullptr) return AddError(path, "Unsupported value: \"" + text + "\"");
      repeated ? reflection.AddEnum(message, &field, value)
               : reflection.SetEnum(message, &field, value);
      return;
    }
    case FieldDescriptor::CPPTYPE_DOUBLE:
    case FieldDescriptor::CPPTYPE_FLOAT: {
      if (!IsNumber(kind)) return TypeError(path, expected, node);
      const double value = ParseYamlFloat(text).value_or(0);
      if (field.cpp_type() == FieldDescriptor::CPPTYPE_FLOAT) {
        repeated ? reflection.AddFloat(message, &field, static_cast<float>(value))
                 : reflection.SetFloat(message, &field, static_cast<float>(value));
      } else {
        repeated ? reflection.AddDouble(message, &field, value)
                 : reflection.SetDouble(message, &field, value);
      }
      return;
    }
    default:
      break;
  }
  // Integers of every width.
  if (!IsNumber(kind)) return TypeError(path, expected, node);
  const bool integral = ParseYamlInteger(text) || ParseYamlUnsigned(text);
  if (!integral && !ParseYamlFloat(text).has_value()) return TypeError(path, expected, node);
  switch (field.cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32: {
      const auto value = Narrow<int32_t>(ParseYamlInteger(text));
      if (!value) return integral ? out_of_range("int32") : TypeError(path, expected, node);
      repeated ? reflection.AddInt32(message, &field, *value)
               : reflection.SetInt32(message, &field, *value);
      return;
    }
    case FieldDescriptor::CPPTYPE_INT64: {
      const auto value = ParseYamlInteger(text);
      if (!value) return integral ? out_of_range("int64") : TypeError(path, expected, node);
      repeated ? reflection.AddInt64(message, &field, *value)
               : reflection.SetInt64(message, &field, *value);
      return;
    }
    case FieldDescriptor::CPPTYPE_UINT32: {
      const auto value = Narrow<uint32_t>(ParseYamlUnsigned(text));
      if (!value) return integral ? out_of_range("uint32") : TypeError(path, expected, node);
      repeated ? reflection.AddUInt32(message, &field, *value)
               : reflection.SetUInt32(message, &field, *value);
      return;
    }
    default: {
      const auto value = ParseYamlUnsigned(text);
      if (!value) return integral ? out_of_range("uint64") : TypeError(path, expected, node);
      repeated ? reflection.AddUInt64(message, &field, *value)
               : reflection.SetUInt64(message, &field, *value);
      return;
    }
  }
}

void YamlToProto::DecodeIntOrString(const YAML::Node& node, const std::string& path,
                                    Message* message) {
  auto* value = static_cast<v1::IntOrString*>(message);
  const ScalarKind kind = node.IsScalar() ? ClassifyScalar(node) : ScalarKind::kNull;
  if (!node.IsScalar() || kind == ScalarKind::kBool) {
    return TypeError(path, "integer or string", node);
  }
  if (kind == ScalarKind::kString) {
    value->set_str_val(node.Scalar());
    return;
  }
  if (const auto number = Narrow<int32_t>(ParseYamlInteger(node.Scalar()))) {
    value->set_int_val(*number);
    return;
  }
  AddError(path,
           "value " + node.Scalar() + " is not an int32 (an integer or a string is expected)");
}

void YamlToProto::DecodeTimestamp(const YAML::Node& node, const std::string& path,
                                  Message* message) {
  if (!node.IsScalar() || ClassifyScalar(node) != ScalarKind::kString) {
    return TypeError(path, "RFC 3339 timestamp string", node);
  }
  auto* timestamp = static_cast<google::protobuf::Timestamp*>(message);
  if (!google::protobuf::util::TimeUtil::FromString(node.Scalar(), timestamp)) {
    AddError(path, "invalid RFC 3339 timestamp \"" + node.Scalar() + "\"");
  }
}

}  // namespace fleetset::internal
