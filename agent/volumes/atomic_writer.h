// kubelet's atomic writer (pkg/volume/util/atomic_writer.go): how the
// files of configMap, secret, downwardAPI and projected volumes are laid
// out so that a running container sees a new version all at once, never
// half of one.
//
// The files live in a hidden timestamped directory (..2026_12_05_10_00_00.
// 123456789), which the symlink ..data names; each top-level user-visible
// name is a symlink into ..data (conf -> ..data/conf). An update writes a
// new timestamped directory and renames a new symlink over ..data, which is
// atomic; then it drops the names no longer wanted and the old directory.
// Names starting with ".." are the writer's own.
#pragma once

#include <sys/types.h>

#include <map>
#include <optional>
#include <string>

namespace fleetset::agent {

inline constexpr char kDataDirLink[] = "..data";

// One file's contents and permission bits.
struct FileProjection {
  std::string data;
  mode_t mode = 0644;
};

// Files by path inside the volume ("config.yaml", "certs/ca.pem").
using FilePayload = std::map<std::string, FileProjection>;

// Why `path` cannot name a file in the volume, or "": it must be relative,
// without ".." elements, and not start with "..".
std::string CheckPayloadPath(const std::string& path);

// Makes the existing directory `target_dir` hold exactly `payload`. Writes
// nothing when the files already are as asked. With `fs_group`, the volume
// is group-owned by it and group-readable, as kubelet's volume ownership
// makes a read-only volume for a pod's securityContext.fsGroup. Returns why
// it could not, or "" (the previous version stays whole on failure). Never
// names file contents in its errors: they may be secrets.
std::string WriteAtomically(const std::string& target_dir, const FilePayload& payload,
                            std::optional<gid_t> fs_group);

}  // namespace fleetset::agent
