#include "yaml_stream.h"

#include <sstream>
#include <string_view>

#include <yaml-cpp/eventhandler.h>

namespace fleetset::internal {
namespace {

// A stream has at most one document per "---" or "..." marker plus the
// first one; more than that means the parser is no longer advancing.
size_t MaxDocuments(std::string_view text) {
  size_t markers = 0;
  for (std::string_view marker : {"---", "..."}) {
    for (size_t at = text.find(marker); at != std::string_view::npos;
         at = text.find(marker, at + marker.size())) {
      ++markers;
    }
  }
  return markers + 1;
}

// Counts documents without building them, so a runaway parse is stopped
// before it consumes memory.
class DocumentCounter : public YAML::EventHandler {
 public:
  explicit DocumentCounter(size_t limit) : limit_(limit) {}

  void OnDocumentStart(const YAML::Mark& mark) override {
    if (++documents_ > limit_) throw YAML::ParserException(mark, "unexpected token");
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}

 private:
  size_t limit_;
  size_t documents_ = 0;
};

}  // namespace

std::vector<YAML::Node> LoadYamlDocuments(const std::string& text) {
  // A cheap event-only pass first; LoadAll itself offers no way to stop.
  std::istringstream input(text);
  YAML::Parser parser(input);
  DocumentCounter counter(MaxDocuments(text));
  while (parser.HandleNextDocument(counter)) {
  }
  return YAML::LoadAll(text);
}

}  // namespace fleetset::internal
