// The real timers: Boost.Asio steady timers on the agent's io_context.
#pragma once

#include <boost/asio/io_context.hpp>

#include "agent/timer.h"

namespace fleetset::agent {

class AsioTimerFactory final : public TimerFactory {
 public:
  explicit AsioTimerFactory(boost::asio::io_context& io) : io_(io) {}
  std::unique_ptr<Timer> MakeTimer() override;

 private:
  boost::asio::io_context& io_;
};

}  // namespace fleetset::agent
