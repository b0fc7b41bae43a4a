// Go's text/tabwriter as kubectl's describe configures it (minwidth 0,
// padding 2, pad with spaces), with kubectl's PrefixWriter levels on top.
// Cells are tab-terminated; a column is aligned over each run of
// consecutive lines that have a cell in it, so describe's sections line up
// (and break) exactly where kubectl's do.
#pragma once

#include <ostream>
#include <string>
#include <string_view>

namespace fleetset::ctl {

class TabWriter {
 public:
  explicit TabWriter(std::ostream& out, size_t min_width = 0, size_t padding = 2)
      : out_(out), min_width_(min_width), padding_(padding) {}
  TabWriter(const TabWriter&) = delete;
  TabWriter& operator=(const TabWriter&) = delete;
  ~TabWriter() { Flush(); }

  // Appends `text` indented by two spaces per level (kubectl's LEVEL_0..3).
  void Write(int level, std::string_view text);
  // Formats and writes everything buffered; later text aligns separately.
  void Flush();

 private:
  std::ostream& out_;
  size_t min_width_;
  size_t padding_;
  std::string buffer_;
};

}  // namespace fleetset::ctl
