// Builders for validation errors, so that every message of one kind reads
// the same way wherever it is raised. The wording follows Kubernetes'
// field.Error bodies ("Required value", "Invalid value: ...", ...), with
// fleetset's own form for unsupported enumeration values
// (`Unsupported value "Never": must be "Always"`).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fleetset/field_error.h"

namespace fleetset::internal {

// Kubernetes' detail for negative counts and durations.
inline constexpr char kMustBeNonNegative[] = "must be greater than or equal to 0";

// A string value as it appears in a message: double-quoted, with quotes,
// backslashes and control characters escaped. Long values are cut (with
// "...") because objects arrive from untrusted peers and a megabyte-long
// bad name must not be echoed into every message.
std::string Quote(std::string_view value);

// A label map as Kubernetes prints one: map[k1:v1 k2:v2], keys sorted.
std::string FormatLabelMap(const std::map<std::string, std::string>& labels);

// "Required value" or "Required value: <detail>".
FieldError RequiredError(std::string path, std::string_view detail = {});
// "Invalid value: <shown>: <detail>"; `shown` is already formatted (a
// Quote()d string, a number, a map).
FieldError InvalidError(std::string path, std::string_view shown, std::string_view detail);
FieldError InvalidError(std::string path, int64_t value, std::string_view detail);
// `Unsupported value "X": must be "A"`, or `... must be one of "A", "B"`.
FieldError UnsupportedError(std::string path, std::string_view value,
                            std::span<const std::string_view> supported);
inline FieldError UnsupportedError(std::string path, std::string_view value,
                                   std::initializer_list<std::string_view> supported) {
  return UnsupportedError(std::move(path), value,
                          std::span<const std::string_view>(supported.begin(), supported.size()));
}
// `Duplicate value: <shown>`.
FieldError DuplicateError(std::string path, std::string_view shown);
// `Not found: "X"`.
FieldError NotFoundError(std::string path, std::string_view value);
// "Forbidden: <detail>".
FieldError ForbiddenError(std::string path, std::string_view detail);
// "Too long: may not be more than N bytes".
FieldError TooLongError(std::string path, int64_t max_bytes);

// One Invalid error per problem reported by a syntax checker (names.h), as
// Kubernetes does, so each reason is its own line.
void AppendInvalid(const std::string& path, std::string_view value,
                   const std::vector<std::string>& problems, FieldErrors* errors);

// Appends `more` to `errors`.
void Append(FieldErrors more, FieldErrors* errors);

// The members of one of Kubernetes' one-ofs (a volume's source, a probe's
// handler ...), met in turn: the first one present is the one to validate;
// every further one is reported where it is written, as Forbidden with
// `too_many`.
class OneOf {
 public:
  OneOf(std::string path, std::string_view too_many, FieldErrors* errors);
  // Whether the member `field` is present and the first one met.
  bool Claim(bool present, std::string_view field);
  // "Required value: <detail>" at the path when no member was present.
  void RequireOne(std::string_view detail) const;

 private:
  std::string path_;
  std::string_view too_many_;
  FieldErrors* errors_;
  int present_ = 0;
};

}  // namespace fleetset::internal
