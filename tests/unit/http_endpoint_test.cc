#include "daemon/http_endpoint.h"
#include "support/http_get.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>

namespace fleetset {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// Five seconds: a server that neither answers nor closes fails the test.
std::string Exchange(int port, const std::string& request, bool half_close = true) {
  return fleetset::testing::HttpExchange(port, request, half_close, 5);
}

std::string Get(int port, const std::string& path) {
  return Exchange(port, "GET " + path + " HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n");
}

std::string Body(const std::string& response) {
  const size_t end = response.find("\r\n\r\n");
  return end == std::string::npos ? "" : response.substr(end + 4);
}

class HttpEndpointTest : public ::testing::Test {
 protected:
  void SetUp() override { Start(HttpEndpointOptions{}); }

  void Start(HttpEndpointOptions options) {
    endpoint_.reset();
    options.address = "127.0.0.1:0";
    options.metrics = [this] {
      ++scrapes_;
      return std::string("# TYPE up gauge\nup 1\n");
    };
    options.health = [this] {
      std::lock_guard lock(mu_);
      return health_;
    };
    std::string error;
    endpoint_ = HttpEndpoint::Start(std::move(options), &error);
    ASSERT_NE(endpoint_, nullptr) << error;
    ASSERT_GT(endpoint_->port(), 0);
  }

  void SetHealth(HealthResult health) {
    std::lock_guard lock(mu_);
    health_ = std::move(health);
  }

  int port() const { return endpoint_->port(); }

  std::unique_ptr<HttpEndpoint> endpoint_;
  std::atomic<int> scrapes_{0};
  std::mutex mu_;
  HealthResult health_;
};

TEST_F(HttpEndpointTest, ServesMetricsInTheTextFormat) {
  const std::string response = Get(port(), "/metrics");
  EXPECT_THAT(response, StartsWith("HTTP/1.1 200 OK\r\n"));
  EXPECT_THAT(response, HasSubstr("Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"));
  EXPECT_EQ(Body(response), "# TYPE up gauge\nup 1\n");
  EXPECT_EQ(scrapes_.load(), 1);
  // A query string does not change the path.
  EXPECT_THAT(Get(port(), "/metrics?name[]=up"), StartsWith("HTTP/1.1 200 OK\r\n"));
}

TEST_F(HttpEndpointTest, HealthzFollowsTheHealthCheck) {
  std::string response = Get(port(), "/healthz");
  EXPECT_THAT(response, StartsWith("HTTP/1.1 200 OK\r\n"));
  EXPECT_EQ(Body(response), "ok\n");
  SetHealth({false, "the event loop has not run for 12s"});
  response = Get(port(), "/healthz");
  EXPECT_THAT(response, StartsWith("HTTP/1.1 503 Service Unavailable\r\n"));
  EXPECT_EQ(Body(response), "the event loop has not run for 12s\n");
  // Without a readiness check of its own, /readyz is /healthz.
  EXPECT_THAT(Get(port(), "/readyz"), StartsWith("HTTP/1.1 503"));
  SetHealth({});
  EXPECT_THAT(Get(port(), "/readyz"), StartsWith("HTTP/1.1 200"));
}

TEST_F(HttpEndpointTest, ReadyzUsesItsOwnCheckWhenGiven) {
  HttpEndpointOptions options;
  options.ready = [] { return HealthResult{false, "not yet"}; };
  Start(std::move(options));
  EXPECT_THAT(Get(port(), "/healthz"), StartsWith("HTTP/1.1 200"));
  const std::string response = Get(port(), "/readyz");
  EXPECT_THAT(response, StartsWith("HTTP/1.1 503"));
  EXPECT_EQ(Body(response), "not yet\n");
}

TEST_F(HttpEndpointTest, UnknownPathsAre404AndOtherMethods405) {
  EXPECT_THAT(Get(port(), "/"), StartsWith("HTTP/1.1 404 Not Found\r\n"));
  EXPECT_THAT(Get(port(), "/metrics/extra"), StartsWith("HTTP/1.1 404"));
  const std::string post = Exchange(
      port(),
      "POST /metrics HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi");
  EXPECT_THAT(post, StartsWith("HTTP/1.1 405 Method Not Allowed\r\n"));
  EXPECT_THAT(post, HasSubstr("Allow: GET\r\n"));
  EXPECT_THAT(Exchange(port(), "DELETE /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"),
              StartsWith("HTTP/1.1 405"));
  EXPECT_EQ(scrapes_.load(), 0);
}

TEST_F(HttpEndpointTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  const std::string response =
      Exchange(port(),
               "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n"
               "GET /metrics HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  EXPECT_THAT(response, StartsWith("HTTP/1.1 200 OK\r\n"));
  EXPECT_THAT(response, HasSubstr("up 1\n"));
}

TEST_F(HttpEndpointTest, MalformedRequestsGet400AndTheServerKeepsServing) {
  EXPECT_THAT(Exchange(port(), "GARBAGE\r\n\r\n"), StartsWith("HTTP/1.1 400 Bad Request\r\n"));
  EXPECT_THAT(Exchange(port(), std::string("GET /\0x HTTP/1.1\r\n\r\n", 19)),
              StartsWith("HTTP/1.1 400"));
  EXPECT_THAT(Exchange(port(), "GET /metrics HTTP/1.1\r\nContent-Length: nope\r\n\r\n"),
              StartsWith("HTTP/1.1 400"));
  // Half a request, then the client stops sending.
  EXPECT_THAT(Exchange(port(), "GET /metr"), StartsWith("HTTP/1.1 400"));
  EXPECT_THAT(Get(port(), "/metrics"), StartsWith("HTTP/1.1 200"));
}

TEST_F(HttpEndpointTest, OversizedRequestsAreRefusedAndTheServerKeepsServing) {
  // Headers far beyond the limit: 431, or the connection is cut while the
  // client is still sending.
  const std::string huge_header =
      "GET /metrics HTTP/1.1\r\nHost: t\r\nX-Big: " + std::string(1 << 20, 'a') + "\r\n\r\n";
  const std::string response = Exchange(port(), huge_header);
  if (!response.empty()) {
    EXPECT_THAT(response, StartsWith("HTTP/1.1 431"));
  }
  // A huge target alone.
  const std::string long_target =
      Exchange(port(), "GET /" + std::string(100000, 'x') + " HTTP/1.1\r\n\r\n");
  if (!long_target.empty()) {
    EXPECT_THAT(long_target, StartsWith("HTTP/1.1 431"));
  }
  // A body announced larger than allowed is refused before it is read.
  EXPECT_THAT(
      Exchange(port(), "POST /metrics HTTP/1.1\r\nHost: t\r\nContent-Length: 1000000000\r\n\r\n"),
      StartsWith("HTTP/1.1 413"));
  EXPECT_EQ(scrapes_.load(), 0);
  EXPECT_THAT(Get(port(), "/metrics"), StartsWith("HTTP/1.1 200"));
}

TEST_F(HttpEndpointTest, SilentAndTricklingConnectionsAreClosed) {
  HttpEndpointOptions options;
  options.idle_timeout = std::chrono::milliseconds(300);
  Start(std::move(options));
  const auto start = std::chrono::steady_clock::now();
  // Nothing sent: the server closes without an answer.
  EXPECT_EQ(Exchange(port(), "", false), "");
  // Half a request that never ends.
  EXPECT_EQ(Exchange(port(), "GET /metrics HTTP/1.1\r\nHost:", false), "");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(4));
  EXPECT_THAT(Get(port(), "/healthz"), StartsWith("HTTP/1.1 200"));
}

TEST_F(HttpEndpointTest, StopEndsServing) {
  const int bound = port();
  endpoint_->Stop();
  endpoint_->Stop();                      // idempotent
  EXPECT_EQ(Get(bound, "/healthz"), "");  // nothing answers
}

TEST(HttpEndpointStartTest, ReportsBadAndBusyAddresses) {
  std::string error;
  HttpEndpointOptions options;
  options.address = "no-port";
  EXPECT_EQ(HttpEndpoint::Start(options, &error), nullptr);
  EXPECT_THAT(error, HasSubstr("\"no-port\": must be HOST:PORT"));
  options.address = "127.0.0.1:99999";
  EXPECT_EQ(HttpEndpoint::Start(options, &error), nullptr);
  EXPECT_THAT(error, HasSubstr("port must be a number from 0 to 65535"));

  options.address = "127.0.0.1:0";
  std::unique_ptr<HttpEndpoint> first = HttpEndpoint::Start(options, &error);
  ASSERT_NE(first, nullptr) << error;
  options.address = "127.0.0.1:" + std::to_string(first->port());
  EXPECT_EQ(HttpEndpoint::Start(options, &error), nullptr);
  EXPECT_THAT(error, HasSubstr("cannot listen on " + options.address));

  options.address = "[::1]:0";
  std::unique_ptr<HttpEndpoint> v6 = HttpEndpoint::Start(options, &error);
  if (v6 == nullptr) GTEST_SKIP() << "no IPv6 loopback: " << error;
  EXPECT_GT(v6->port(), 0);
}

TEST(StartDaemonEndpointTest, ErrorsNameTheFlag) {
  std::string error;
  HttpEndpointOptions options;
  options.address = "127.0.0.1:0";
  std::unique_ptr<HttpEndpoint> first = StartDaemonEndpoint("--metrics-listen", options, &error);
  ASSERT_NE(first, nullptr) << error;
  options.address = "127.0.0.1:" + std::to_string(first->port());
  EXPECT_EQ(StartDaemonEndpoint("--metrics-listen", options, &error), nullptr);
  EXPECT_THAT(error, StartsWith("--metrics-listen: cannot listen on " + options.address + ": "));
}

}  // namespace
}  // namespace fleetset
