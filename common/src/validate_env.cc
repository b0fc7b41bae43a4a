// Environment variables (Kubernetes' ValidateEnv). The downward API
// selectors they may use are in validate_downward_api.cc.
#include "fleetset/names.h"
#include "validation_internal.h"
#include "validation_messages.h"

namespace fleetset::internal {
namespace {

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
  if (sources == 0) {
    errors->push_back(RequiredError(path, "must specify one of: `fieldRef` or `resourceFieldRef`"));
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

}  // namespace fleetset::internal
