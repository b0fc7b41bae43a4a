// fleetsetctl: the operator's command line, shaped like kubectl.
#include <iostream>
#include <string>
#include <vector>

#include "app.h"

int main(int argc, char** argv) {
  fleetset::ctl::Io io{std::cin, std::cout, std::cerr};
  return fleetset::ctl::RunCtl(std::vector<std::string>(argv + 1, argv + argc), io);
}
