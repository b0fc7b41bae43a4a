#include "agent/volumes/mount_points.h"

#include <sys/mount.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace fleetset::agent {

std::vector<std::string> MountsUnder(const std::string& dir) {
  std::vector<std::string> mounts;
  std::ifstream mountinfo("/proc/self/mountinfo");
  std::string line;
  while (std::getline(mountinfo, line)) {
    std::istringstream fields(line);
    std::string mount_point;
    for (int i = 0; i < 5; ++i) fields >> mount_point;
    if (mount_point == dir || mount_point.starts_with(dir + "/")) mounts.push_back(mount_point);
  }
  std::sort(mounts.begin(), mounts.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  return mounts;
}

void UnmountUnder(const std::string& dir) {
  for (const std::string& mount_point : MountsUnder(dir)) {
    ::umount2(mount_point.c_str(), MNT_DETACH);
  }
}

std::string EnsureTmpfs(const std::string& dir, const std::string& options) {
  if (!MountsUnder(dir).empty()) return "";
  if (::mount("tmpfs", dir.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, options.c_str()) != 0) {
    return "cannot mount tmpfs on " + dir + ": " + std::strerror(errno);
  }
  return "";
}

}  // namespace fleetset::agent
