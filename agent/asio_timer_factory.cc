#include "agent/asio_timer_factory.h"

#include <boost/asio/steady_timer.hpp>

namespace fleetset::agent {
namespace {

class AsioTimer final : public Timer {
 public:
  explicit AsioTimer(boost::asio::io_context& io) : timer_(io) {}

  void Arm(std::chrono::steady_clock::duration delay, std::function<void()> fire) override {
    timer_.expires_after(delay);
    // A cancelled wait (re-armed, cancelled, destroyed) completes with an
    // error and must not fire.
    timer_.async_wait([fire = std::move(fire)](boost::system::error_code ec) {
      if (!ec) fire();
    });
  }
  void Cancel() override { timer_.cancel(); }

 private:
  boost::asio::steady_timer timer_;
};

}  // namespace

std::unique_ptr<Timer> AsioTimerFactory::MakeTimer() { return std::make_unique<AsioTimer>(io_); }

}  // namespace fleetset::agent
