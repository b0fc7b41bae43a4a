// How kubectl shows things, so fleetsetctl and `fleetset-agent status`
// read the same as kubectl does: the AGE column, a pod's READY and STATUS
// columns, and a simple column-aligned table.
#pragma once

#include <chrono>
#include <ostream>
#include <string>
#include <vector>

#include "fleetset/v1/node.pb.h"

namespace fleetset {

// kubectl's human duration: "45s", "3m12s", "25m", "5h10m", "3d4h", "400d", "2y30d".
std::string FormatAge(std::chrono::seconds age);

// "1/1": ready containers over containers.
std::string PodReadyColumn(const v1::Pod& pod);
// kubectl's STATUS column: Running, ContainerCreating, CrashLoopBackOff,
// ErrImagePull, ImagePullBackOff, Init:0/2, Init:CrashLoopBackOff,
// PodInitializing, Terminating, Error, Completed, Pending.
std::string PodStatusColumn(const v1::Pod& pod);
// Sum of the containers' restart counts.
int PodRestarts(const v1::Pod& pod);

// Columns separated by three spaces, each as wide as its widest cell, as
// kubectl's printer aligns them.
void PrintTable(std::ostream& out, const std::vector<std::vector<std::string>>& rows);

}  // namespace fleetset
