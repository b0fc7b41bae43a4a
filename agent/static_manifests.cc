#include "agent/static_manifests.h"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <sstream>

#include "fleetset/manifest.h"
#include "fleetset/manifest_files.h"
#include "fleetset/revision.h"

namespace fleetset::agent {

bool StaticManifests::Scan() {
  std::vector<v1::ManifestProblem> problems;
  std::map<std::string, std::string> contents;
  std::map<std::string, std::vector<Workload>> good;
  std::error_code ec;
  if (std::filesystem::is_directory(directory_, ec)) {
    std::istringstream no_stdin;
    std::string error;
    auto files = ReadManifestFiles(directory_, /*recursive=*/false, no_stdin, &error);
    if (!files) {
      v1::ManifestProblem problem;
      problem.set_source(directory_);
      problem.add_errors(error);
      problems.push_back(problem);
      files.emplace();
    }
    for (const ManifestFile& file : *files) {
      contents[file.source] = file.text;
      auto unchanged = contents_.find(file.source);
      if (unchanged != contents_.end() && unchanged->second == file.text &&
          good_.count(file.source) != 0) {
        good[file.source] = good_[file.source];
        // Keep reporting the problems of an unchanged bad file.
        for (const v1::ManifestProblem& old : problems_) {
          if (old.source().rfind(file.source, 0) == 0) problems.push_back(old);
        }
        continue;
      }
      std::vector<Workload> workloads;
      bool file_ok = true;
      for (const LoadedDaemonSet& loaded : LoadDaemonSets(file.text, file.source)) {
        if (!loaded.ok()) {
          file_ok = false;
          v1::ManifestProblem problem;
          problem.set_source(loaded.source);
          for (const FieldError& field_error : loaded.errors)
            problem.add_errors(field_error.ToString());
          problems.push_back(problem);
          continue;
        }
        Workload workload;
        workload.owner = PodOwner::StaticManifest(loaded.daemon_set.metadata());
        workload.template_spec = loaded.daemon_set.spec().template_();
        workload.revision_hash = PodTemplateHash(workload.template_spec);
        workloads.push_back(std::move(workload));
      }
      if (file_ok) {
        good[file.source] = std::move(workloads);
      } else if (auto previous = good_.find(file.source); previous != good_.end()) {
        // Keep running what the file said when it was last valid.
        good[file.source] = previous->second;
        spdlog::warn("static manifest {} is invalid; keeping its last valid version", file.source);
      } else {
        spdlog::warn("static manifest {} is invalid", file.source);
      }
    }
  }
  const bool changed = contents != contents_ || problems.size() != problems_.size();
  good_ = std::move(good);
  contents_ = std::move(contents);
  problems_ = std::move(problems);
  return changed;
}

std::vector<Workload> StaticManifests::Workloads() const {
  std::vector<Workload> all;
  for (const auto& [source, workloads] : good_)
    all.insert(all.end(), workloads.begin(), workloads.end());
  return all;
}

}  // namespace fleetset::agent
