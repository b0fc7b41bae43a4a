// ConfigMaps and Secrets, as Kubernetes validates them (ValidateConfigMap,
// ValidateSecret): keys that can be file names, 1 MiB of data at most, and
// the keys each well-known Secret type must carry.
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>

#include "fleetset/config_objects.h"
#include "fleetset/names.h"
#include "validation_internal.h"
#include "validation_messages.h"

namespace fleetset {
namespace {

using internal::AppendInvalid;
using internal::ForbiddenError;
using internal::Quote;
using internal::RequiredError;

constexpr char kImmutable[] = "field is immutable when `immutable` is set";

template <typename Map>
size_t ValidateKeys(const Map& data, const std::string& path, FieldErrors* errors) {
  size_t bytes = 0;
  for (const auto& [key, value] : data) {
    AppendInvalid(path, key, CheckConfigMapKey(key), errors);
    bytes += value.size();
  }
  return bytes;
}

void CheckSize(size_t bytes, FieldErrors* errors) {
  if (bytes > kMaxConfigDataBytes) {
    errors->push_back(
        {"data", "Too long: must have at most " + std::to_string(kMaxConfigDataBytes) + " bytes"});
  }
}

void RequireKey(const v1::Secret& secret, const std::string& key, FieldErrors* errors) {
  if (!secret.data().contains(key)) errors->push_back(RequiredError(KeyPath("data", key)));
}

// The checks of the well-known types; any other type is the owner's own.
void ValidateSecretType(const v1::Secret& secret, FieldErrors* errors) {
  const std::string& type = secret.type();
  if (type == kSecretTypeDockerConfigJson) {
    const std::string key = ".dockerconfigjson";
    auto found = secret.data().find(key);
    if (found == secret.data().end()) return errors->push_back(RequiredError(KeyPath("data", key)));
    google::protobuf::Struct parsed;
    if (!google::protobuf::util::JsonStringToMessage(found->second, &parsed).ok()) {
      // The value is a credential: never echoed.
      errors->push_back(internal::InvalidError(KeyPath("data", key),
                                               "\"<secret contents redacted>\"",
                                               "must be a JSON object (a Docker config.json)"));
    }
  } else if (type == kSecretTypeTls) {
    RequireKey(secret, "tls.key", errors);
    RequireKey(secret, "tls.crt", errors);
  } else if (type == kSecretTypeBasicAuth) {
    if (!secret.data().contains("username") && !secret.data().contains("password")) {
      RequireKey(secret, "username", errors);
      RequireKey(secret, "password", errors);
    }
  } else if (type == kSecretTypeSshAuth) {
    RequireKey(secret, "ssh-privatekey", errors);
  }
}

// What an immutable object may not change: everything but its metadata.
template <typename T>
void ValidateImmutableData(T object, T old, FieldErrors* errors) {
  if (!old.immutable()) return;
  if (!object.immutable()) errors->push_back(ForbiddenError("immutable", kImmutable));
  for (T* copy : {&object, &old}) {
    copy->clear_metadata();
    copy->clear_immutable();
  }
  if (!google::protobuf::util::MessageDifferencer::Equals(object, old)) {
    errors->push_back(ForbiddenError("data", kImmutable));
  }
}

}  // namespace

FieldErrors ValidateConfigMap(const v1::ConfigMap& config_map) {
  FieldErrors errors;
  internal::ValidateObjectMeta(config_map.metadata(), "metadata", &errors);
  size_t bytes = ValidateKeys(config_map.data(), "data", &errors);
  bytes += ValidateKeys(config_map.binary_data(), "binaryData", &errors);
  for (const auto& [key, value] : config_map.data()) {
    if (config_map.binary_data().contains(key)) {
      errors.push_back(internal::InvalidError(KeyPath("data", key), Quote(key),
                                              "duplicate of key present in binaryData"));
    }
  }
  CheckSize(bytes, &errors);
  return errors;
}

FieldErrors ValidateSecret(const v1::Secret& secret) {
  FieldErrors errors;
  internal::ValidateObjectMeta(secret.metadata(), "metadata", &errors);
  CheckSize(ValidateKeys(secret.data(), "data", &errors), &errors);
  ValidateSecretType(secret, &errors);
  return errors;
}

FieldErrors ValidateConfigMapUpdate(const v1::ConfigMap& config_map, const v1::ConfigMap& old) {
  FieldErrors errors = ValidateConfigMap(config_map);
  ValidateImmutableData(config_map, old, &errors);
  return errors;
}

FieldErrors ValidateSecretUpdate(const v1::Secret& secret, const v1::Secret& old) {
  FieldErrors errors = ValidateSecret(secret);
  if (secret.type() != old.type()) {
    errors.push_back(internal::InvalidError("type", Quote(secret.type()), "field is immutable"));
  }
  ValidateImmutableData(secret, old, &errors);
  return errors;
}

}  // namespace fleetset
