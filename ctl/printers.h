// kubectl's `get` tables for DaemonSets, nodes and pods, and the column
// values they share with `describe`.
#pragma once

#include <google/protobuf/timestamp.pb.h>

#include <chrono>
#include <string>
#include <vector>

#include "fleetset/v1/auth.pb.h"
#include "fleetset/v1/coordinator.pb.h"
#include "fleetset/v1/daemonset.pb.h"
#include "fleetset/v1/node.pb.h"

namespace fleetset::ctl {

using TimePoint = std::chrono::system_clock::time_point;
using Rows = std::vector<std::vector<std::string>>;

struct TableOptions {
  // -o wide: the extra columns.
  bool wide = false;
  // -A: a NAMESPACE column first (namespaced types only).
  bool with_namespace = false;
  // false for the rows `get -w` prints after the first table.
  bool headers = true;
  TimePoint now = std::chrono::system_clock::now();
};

// The rows of a table: `header` (with NAMESPACE first under -A) unless
// headers are off, then `row_of(item)` for each item.
template <typename Item, typename RowFunction>
Rows MakeRows(const std::vector<Item>& items, const TableOptions& options,
              std::vector<std::string> header, RowFunction row_of) {
  Rows rows;
  if (options.headers) {
    if (options.with_namespace) header.insert(header.begin(), "NAMESPACE");
    rows.push_back(std::move(header));
  }
  for (const Item& item : items) {
    std::vector<std::string> row = row_of(item);
    if (options.with_namespace) row.insert(row.begin(), item.metadata().namespace_());
    rows.push_back(std::move(row));
  }
  return rows;
}

// kubectl's translateTimestampSince: FormatAge of now - t, "<unknown>"
// when t is unset.
std::string AgeColumn(const google::protobuf::Timestamp& timestamp, TimePoint now);
bool IsSet(const google::protobuf::Timestamp& timestamp);

// metav1.FormatLabelSelector: "app=x,tier in (a,b),!legacy", sorted by
// key; "<none>" when empty.
std::string FormatLabelSelector(const v1::LabelSelector& selector);

// "Ready", "NotReady", "Unknown", each with ",SchedulingDisabled" when
// cordoned.
std::string NodeStatusColumn(const v1::Node& node);
// Roles from node-role.kubernetes.io/<role> keys and kubernetes.io/role
// values, sorted; empty when none.
std::vector<std::string> NodeRoles(const v1::Node& node);
// The address of the given type ("InternalIP"), "<none>" when absent.
std::string NodeAddress(const v1::Node& node, const std::string& type);

// kubectl's STATUS (Terminating when a deletion is under way) and RESTARTS
// ("3 (5m ago)" when a container last restarted at a known time).
std::string PodStatus(const v1::Pod& pod);
std::string PodRestartsColumn(const v1::Pod& pod, TimePoint now);

Rows TableRows(const std::vector<v1::DaemonSet>& items, const TableOptions& options);
Rows TableRows(const std::vector<v1::Node>& items, const TableOptions& options);
Rows TableRows(const std::vector<v1::Pod>& items, const TableOptions& options);
// NAME, ROLE, EXPIRES (RFC 3339), AGE.
Rows TableRows(const std::vector<v1::User>& items, const TableOptions& options);

// `-o name`: "daemonset.apps/x", "node/x", "pod/x".
std::string NameLine(const v1::DaemonSet& item);
std::string NameLine(const v1::Node& item);
std::string NameLine(const v1::Pod& item);
std::string NameLine(const v1::User& item);
// NAME, ADDRESS, STATUS (alive or unreachable), LEADER, VERSION, STORE (ok
// or unavailable) and AGE, as `nomad server members` lists servers.
Rows TableRows(const std::vector<v1::Coordinator>& items, const TableOptions& options);
std::string NameLine(const v1::Coordinator& item);

}  // namespace fleetset::ctl
