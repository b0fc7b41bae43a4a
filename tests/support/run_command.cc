#include "support/run_command.h"

#include <boost/asio/io_context.hpp>
#include <boost/process.hpp>

#include <future>

namespace fleetset::testing {

namespace bp = boost::process;

CommandResult RunCommand(const std::vector<std::string>& argv, const std::string& input) {
  boost::asio::io_context context;
  std::future<std::string> out;
  std::future<std::string> err;
  // Asynchronous pipes so a child that fills one pipe while we wait on the
  // other cannot deadlock.
  // The redirection operators confuse clang-format into template syntax.
  // clang-format off
  bp::child child(bp::exe = argv.at(0),
                  bp::args = std::vector<std::string>(argv.begin() + 1, argv.end()),
                  bp::std_in < bp::buffer(input), bp::std_out > out, bp::std_err > err, context);
  // clang-format on
  context.run();
  child.wait();
  return CommandResult{child.exit_code(), out.get(), err.get()};
}

std::string BuiltProgram(const std::string& relative_path) {
  return std::string(FLEETSET_BINARY_DIR) + "/" + relative_path;
}

std::string SourcePath(const std::string& relative_path) {
  return std::string(FLEETSET_SOURCE_DIR) + "/" + relative_path;
}

}  // namespace fleetset::testing
