#include "tabwriter.h"

#include <algorithm>
#include <vector>

namespace fleetset::ctl {
namespace {

using Line = std::vector<std::string>;

// Width in characters: UTF-8 continuation bytes do not count.
size_t DisplayWidth(const std::string& text) {
  return static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

std::vector<Line> SplitCells(const std::string& text) {
  std::vector<Line> lines(1);
  lines.back().emplace_back();
  for (char c : text) {
    if (c == '\n') {
      lines.emplace_back();
      lines.back().emplace_back();
    } else if (c == '\t') {
      lines.back().emplace_back();
    } else {
      lines.back().back() += c;
    }
  }
  return lines;
}

class Formatter {
 public:
  Formatter(const std::vector<Line>& lines, size_t min_width, size_t padding, std::string& out)
      : lines_(lines), min_width_(min_width), padding_(padding), out_(out) {}

  // A transcription of tabwriter.Writer.format: find each block of lines
  // that have a cell in the current column, size the column to its widest
  // cell, and recurse into the next column within that block.
  void Format(size_t line0, size_t line1) {
    const size_t column = widths_.size();
    for (size_t current = line0; current < line1; ++current) {
      if (column + 1 >= lines_[current].size()) continue;
      WriteLines(line0, current);
      line0 = current;
      size_t width = min_width_;
      for (; current < line1; ++current) {
        if (column + 1 >= lines_[current].size()) break;
        width = std::max(width, DisplayWidth(lines_[current][column]) + padding_);
      }
      widths_.push_back(width);
      Format(line0, current);
      widths_.pop_back();
      line0 = current;
      if (current == line1) break;
    }
    WriteLines(line0, line1);
  }

 private:
  void WriteLines(size_t line0, size_t line1) {
    for (size_t i = line0; i < line1; ++i) {
      const Line& line = lines_[i];
      for (size_t j = 0; j < line.size(); ++j) {
        out_ += line[j];
        if (j < widths_.size()) {
          const size_t width = DisplayWidth(line[j]);
          if (widths_[j] > width) out_.append(widths_[j] - width, ' ');
        }
      }
      // The last line is the unterminated remainder: no newline after it.
      if (i + 1 < lines_.size()) out_ += '\n';
    }
  }

  const std::vector<Line>& lines_;
  size_t min_width_;
  size_t padding_;
  std::string& out_;
  std::vector<size_t> widths_;
};

}  // namespace

void TabWriter::Write(int level, std::string_view text) {
  buffer_.append(static_cast<size_t>(level) * 2, ' ');
  buffer_ += text;
}

void TabWriter::Flush() {
  if (buffer_.empty()) return;
  const std::vector<Line> lines = SplitCells(buffer_);
  std::string formatted;
  Formatter(lines, min_width_, padding_, formatted).Format(0, lines.size());
  out_ << formatted;
  buffer_.clear();
}

}  // namespace fleetset::ctl
