// docs/cli.md against the real `fleetsetctl --help`: every verb the program
// has is documented in a section of its own, and every flag a verb's --help
// lists is named in that section. A flag added to the code without a word
// in the reference fails here.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "support/run_command.h"

namespace fleetset::testing {
namespace {

std::string Reference() {
  std::ifstream in(SourcePath("docs/cli.md"));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string Help(const std::vector<std::string>& verb) {
  std::vector<std::string> argv = {BuiltProgram("ctl/fleetsetctl")};
  argv.insert(argv.end(), verb.begin(), verb.end());
  argv.push_back("--help");
  CommandResult result = RunCommand(argv);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  return result.out;
}

// The names listed under "Subcommands:" in a --help text.
std::vector<std::string> Subcommands(const std::string& help) {
  std::vector<std::string> names;
  std::istringstream lines(help);
  std::string line;
  bool listing = false;
  while (std::getline(lines, line)) {
    if (line == "Subcommands:") {
      listing = true;
    } else if (listing && line.starts_with("  ") && line.size() > 2 && line[2] != ' ') {
      names.push_back(line.substr(2, line.find(' ', 2) - 2));
    } else if (listing && !line.starts_with("  ")) {
      listing = false;
    }
  }
  return names;
}

// The options a --help text lists (but --help itself): the long name and,
// when there is one, the short name ("--output", "-o").
std::map<std::string, std::string> Options(const std::string& help) {
  std::map<std::string, std::string> options;
  static const std::regex kOption(R"(^\s+(?:(-\w),)?(--[a-z][a-z0-9-]*))");
  std::istringstream lines(help);
  std::string line;
  while (std::getline(lines, line)) {
    std::smatch match;
    if (std::regex_search(line, match, kOption) && match[2] != "--help") {
      options[match[2]] = match[1];
    }
  }
  return options;
}

// Whether `text` names the option, by its long name or as its short flag
// standing alone ("-o wide", "[-A]", "`-w`").
bool Mentions(const std::string& text, const std::string& long_name,
              const std::string& short_name) {
  if (text.find(long_name) != std::string::npos) return true;
  if (short_name.empty()) return false;
  const std::regex alone("(^|[\\s`\\[|(])" + short_name + "($|[\\s`=\\]|)])");
  return std::regex_search(text, alone);
}

// The text of the "### ..." section whose heading names `verb` (as a whole
// word), up to the next heading; "" when there is none.
std::string SectionOf(const std::string& reference, const std::string& verb) {
  const std::regex heading("\n### [^\n]*\\b" + verb + "\\b[^\n]*\n");
  std::smatch match;
  if (!std::regex_search(reference, match, heading)) return "";
  const size_t start = static_cast<size_t>(match.position(0));
  const size_t end = reference.find("\n#", start + match.length(0));
  return reference.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

TEST(CliReference, EveryVerbAndEveryFlagOfItsHelpIsDocumented) {
  const std::string reference = Reference();
  ASSERT_FALSE(reference.empty());
  const std::vector<std::string> verbs = Subcommands(Help({}));
  ASSERT_GE(verbs.size(), 10u);
  for (const std::string& verb : verbs) {
    const std::string section = SectionOf(reference, verb);
    ASSERT_FALSE(section.empty()) << "docs/cli.md has no section for `" << verb << "`";
    const std::string help = Help({verb});
    std::vector<std::vector<std::string>> commands = {{verb}};
    for (const std::string& sub : Subcommands(help)) commands.push_back({verb, sub});
    for (const std::vector<std::string>& command : commands) {
      for (const auto& [long_name, short_name] : Options(Help(command))) {
        EXPECT_TRUE(Mentions(section, long_name, short_name))
            << "docs/cli.md's section on `" << verb << "` does not mention " << long_name
            << (short_name.empty() ? "" : " or " + short_name) << " (from fleetsetctl "
            << command.back() << " --help)";
      }
    }
  }
}

TEST(CliReference, GlobalFlagsAreDocumented) {
  const std::string reference = Reference();
  for (const auto& [long_name, short_name] : Options(Help({}))) {
    EXPECT_TRUE(Mentions(reference, long_name, short_name)) << long_name;
  }
}

}  // namespace
}  // namespace fleetset::testing
