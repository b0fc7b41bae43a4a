#include "agent/node_discovery.h"

#include <sys/utsname.h>

#include <fstream>
#include <sstream>

#include "fleetset/scheduling.h"
#include "fleetset/version.h"

namespace fleetset::agent {
namespace {

std::string ReadFirstLine(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

std::string OsPrettyName() {
  std::ifstream in("/etc/os-release");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("PRETTY_NAME=", 0) != 0) continue;
    std::string value = line.substr(12);
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    return value;
  }
  return "Linux";
}

}  // namespace

std::string KubernetesArch(const std::string& machine) {
  static const std::map<std::string, std::string> kNames = {
      {"x86_64", "amd64"},    {"aarch64", "arm64"}, {"armv7l", "arm"},
      {"armv6l", "arm"},      {"i686", "386"},      {"i386", "386"},
      {"ppc64le", "ppc64le"}, {"s390x", "s390x"},   {"riscv64", "riscv64"}};
  auto it = kNames.find(machine);
  return it == kNames.end() ? machine : it->second;
}

std::map<std::string, std::string> WellKnownLabels(const std::string& node_name) {
  utsname uts{};
  uname(&uts);
  return {
      {kLabelHostname, node_name}, {kLabelOs, "linux"}, {kLabelArch, KubernetesArch(uts.machine)}};
}

v1::NodeSystemInfo DiscoverSystemInfo() {
  utsname uts{};
  uname(&uts);
  v1::NodeSystemInfo info;
  info.set_kernel_version(uts.release);
  info.set_os_image(OsPrettyName());
  info.set_operating_system("linux");
  info.set_architecture(KubernetesArch(uts.machine));
  info.set_agent_version(std::string("v") + kVersion);
  info.set_machine_id(ReadFirstLine("/etc/machine-id"));
  info.set_boot_id(ReadFirstLine("/proc/sys/kernel/random/boot_id"));
  return info;
}

ResolvConf ParseResolvConf(const std::string& text) {
  ResolvConf conf;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::string keyword;
    words >> keyword;
    if (keyword.empty() || keyword[0] == '#' || keyword[0] == ';') continue;
    std::string word;
    if (keyword == "nameserver") {
      if (words >> word) conf.nameservers.push_back(word);
    } else if (keyword == "search" || keyword == "domain") {
      // The last search/domain line wins, as in the resolver.
      conf.searches.clear();
      while (words >> word) conf.searches.push_back(word);
    } else if (keyword == "options") {
      while (words >> word) conf.options.push_back(word);
    }
  }
  return conf;
}

ResolvConf ReadResolvConf(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return ParseResolvConf(text.str());
}

}  // namespace fleetset::agent
