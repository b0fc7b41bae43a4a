#include "config_objects.h"

namespace fleetset::ctl {

const google::protobuf::Message* MemberOf(const v1::Object& object) {
  const google::protobuf::FieldDescriptor* field = object.GetReflection()->GetOneofFieldDescriptor(
      object, v1::Object::descriptor()->FindOneofByName("kind"));
  return field == nullptr ? nullptr : &object.GetReflection()->GetMessage(object, field);
}

}  // namespace fleetset::ctl
