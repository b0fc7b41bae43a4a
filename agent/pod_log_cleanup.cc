#include "agent/pod_log_cleanup.h"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "agent/desired_state_cache.h"
#include "agent/pod_identity.h"

namespace fleetset::agent {
namespace {

namespace fs = std::filesystem;

// A UID names a file of the ledger: nothing that could leave it.
bool UsableUid(const std::string& uid) {
  return !uid.empty() && uid != "." && uid != ".." && uid.find('/') == std::string::npos;
}

// A pod log directory ends in "_<uid>": an entry naming anything else (a
// damaged ledger) is not acted on.
bool IsPodLogDirectoryOf(const std::string& directory, const std::string& uid) {
  const std::string name = fs::path(directory).filename().string();
  return fs::path(directory).is_absolute() && name.size() > uid.size() + 1 &&
         name.ends_with("_" + uid);
}

// The directory an entry file holds; empty when there is none.
std::string ReadEntry(const fs::path& path) {
  std::ifstream in(path);
  std::string directory;
  std::getline(in, directory);
  return directory;
}

bool RemoveDirectory(const std::string& uid, const std::string& directory) {
  if (directory.empty()) return true;
  if (!IsPodLogDirectoryOf(directory, uid)) {
    spdlog::warn("pod {}: not removing {}: not a log directory of that pod", uid, directory);
    return true;
  }
  std::error_code ec;
  fs::remove_all(directory, ec);
  if (ec) {
    spdlog::warn("pod {}: cannot remove its log directory {}: {}", uid, directory, ec.message());
    return false;
  }
  return true;
}

}  // namespace

PodLogLedger::PodLogLedger(std::string directory) : directory_(std::move(directory)) {}

bool PodLogLedger::Record(const std::string& uid, const std::string& log_directory,
                          std::string* error) const {
  if (!UsableUid(uid)) {
    *error = "pod UID \"" + uid + "\" cannot name a ledger entry";
    return false;
  }
  const std::string path = directory_ + "/" + uid;
  std::error_code ec;
  if (fs::exists(path, ec)) return true;
  // Atomic and synced: an entry is either whole or absent after a crash.
  return WriteFileAtomically(path, log_directory + "\n", error);
}

bool PodLogLedger::RemovePodLogs(const std::string& uid, const std::string& known) const {
  if (!UsableUid(uid)) return false;
  const std::string path = directory_ + "/" + uid;
  const std::string recorded = ReadEntry(path);
  bool ok = RemoveDirectory(uid, known);
  if (recorded != known) ok = RemoveDirectory(uid, recorded) && ok;
  if (!ok) return false;
  std::error_code ec;
  fs::remove(path, ec);
  return true;
}

std::map<std::string, std::string> PodLogLedger::Entries() const {
  std::map<std::string, std::string> entries;
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator(directory_, ec)) {
    const std::string uid = entry.path().filename().string();
    // WriteFileAtomically's temporary files are not entries.
    if (!entry.is_regular_file(ec) || uid.starts_with(".") || uid.ends_with(".tmp")) continue;
    if (std::string directory = ReadEntry(entry.path()); !directory.empty()) {
      entries[uid] = directory;
    }
  }
  return entries;
}

int CleanUpStalePodLogs(CriRuntime& runtime, const PodLogLedger& ledger) {
  const std::map<std::string, std::string> entries = ledger.Entries();
  if (entries.empty()) return 0;
  cri::ListPodSandboxRequest list;
  (*list.mutable_filter()->mutable_label_selector())[kManagedByLabel] = kManagedByValue;
  cri::ListPodSandboxResponse listed;
  if (grpc::Status status = runtime.ListPodSandbox(list, &listed); !status.ok()) {
    spdlog::warn("not cleaning up pod log directories: cannot list sandboxes: {}",
                 status.error_message());
    return 0;
  }
  std::set<std::string> live;
  for (const cri::PodSandbox& sandbox : listed.items()) {
    auto uid = sandbox.labels().find(kPodUidLabel);
    live.insert(uid != sandbox.labels().end() ? uid->second : sandbox.metadata().uid());
  }
  int removed = 0;
  for (const auto& [uid, directory] : entries) {
    if (live.count(uid) != 0) continue;
    if (ledger.RemovePodLogs(uid)) {
      spdlog::info("removed the log directory {} of pod {}, which no longer runs", directory, uid);
      ++removed;
    }
  }
  return removed;
}

}  // namespace fleetset::agent
