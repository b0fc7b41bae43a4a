// A generic YAML -> protobuf decoder driven by reflection: mapping keys are
// matched against fields' JSON names, so one walker serves every message of
// the model and new fields need no decoder change. Strict like kubectl's
// server-side field validation: every problem is collected with its path.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>

#include <google/protobuf/message.h>
#include <yaml-cpp/yaml.h>

#include "fleetset/field_error.h"

namespace fleetset::internal {

struct DecodeLimits {
  // Deeper than any real manifest (a DaemonSet needs about 12 levels) but
  // far below what would exhaust the stack.
  int max_depth = 64;
  // Bounds the work on alias bombs ("billion laughs"), where a few lines
  // expand to an exponential number of nodes.
  size_t max_nodes = 200000;
  // A manifest with more problems than this is not worth listing in full.
  size_t max_errors = 100;
};

class YamlToProto {
 public:
  YamlToProto(FieldErrors* errors, DecodeLimits limits = {});

  // Fills `message` from `node` (a mapping; null leaves it untouched).
  // `path` is the JSON path of `node`, empty at the top.
  void DecodeMessage(const YAML::Node& node, const std::string& path,
                     google::protobuf::Message* message);

 private:
  class DepthGuard;

  // Counts the node against the budget; false once decoding must stop.
  bool Visit(const YAML::Node& node, const std::string& path);
  void DecodeField(const YAML::Node& node, const std::string& path,
                   google::protobuf::Message* message,
                   const google::protobuf::FieldDescriptor& field);
  void DecodeList(const YAML::Node& node, const std::string& path,
                  google::protobuf::Message* message,
                  const google::protobuf::FieldDescriptor& field);
  // A YAML map is a message (keys are field names, "a.b" paths) or a proto
  // map (keys are data, "a[b]" paths).
  enum class MapKind { kObject, kMap };
  // Calls visit(key, entry path, value) for each entry of `node` whose key
  // is a string not seen before; other keys are errors.
  void ForEachEntry(
      const YAML::Node& node, const std::string& path, MapKind kind,
      const std::function<void(const std::string&, const std::string&, const YAML::Node&)>& visit);
  void DecodeMap(const YAML::Node& node, const std::string& path,
                 google::protobuf::Message* message,
                 const google::protobuf::FieldDescriptor& field);
  // Decodes a scalar into `field` (set, or appended when repeated).
  // `quantity` lets plain numbers stand for strings.
  void DecodeScalar(const YAML::Node& node, const std::string& path,
                    google::protobuf::Message* message,
                    const google::protobuf::FieldDescriptor& field, bool quantity);
  void DecodeIntOrString(const YAML::Node& node, const std::string& path,
                         google::protobuf::Message* message);
  void DecodeTimestamp(const YAML::Node& node, const std::string& path,
                       google::protobuf::Message* message);
  void AddError(const std::string& path, std::string message);
  void TypeError(const std::string& path, const std::string& expected, const YAML::Node& node);

  FieldErrors* errors_;
  DecodeLimits limits_;
  int depth_ = 0;
  size_t nodes_ = 0;
  bool stopped_ = false;
};

// The JSON type of a node for messages: "object", "list", "string", ...
std::string NodeTypeName(const YAML::Node& node);

// A mapping's value for `key` without yaml-cpp's operator[] (which may
// throw or insert); nullopt when absent or `mapping` is not a mapping.
std::optional<YAML::Node> FindKey(const YAML::Node& mapping, const std::string& key);

}  // namespace fleetset::internal
