// A kind's rules, as kube-apiserver's REST strategies give them to its
// generic store: defaults and server-set fields, validation, what an update
// may change, and the fields a field selector can name. The registry does
// the rest (names, uid, timestamps, resourceVersion, concurrency) the same
// way for every kind.
#pragma once

#include "coordinator/registry/field_selector.h"
#include "coordinator/registry/resource.h"
#include "fleetset/field_error.h"

namespace fleetset::coordinator {

template <typename T>
class Strategy {
 public:
  virtual ~Strategy() = default;

  virtual const ResourceInfo& Info() const = 0;

  // A new object: defaults, generation 1, status cleared where the kind's
  // status is not the client's to set.
  virtual void PrepareForCreate(T& /*object*/) const {}
  // Every problem, each with its field path.
  virtual FieldErrors Validate(const T& object) const = 0;

  // An update of the object: keeps from `old` what this path may not
  // change (the status), and bumps metadata.generation when the spec
  // changed.
  virtual void PrepareForUpdate(T& /*object*/, const T& /*old*/) const {}
  // Validation of an update: Validate plus what may never change.
  virtual FieldErrors ValidateUpdate(const T& object, const T& /*old*/) const {
    return Validate(object);
  }

  // An update of the status subresource: everything but the status comes
  // from `old`. Kinds without a status subresource keep the default.
  virtual void PrepareForStatusUpdate(T& /*object*/, const T& /*old*/) const {}

  // The name an object is stored under: metadata.name, except for kinds
  // whose names are not unique within a namespace (pods, named by their
  // agents independently, are stored under their uid).
  virtual std::string StorageName(const T& object) const { return object.metadata().name(); }

  // The kind's selectable fields besides metadata.name and
  // metadata.namespace (which every kind has).
  virtual void AddSelectableFields(const T& /*object*/, Fields& /*fields*/) const {}
};

}  // namespace fleetset::coordinator
