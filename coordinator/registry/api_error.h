// The registry's errors, in Kubernetes' terms (StatusReason), with the
// wording kube-apiserver and kubectl use. Everything below the front ends
// reports failures this way; only the front ends turn them into a wire
// status (see frontend/grpc_status.h), so another front end (a REST API)
// can map the same reasons to HTTP codes.
#pragma once

#include <stdexcept>
#include <string>

#include "fleetset/field_error.h"

namespace fleetset::coordinator {

class ApiError : public std::runtime_error {
 public:
  enum class Reason {
    kNotFound,
    kAlreadyExists,
    // A stale resourceVersion (optimistic concurrency), HTTP 409.
    kConflict,
    // The object failed validation; causes() lists every field.
    kInvalid,
    kBadRequest,
    // Well formed, but the object is not in a state that allows it (a
    // label already set without --overwrite, a revision that is not
    // there): what kubectl checks on the client and prints as "error: ...".
    kPrecondition,
    // The caller could not be authenticated (HTTP 401): no, a bad or a
    // revoked certificate, or a bad bootstrap token.
    kUnauthorized,
    kForbidden,
    // A watch from a resourceVersion older than the history kept (410).
    kGone,
    // The store cannot be reached or failed.
    kUnavailable,
    kInternal,
  };

  ApiError(Reason reason, std::string message, FieldErrors causes = {})
      : std::runtime_error(message), reason_(reason), causes_(std::move(causes)) {}

  Reason reason() const { return reason_; }
  const FieldErrors& causes() const { return causes_; }

  // `resource` is the plural resource with its group: "daemonsets.apps",
  // "nodes", "pods".
  static ApiError NotFound(const std::string& resource, const std::string& name);
  static ApiError AlreadyExists(const std::string& resource, const std::string& name);
  // kube-apiserver's "Operation cannot be fulfilled on ..." for a write
  // that named an older resourceVersion than the stored one.
  static ApiError Conflict(const std::string& resource, const std::string& name);
  // "The DaemonSet "x" is invalid: [path: reason, ...]", as kubectl prints
  // the API server's message.
  static ApiError Invalid(const std::string& kind, const std::string& name, FieldErrors causes);
  static ApiError BadRequest(std::string message) {
    return {Reason::kBadRequest, std::move(message)};
  }
  static ApiError Precondition(std::string message) {
    return {Reason::kPrecondition, std::move(message)};
  }
  static ApiError Unauthorized(std::string message) {
    return {Reason::kUnauthorized, std::move(message)};
  }
  static ApiError Forbidden(std::string message) {
    return {Reason::kForbidden, std::move(message)};
  }
  // "too old resource version: 5 (17)".
  static ApiError Gone(int64_t requested, int64_t oldest);
  static ApiError Unavailable(std::string message) {
    return {Reason::kUnavailable, std::move(message)};
  }
  static ApiError Internal(std::string message) { return {Reason::kInternal, std::move(message)}; }

 private:
  Reason reason_;
  FieldErrors causes_;
};

// Checks an object name (DNS-1123 subdomain) given in a request field.
FieldErrors CheckObjectName(const std::string& path, const std::string& name);

}  // namespace fleetset::coordinator
