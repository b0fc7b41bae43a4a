#include "node_change_args.h"

#include <algorithm>
#include <set>
#include <utility>

#include "fleetset/names.h"
#include "fleetset/scheduling.h"
#include "fleetset/strings.h"
#include "fleetset/taint_effect.h"

namespace fleetset::ctl {
namespace {

std::vector<std::string> Split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t at = text.find(separator); at != std::string::npos;
       at = text.find(separator, start)) {
    parts.push_back(text.substr(start, at - start));
    start = at + 1;
  }
  parts.push_back(text.substr(start));
  return parts;
}

bool IsLabelChange(const std::string& arg) {
  return arg.find('=') != std::string::npos || arg.ends_with("-");
}

bool IsTaintChange(const std::string& arg) {
  return IsLabelChange(arg) || arg.find(':') != std::string::npos;
}

// kubectl's parseTaint: "<key>=<value>:<effect>", "<key>:<effect>" or "<key>".
std::optional<v1::Taint> ParseOneTaint(const std::string& spec, std::string* error) {
  const std::vector<std::string> parts = Split(spec, ':');
  std::string key;
  std::string value;
  std::string effect;
  if (parts.size() == 1) {
    key = parts[0];
  } else if (parts.size() == 2) {
    effect = parts[1];
    if (!IsTaintEffect(effect)) {
      *error = "invalid taint effect: " + effect + ", unsupported taint effect";
      return std::nullopt;
    }
    const std::vector<std::string> key_value = Split(parts[0], '=');
    if (key_value.size() > 2) {
      *error = "invalid taint spec: " + spec;
      return std::nullopt;
    }
    key = key_value[0];
    if (key_value.size() == 2) {
      value = key_value[1];
      if (auto problems = CheckLabelValue(value); !problems.empty()) {
        *error = "invalid taint spec: " + spec + ", " + Join(problems, "; ");
        return std::nullopt;
      }
    }
  } else {
    *error = "invalid taint spec: " + spec;
    return std::nullopt;
  }
  if (auto problems = CheckQualifiedName(key); !problems.empty()) {
    *error = "invalid taint spec: " + spec + ", " + Join(problems, "; ");
    return std::nullopt;
  }
  v1::Taint taint;
  taint.set_key(key);
  taint.set_value(value);
  taint.set_effect(effect);
  return taint;
}

}  // namespace

std::optional<SplitArgs> SplitResourcesAndChanges(const std::vector<std::string>& args,
                                                  const std::string& what, std::string* error) {
  SplitArgs split;
  for (const std::string& arg : args) {
    const bool is_change = what == "taint" ? IsTaintChange(arg) : IsLabelChange(arg);
    if (is_change) {
      split.changes.push_back(arg);
    } else if (!split.changes.empty()) {
      *error = "all resources must be specified before " + what + " changes: " + arg;
      return std::nullopt;
    } else {
      split.resources.push_back(arg);
    }
  }
  if (split.resources.empty()) {
    *error = "one or more resources must be specified as <resource> <name> or <resource>/<name>";
    return std::nullopt;
  }
  return split;
}

std::optional<LabelChanges> ParseLabelChanges(const std::vector<std::string>& changes,
                                              std::string* error) {
  LabelChanges parsed;
  for (const std::string& spec : changes) {
    if (spec.find('=') != std::string::npos) {
      const std::vector<std::string> parts = Split(spec, '=');
      if (parts.size() != 2) {
        *error = "invalid label spec: " + spec;
        return std::nullopt;
      }
      if (auto problems = CheckLabelValue(parts[1]); !problems.empty()) {
        *error = "invalid label value: \"" + spec + "\": " + Join(problems, ";");
        return std::nullopt;
      }
      parsed.set[parts[0]] = parts[1];
    } else if (spec.ends_with("-")) {
      parsed.remove.push_back(spec.substr(0, spec.size() - 1));
    } else {
      *error = "unknown label spec: " + spec;
      return std::nullopt;
    }
  }
  for (const std::string& key : parsed.remove) {
    if (parsed.set.contains(key)) {
      *error = "can not both modify and remove a label in the same command";
      return std::nullopt;
    }
  }
  if (parsed.set.empty() && parsed.remove.empty()) {
    *error = "at least one label update is required";
    return std::nullopt;
  }
  return parsed;
}

std::optional<TaintChanges> ParseTaintChanges(const std::vector<std::string>& changes,
                                              std::string* error) {
  TaintChanges parsed;
  std::set<std::pair<std::string, std::string>> seen;  // (effect, key)
  for (const std::string& spec : changes) {
    if (spec.ends_with("-")) {
      auto taint = ParseOneTaint(spec.substr(0, spec.size() - 1), error);
      if (!taint) return std::nullopt;
      taint->clear_value();
      parsed.remove.push_back(std::move(*taint));
      continue;
    }
    auto taint = ParseOneTaint(spec, error);
    if (!taint) return std::nullopt;
    if (taint->effect().empty()) {
      *error = "invalid taint spec: " + spec;
      return std::nullopt;
    }
    if (!seen.emplace(taint->effect(), taint->key()).second) {
      *error = "duplicated taints with the same key and effect: " + FormatTaint(*taint);
      return std::nullopt;
    }
    parsed.add.push_back(std::move(*taint));
  }
  if (parsed.add.empty() && parsed.remove.empty()) {
    *error = "at least one taint update is required";
    return std::nullopt;
  }
  return parsed;
}

}  // namespace fleetset::ctl
