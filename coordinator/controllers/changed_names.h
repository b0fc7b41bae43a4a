// The names of the objects that changed since a controller's pass last
// looked, so that the pass reads those again instead of everything.
// Informers' handlers note names on the store's thread; the pass takes
// them on its own. Nothing is noted before the first Take: the pass reads
// everything then, and a coordinator that never leads keeps no names.
#pragma once

#include <mutex>
#include <set>
#include <string>
#include <utility>

namespace fleetset::coordinator {

class ChangedNames {
 public:
  // Any thread; one insert under a lock, never blocks on a pass.
  void Note(const std::string& name) {
    std::lock_guard lock(mu_);
    if (taken_) names_.insert(name);
  }

  // The names noted since the last Take. A name noted from here on is in
  // the next Take as well, so none is lost between taking the names and
  // reading the caches.
  std::set<std::string> Take() {
    std::lock_guard lock(mu_);
    taken_ = true;
    return std::exchange(names_, {});
  }

 private:
  std::mutex mu_;
  std::set<std::string> names_;
  bool taken_ = false;
};

}  // namespace fleetset::coordinator
