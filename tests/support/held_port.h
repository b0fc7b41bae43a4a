// A loopback TCP port this test holds (bound and listening), for checking
// what a program does when the address it is given is taken.
#pragma once

namespace fleetset::testing {

class HeldPort {
 public:
  HeldPort();
  ~HeldPort();
  HeldPort(const HeldPort&) = delete;
  HeldPort& operator=(const HeldPort&) = delete;

  // 0 if the port could not be taken.
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

}  // namespace fleetset::testing
