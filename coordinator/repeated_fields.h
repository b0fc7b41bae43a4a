// Small helpers for protobuf's repeated fields, which the standard
// algorithms' erase_if does not know.
#pragma once

#include <google/protobuf/repeated_field.h>

#include <algorithm>

namespace fleetset::coordinator {

template <typename Element, typename Predicate>
void EraseIf(google::protobuf::RepeatedPtrField<Element>& field, Predicate predicate) {
  field.erase(std::remove_if(field.begin(), field.end(), predicate), field.end());
}

}  // namespace fleetset::coordinator
