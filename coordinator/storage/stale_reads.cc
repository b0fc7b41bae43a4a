#include "coordinator/storage/stale_reads.h"

namespace fleetset::coordinator::storage {

namespace {

thread_local StaleReadScope* current_scope = nullptr;

}  // namespace

StaleReadScope::StaleReadScope() : outer_(current_scope) { current_scope = this; }

StaleReadScope::~StaleReadScope() { current_scope = outer_; }

void NoteStaleRead(const std::string& why) {
  if (current_scope != nullptr && current_scope->why_.empty()) current_scope->why_ = why;
}

}  // namespace fleetset::coordinator::storage
