// Environment variables: env with its sources and envFrom (Kubernetes'
// ValidateEnv, validateEnvVarValueFrom, ValidateEnvFrom). The downward API
// selectors are in validate_downward_api.cc.
#include "fleetset/names.h"
#include "validation_internal.h"
#include "validation_messages.h"

namespace fleetset::internal {
namespace {

// The name of a ConfigMap or Secret in the pod's namespace.
void ValidateObjectName(const std::string& name, const std::string& path, FieldErrors* errors) {
  if (name.empty()) {
    errors->push_back(RequiredError(path));
  } else {
    AppendInvalid(path, name, CheckDns1123Subdomain(name), errors);
  }
}

// configMapKeyRef and secretKeyRef.
void ValidateKeySelector(const v1::ObjectKeySelector& selector, const std::string& path,
                         FieldErrors* errors) {
  ValidateObjectName(selector.name(), ChildPath(path, "name"), errors);
  const std::string key_path = ChildPath(path, "key");
  if (selector.key().empty()) {
    errors->push_back(RequiredError(key_path));
  } else {
    AppendInvalid(key_path, selector.key(), CheckConfigMapKey(selector.key()), errors);
  }
}

void ValidateValueFrom(const v1::EnvVar& var, const std::string& path, FieldErrors* errors) {
  if (!var.has_value_from()) return;
  const v1::EnvVarSource& source = var.value_from();
  int sources = 0;
  if (source.has_field_ref()) {
    ++sources;
    ValidateObjectFieldSelector(source.field_ref(), DownwardApiUse::kEnv,
                                ChildPath(path, "fieldRef"), errors);
  }
  if (source.has_resource_field_ref()) {
    ++sources;
    ValidateResourceFieldSelector(source.resource_field_ref(), DownwardApiUse::kEnv,
                                  ChildPath(path, "resourceFieldRef"), errors);
  }
  if (source.has_config_map_key_ref()) {
    ++sources;
    ValidateKeySelector(source.config_map_key_ref(), ChildPath(path, "configMapKeyRef"), errors);
  }
  if (source.has_secret_key_ref()) {
    ++sources;
    ValidateKeySelector(source.secret_key_ref(), ChildPath(path, "secretKeyRef"), errors);
  }
  if (sources == 0) {
    errors->push_back(RequiredError(path,
                                    "must specify one of: `fieldRef`, `resourceFieldRef`, "
                                    "`configMapKeyRef` or `secretKeyRef`"));
  } else if (!var.value().empty()) {
    errors->push_back(ForbiddenError(path, "may not be specified when `value` is not empty"));
  } else if (sources > 1) {
    errors->push_back(ForbiddenError(path, "may not have more than one field specified at a time"));
  }
}

}  // namespace

void ValidateEnv(const Repeated<v1::EnvVar>& env, const std::string& path, FieldErrors* errors) {
  for (int i = 0; i < env.size(); ++i) {
    const v1::EnvVar& var = env[i];
    const std::string var_path = IndexPath(path, i);
    const std::string name_path = ChildPath(var_path, "name");
    if (var.name().empty()) {
      errors->push_back(RequiredError(name_path));
    } else {
      AppendInvalid(name_path, var.name(), CheckEnvVarName(var.name()), errors);
    }
    ValidateValueFrom(var, ChildPath(var_path, "valueFrom"), errors);
  }
}

void ValidateEnvFrom(const Repeated<v1::EnvFromSource>& sources, const std::string& path,
                     FieldErrors* errors) {
  for (int i = 0; i < sources.size(); ++i) {
    const v1::EnvFromSource& source = sources[i];
    const std::string source_path = IndexPath(path, i);
    // Every variable's name starts with the prefix, so it must start one.
    if (!source.prefix().empty()) {
      AppendInvalid(ChildPath(source_path, "prefix"), source.prefix(),
                    CheckEnvVarName(source.prefix()), errors);
    }
    int refs = 0;
    if (source.has_config_map_ref()) {
      ++refs;
      ValidateObjectName(source.config_map_ref().name(),
                         ChildPath(source_path, "configMapRef.name"), errors);
    }
    if (source.has_secret_ref()) {
      ++refs;
      ValidateObjectName(source.secret_ref().name(), ChildPath(source_path, "secretRef.name"),
                         errors);
    }
    if (refs == 0) {
      errors->push_back(
          RequiredError(source_path, "must specify one of: `configMapRef` or `secretRef`"));
    } else if (refs > 1) {
      errors->push_back(
          ForbiddenError(source_path, "may not have more than one field specified at a time"));
    }
  }
}

}  // namespace fleetset::internal
