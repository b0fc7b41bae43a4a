// fleetsetctl: the operator's command line, shaped like kubectl.
#include <grpc/support/log.h>

#include <iostream>
#include <string>
#include <vector>

#include "app.h"

int main(int argc, char** argv) {
  // gRPC's own log lines ("Handshake failed ...") would come before the one
  // line fleetsetctl prints for a failed call, which already says why.
  gpr_set_log_function([](gpr_log_func_args*) {});
  fleetset::ctl::Io io{std::cin, std::cout, std::cerr};
  return fleetset::ctl::RunCtl(std::vector<std::string>(argv + 1, argv + argc), io);
}
