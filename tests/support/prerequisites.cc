#include "support/prerequisites.h"

#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string_view>
#include <vector>

namespace fleetset::testing {
namespace {

bool IsExecutable(const std::string& path) { return access(path.c_str(), X_OK) == 0; }

// Looks `name` up in PATH plus the sbin directories, which a non-login root
// shell may lack but where Debian puts runc.
bool OnPath(const std::string& name) {
  std::string path = std::getenv("PATH") != nullptr ? std::getenv("PATH") : "";
  path += ":/usr/local/sbin:/usr/sbin:/sbin:/usr/bin:/bin";
  std::stringstream dirs(path);
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (!dir.empty() && IsExecutable(dir + "/" + name)) return true;
  }
  return false;
}

// Each entry: the check, and what to tell a person who lacks it.
struct Requirement {
  bool present;
  std::string_view hint;
};

std::string Describe(const std::vector<Requirement>& requirements) {
  std::string missing;
  for (const Requirement& requirement : requirements) {
    if (requirement.present) continue;
    if (!missing.empty()) missing += "; ";
    missing += requirement.hint;
  }
  return missing;
}

}  // namespace

std::string MissingContainerdPrerequisites() {
  return Describe({
      {geteuid() == 0, "must run as root (containerd needs it)"},
      {IsExecutable("/usr/bin/containerd"), "/usr/bin/containerd (apt install containerd)"},
      {OnPath("containerd-shim-runc-v2"), "containerd-shim-runc-v2 (apt install containerd)"},
      {OnPath("ctr"), "ctr (apt install containerd)"},
      {OnPath("runc"), "runc (apt install runc)"},
      {IsExecutable("/usr/lib/cni/bridge"),
       "CNI plugins (apt install containernetworking-plugins)"},
      {IsExecutable("/bin/busybox"), "/bin/busybox (apt install busybox-static)"},
      {OnPath("umoci"), "umoci (apt install umoci)"},
      {OnPath("skopeo"), "skopeo (apt install skopeo)"},
      {OnPath("ip"), "ip (apt install iproute2)"},
  });
}

std::string MissingRegistryPrerequisites() {
  return Describe({
      {OnPath("docker-registry"), "docker-registry (apt install docker-registry)"},
      {OnPath("curl"), "curl (apt install curl)"},
  });
}

bool RunningInCi() {
  const char* ci = std::getenv("CI");
  if (ci == nullptr) return false;
  const std::string_view value(ci);
  return value == "true" || value == "TRUE" || value == "True" || value == "1";
}

void AnnounceSkip(const std::string& test_name, const std::string& missing) {
  std::cerr << "\n*** SKIPPED (missing prerequisite): " << test_name << ": " << missing
            << "\n*** Set CI=true to turn this skip into a failure.\n"
            << std::endl;
}

}  // namespace fleetset::testing
