// Each volume type as kubectl's describe prints it: the type with its
// explanation, then the fields an operator looks for.
#include "volume_describer.h"

#include <string>

namespace fleetset::ctl {
namespace {

std::string BoolText(bool value) { return value ? "true" : "false"; }

void DescribeDownwardApiItems(
    TabWriter& w, const google::protobuf::RepeatedPtrField<v1::DownwardAPIVolumeFile>& items) {
  w.Write(0, "    Items:\n");
  for (const v1::DownwardAPIVolumeFile& item : items) {
    const std::string source =
        item.has_field_ref() ? item.field_ref().field_path() : item.resource_field_ref().resource();
    w.Write(0, "      " + source + " -> " + item.path() + "\n");
  }
}

void DescribeProjection(TabWriter& w, const v1::VolumeProjection& source) {
  if (source.has_secret()) {
    w.Write(0, "    SecretName:\t" + source.secret().name() + "\n    SecretOptionalName:\t" +
                   BoolText(source.secret().optional()) + "\n");
  } else if (source.has_downward_api()) {
    w.Write(0, "    DownwardAPI:\ttrue\n");
  } else if (source.has_config_map()) {
    w.Write(0, "    ConfigMapName:\t" + source.config_map().name() + "\n    ConfigMapOptional:\t" +
                   BoolText(source.config_map().optional()) + "\n");
  } else if (source.has_service_account_token()) {
    w.Write(0, "    TokenExpirationSeconds:\t" +
                   std::to_string(source.service_account_token().expiration_seconds()) + "\n");
  }
}

void DescribeVolume(TabWriter& w, const v1::Volume& volume) {
  if (volume.has_host_path()) {
    w.Write(2, "Type:\tHostPath (bare host directory volume)\n    Path:\t" +
                   volume.host_path().path() + "\n    HostPathType:\t" + volume.host_path().type() +
                   "\n");
  } else if (volume.has_empty_dir()) {
    const std::string& limit = volume.empty_dir().size_limit();
    w.Write(2,
            "Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n    Medium:\t" +
                volume.empty_dir().medium() + "\n    SizeLimit:\t" +
                (limit.empty() ? std::string("<unset>") : limit) + "\n");
  } else if (volume.has_config_map()) {
    w.Write(2, "Type:\tConfigMap (a volume populated by a ConfigMap)\n    Name:\t" +
                   volume.config_map().name() + "\n    Optional:\t" +
                   BoolText(volume.config_map().optional()) + "\n");
  } else if (volume.has_secret()) {
    w.Write(2, "Type:\tSecret (a volume populated by a Secret)\n    SecretName:\t" +
                   volume.secret().secret_name() + "\n    Optional:\t" +
                   BoolText(volume.secret().optional()) + "\n");
  } else if (volume.has_downward_api()) {
    w.Write(2, "Type:\tDownwardAPI (a volume populated by information about the pod)\n");
    DescribeDownwardApiItems(w, volume.downward_api().items());
  } else if (volume.has_projected()) {
    w.Write(2, "Type:\tProjected (a volume that contains injected data from multiple sources)\n");
    for (const v1::VolumeProjection& source : volume.projected().sources()) {
      DescribeProjection(w, source);
    }
  }
}

}  // namespace

void DescribeVolumes(TabWriter& w, const google::protobuf::RepeatedPtrField<v1::Volume>& volumes,
                     const std::string& space) {
  if (volumes.empty()) {
    w.Write(0, space + "Volumes:\t<none>\n");
    return;
  }
  w.Write(0, space + "Volumes:\n");
  const std::string name_indent = space.empty() ? "" : " ";
  for (const v1::Volume& volume : volumes) {
    w.Write(1, name_indent + volume.name() + ":\n");
    DescribeVolume(w, volume);
  }
}

}  // namespace fleetset::ctl
