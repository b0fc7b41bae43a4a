// The last desired state received from a coordinator, kept on disk so that
// after a reboot with the coordinator unreachable the node still runs its
// daemons. Written atomically: a crash leaves the old or the new copy,
// never a torn one.
#pragma once

#include <optional>
#include <string>

#include "fleetset/v1/agent_service.pb.h"

namespace fleetset::agent {

class DesiredStateCache {
 public:
  explicit DesiredStateCache(std::string path) : path_(std::move(path)) {}

  // nullopt when there is no cache; a corrupt file is reported in *error
  // and treated as absent.
  std::optional<v1::DesiredState> Load(std::string* error = nullptr) const;
  // Write to a temporary file, fsync it, rename over the old copy, fsync the
  // directory. Returns false with *error on failure (the old copy stays).
  bool Save(const v1::DesiredState& state, std::string* error = nullptr) const;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// The same atomic write, for any file the agent keeps (status file too).
bool WriteFileAtomically(const std::string& path, const std::string& contents, std::string* error);

}  // namespace fleetset::agent
