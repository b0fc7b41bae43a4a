#include "validation_messages.h"

#include <cstdio>

namespace fleetset::internal {
namespace {

// Enough for any valid name (253) to be shown whole.
constexpr size_t kMaxShownValueBytes = 256;

}  // namespace

std::string Quote(std::string_view value) {
  const bool cut = value.size() > kMaxShownValueBytes;
  if (cut) value = value.substr(0, kMaxShownValueBytes);
  std::string out = "\"";
  for (const char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20 || byte == 0x7f) {
      char escaped[8];
      std::snprintf(escaped, sizeof(escaped), "\\x%02x", byte);
      out += escaped;
    } else {
      out += c;
    }
  }
  out += cut ? "...\"" : "\"";
  return out;
}

std::string FormatLabelMap(const std::map<std::string, std::string>& labels) {
  std::string out = "map[";
  bool first = true;
  for (const auto& [key, value] : labels) {
    if (!first) out += ' ';
    first = false;
    out += key + ":" + value;
  }
  return out + "]";
}

FieldError RequiredError(std::string path, std::string_view detail) {
  std::string message = "Required value";
  if (!detail.empty()) message += ": " + std::string(detail);
  return {std::move(path), std::move(message)};
}

FieldError InvalidError(std::string path, std::string_view shown, std::string_view detail) {
  return {std::move(path), "Invalid value: " + std::string(shown) + ": " + std::string(detail)};
}

FieldError InvalidError(std::string path, int64_t value, std::string_view detail) {
  return InvalidError(std::move(path), std::to_string(value), detail);
}

FieldError UnsupportedError(std::string path, std::string_view value,
                            std::span<const std::string_view> supported) {
  std::string message = "Unsupported value " + Quote(value) + ": must be ";
  if (supported.size() > 1) message += "one of ";
  bool first = true;
  for (const std::string_view option : supported) {
    if (!first) message += ", ";
    first = false;
    message += Quote(option);
  }
  return {std::move(path), std::move(message)};
}

FieldError DuplicateError(std::string path, std::string_view shown) {
  return {std::move(path), "Duplicate value: " + std::string(shown)};
}

FieldError NotFoundError(std::string path, std::string_view value) {
  return {std::move(path), "Not found: " + Quote(value)};
}

FieldError ForbiddenError(std::string path, std::string_view detail) {
  return {std::move(path), "Forbidden: " + std::string(detail)};
}

FieldError TooLongError(std::string path, int64_t max_bytes) {
  return {std::move(path),
          "Too long: may not be more than " + std::to_string(max_bytes) + " bytes"};
}

void AppendInvalid(const std::string& path, std::string_view value,
                   const std::vector<std::string>& problems, FieldErrors* errors) {
  for (const std::string& problem : problems) {
    errors->push_back(InvalidError(path, Quote(value), problem));
  }
}

void Append(FieldErrors more, FieldErrors* errors) {
  for (FieldError& error : more) errors->push_back(std::move(error));
}

OneOf::OneOf(std::string path, std::string_view too_many, FieldErrors* errors)
    : path_(std::move(path)), too_many_(too_many), errors_(errors) {}

bool OneOf::Claim(bool present, std::string_view field) {
  if (!present) return false;
  if (present_++ == 0) return true;
  errors_->push_back(ForbiddenError(ChildPath(path_, std::string(field)), too_many_));
  return false;
}

void OneOf::RequireOne(std::string_view detail) const {
  if (present_ == 0) errors_->push_back(RequiredError(path_, detail));
}

}  // namespace fleetset::internal
