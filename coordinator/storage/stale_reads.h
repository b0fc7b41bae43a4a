// A read a store answered from its own copy because it could not reach
// its quorum (kube-apiserver's watch cache answers such reads too). The
// store notes it on the reading thread; the front end serving the request
// opens a scope around it and tells the caller the answer may be stale.
#pragma once

#include <string>

namespace fleetset::coordinator::storage {

// Called by a store that answered from its copy; `why` is the error the
// quorum read failed with. Does nothing outside a StaleReadScope.
void NoteStaleRead(const std::string& why);

// Collects the stale reads made on this thread while it lives (scopes
// nest; the innermost collects).
class StaleReadScope {
 public:
  StaleReadScope();
  ~StaleReadScope();
  StaleReadScope(const StaleReadScope&) = delete;
  StaleReadScope& operator=(const StaleReadScope&) = delete;

  bool stale() const { return !why_.empty(); }
  // The first stale read's error.
  const std::string& why() const { return why_; }

 private:
  friend void NoteStaleRead(const std::string& why);
  StaleReadScope* outer_;
  std::string why_;
};

}  // namespace fleetset::coordinator::storage
