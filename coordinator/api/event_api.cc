#include "coordinator/api/event_api.h"

#include "coordinator/controllers/event_recorder.h"

namespace fleetset::coordinator {

std::vector<v1::Event> EventApi::List(const Caller&, const std::string& involved_object,
                                      int32_t limit) {
  if (limit < 0) throw ApiError::BadRequest("limit: must be non-negative");
  ListOptions options;
  if (!involved_object.empty()) {
    options.namespace_ = EventNamespace(involved_object);
    options.field_selector = "involvedObject=" + involved_object;
  }
  std::vector<v1::Event> events = registries_.events.List(options).items;
  SortEventsByTime(events);
  if (limit > 0 && events.size() > static_cast<size_t>(limit)) {
    events.erase(events.begin(), events.end() - limit);
  }
  return events;
}

}  // namespace fleetset::coordinator
