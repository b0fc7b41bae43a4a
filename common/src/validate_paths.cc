// File system path rules shared by volumes, mounts and containers.
#include <algorithm>

#include "validation_internal.h"

namespace fleetset::internal {

std::vector<std::string> CheckAbsolutePath(std::string_view value) {
  if (value.empty() || value.front() != '/') return {"must be an absolute path"};
  return {};
}

std::vector<std::string> CheckNoBacksteps(std::string_view value) {
  // Only a whole ".." element climbs out; "a..b" is an ordinary name.
  size_t start = 0;
  while (start <= value.size()) {
    const size_t end = std::min(value.find('/', start), value.size());
    if (value.substr(start, end - start) == "..") return {"must not contain '..'"};
    start = end + 1;
  }
  return {};
}

std::vector<std::string> CheckRelativeDescendingPath(std::string_view value) {
  std::vector<std::string> problems;
  if (!value.empty() && value.front() == '/') problems.push_back("must be a relative path");
  for (std::string& problem : CheckNoBacksteps(value)) problems.push_back(std::move(problem));
  return problems;
}

std::vector<std::string> CheckLocalNonReservedPath(std::string_view value) {
  std::vector<std::string> problems = CheckRelativeDescendingPath(value);
  // ".." alone or "../x" is already reported as a '..' element.
  if (value.starts_with("..") && value != ".." && !value.starts_with("../")) {
    problems.push_back("must not start with '..'");
  }
  return problems;
}

}  // namespace fleetset::internal
