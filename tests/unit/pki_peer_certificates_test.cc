// Discovery's first step against a real gRPC TLS server: the chain it sends
// (leaf first, CA included), finding the CA by its pin, and the errors for
// a wrong pin, a closed port, a server that does not speak TLS and one that
// never answers.
#include "fleetset/pki/peer_certificates.h"

#include <gmock/gmock.h>
#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/x509.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <cctype>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "fleetset/pki/issuer.h"
#include "fleetset/pki/keys.h"
#include "fleetset/pki/pki_error.h"

#include "unit/pki_test_util.h"

namespace fleetset::testing {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using pki::Certificate;
using pki::FetchPeerCertificates;
using pki::FindPinnedCa;
using pki::PkiError;
using pki::PrivateKey;
using std::chrono::milliseconds;
using std::chrono::system_clock;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr milliseconds kTimeout{10000};

class PkiPeerCertificatesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const system_clock::time_point now = system_clock::now();
    pki::IssueOptions options;
    options.subject = {"fleetset-coordinator", {}};
    options.usage = pki::Usage::kServer;
    options.now = now;
    options.dns_names = {"localhost"};
    options.ip_addresses = {"127.0.0.1"};
    leaf_ = pki::IssueCertificate(ca_, ca_key_, server_key_.Public(), options);

    grpc::SslServerCredentialsOptions credentials(
        GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_BUT_DONT_VERIFY);
    credentials.pem_root_certs = ca_.ToPem();
    credentials.pem_key_cert_pairs.push_back({server_key_.ToPem(), leaf_->ToPem() + ca_.ToPem()});
    grpc::ServerBuilder builder;
    // A server needs something to serve; this one answers UNIMPLEMENTED.
    builder.RegisterCallbackGenericService(&service_);
    builder.AddListeningPort("127.0.0.1:0", grpc::SslServerCredentials(credentials), &port_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    ASSERT_NE(port_, 0);
    address_ = "127.0.0.1:" + std::to_string(port_);
  }

  void TearDown() override {
    if (server_) server_->Shutdown(system_clock::now());
  }

  PrivateKey ca_key_ = PrivateKey::GenerateEcP256();
  Certificate ca_ =
      pki::CreateSelfSignedCa(ca_key_, "fleetset-ca", system_clock::now(), std::chrono::hours(24));
  PrivateKey server_key_ = PrivateKey::GenerateEcP256();
  std::optional<Certificate> leaf_;
  int port_ = 0;
  grpc::CallbackGenericService service_;
  std::unique_ptr<grpc::Server> server_;
  std::string address_;
};

std::string Upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return text;
}

TEST_F(PkiPeerCertificatesTest, FetchesTheChainLeafFirst) {
  const std::vector<Certificate> chain = FetchPeerCertificates(address_, kTimeout);
  ASSERT_EQ(chain.size(), 2u);
  EXPECT_EQ(X509_cmp(chain[0].get(), leaf_->get()), 0);
  EXPECT_EQ(X509_cmp(chain[1].get(), ca_.get()), 0);
  EXPECT_EQ(ERR_peek_error(), 0u);
}

TEST_F(PkiPeerCertificatesTest, FetchesByHostName) {
  const std::vector<Certificate> chain =
      FetchPeerCertificates("localhost:" + std::to_string(port_), kTimeout);
  ASSERT_FALSE(chain.empty());
  EXPECT_EQ(chain[0].Info().subject.common_name, "fleetset-coordinator");
}

TEST_F(PkiPeerCertificatesTest, FindsTheCaByItsPin) {
  const std::vector<Certificate> chain = FetchPeerCertificates(address_, kTimeout);
  const std::string pin = ca_key_.Public().Pin();
  EXPECT_TRUE(FindPinnedCa(chain, pin).Key().SameAs(ca_key_.Public()));
  EXPECT_TRUE(FindPinnedCa(chain, "sha256:" + Upper(pin.substr(7))).Key().SameAs(ca_.Key()))
      << "the hex is compared without regard to case";
}

TEST_F(PkiPeerCertificatesTest, AnotherPinNamesTheCasActualPin) {
  const std::vector<Certificate> chain = FetchPeerCertificates(address_, kTimeout);
  const std::string other_pin = PrivateKey::GenerateEcP256().Public().Pin();
  EXPECT_EQ(ErrorOf([&] { FindPinnedCa(chain, other_pin); }),
            "the coordinator's CA does not match --discovery-token-ca-cert-hash (its CA has " +
                ca_key_.Public().Pin() + ")");
  // The leaf's own key is not a CA's, even when pinned.
  EXPECT_THAT(ErrorOf([&] { FindPinnedCa(chain, server_key_.Public().Pin()); }),
              StartsWith("the coordinator's CA does not match"));
}

TEST_F(PkiPeerCertificatesTest, ChainWithoutTheSigningCaHasNoCa) {
  const std::string pin = ca_key_.Public().Pin();
  EXPECT_EQ(ErrorOf([&] { FindPinnedCa({*leaf_}, pin); }),
            "the coordinator sent no CA certificate");
  // A CA that did not sign the leaf does not count, even with the pin.
  const PrivateKey other_key = PrivateKey::GenerateEcP256();
  const Certificate other_ca =
      pki::CreateSelfSignedCa(other_key, "fleetset-ca", system_clock::now(), std::chrono::hours(1));
  EXPECT_EQ(ErrorOf([&] {
              FindPinnedCa({*leaf_, other_ca}, other_key.Public().Pin());
            }),
            "the coordinator sent no CA certificate");
  EXPECT_EQ(ERR_peek_error(), 0u);
}

TEST_F(PkiPeerCertificatesTest, MalformedPinsAreRefused) {
  const std::vector<Certificate> chain{*leaf_, ca_};
  const std::string hex = ca_key_.Public().Pin().substr(7);
  for (const std::string& pin : {hex, "sha1:" + hex, "sha256:" + hex.substr(1),
                                 "sha256:" + hex + "0", "sha256:" + hex.substr(1) + "g"}) {
    EXPECT_EQ(ErrorOf([&] { FindPinnedCa(chain, pin); }),
              "--discovery-token-ca-cert-hash must be sha256:<64 hex digits>")
        << pin;
  }
}

TEST(PkiPeerCertificatesErrorsTest, ClosedPortIsNamed) {
  asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const std::string address = "127.0.0.1:" + std::to_string(acceptor.local_endpoint().port());
  acceptor.close();
  const std::string message = ErrorOf([&] { FetchPeerCertificates(address, kTimeout); });
  EXPECT_THAT(message, StartsWith("cannot fetch the certificates of " + address + ": "));
  EXPECT_THAT(message, HasSubstr("refused"));
}

TEST(PkiPeerCertificatesErrorsTest, ServerThatDoesNotSpeakTls) {
  asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const std::string address = "127.0.0.1:" + std::to_string(acceptor.local_endpoint().port());
  std::thread server([&] {
    tcp::socket socket = acceptor.accept();
    boost::system::error_code ignored;
    asio::write(socket, asio::buffer(std::string("HTTP/1.1 400 Bad Request\r\n\r\n")), ignored);
    socket.shutdown(tcp::socket::shutdown_both, ignored);
  });
  const std::string message = ErrorOf([&] { FetchPeerCertificates(address, kTimeout); });
  server.join();
  EXPECT_THAT(message, StartsWith("cannot fetch the certificates of " + address +
                                  ": TLS handshake failed: "));
  EXPECT_EQ(ERR_peek_error(), 0u);
}

TEST(PkiPeerCertificatesErrorsTest, ServerThatNeverAnswersTimesOut) {
  // The kernel completes the TCP handshake on the listening socket; nobody
  // ever reads the ClientHello.
  asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const std::string address = "127.0.0.1:" + std::to_string(acceptor.local_endpoint().port());
  EXPECT_EQ(ErrorOf([&] { FetchPeerCertificates(address, milliseconds(200)); }),
            "cannot fetch the certificates of " + address + ": timed out after 200 ms");
}

TEST(PkiPeerCertificatesErrorsTest, AddressesNeedAPort) {
  for (const std::string address : {"coordinator", "coordinator:", "::1:443", "[::1]443", "[::1",
                                    "coordinator:https", "coordinator:70000"}) {
    EXPECT_EQ(
        ErrorOf([&] { FetchPeerCertificates(address, kTimeout); }),
        "cannot fetch the certificates of " + address + ": expected host:port or [address]:port");
  }
}

TEST(PkiPeerCertificatesErrorsTest, BracketedIpv6AddressIsUnderstood) {
  // Whether or not the machine has IPv6, the address parses: the failure
  // is about connecting (refused, or no route), never about its form.
  const std::string address = "[::1]:1";
  const std::string error = ErrorOf([&] { FetchPeerCertificates(address, kTimeout); });
  EXPECT_THAT(error, StartsWith("cannot fetch the certificates of " + address + ": "));
  EXPECT_THAT(error, ::testing::Not(HasSubstr("expected host:port")));
}

}  // namespace
}  // namespace fleetset::testing
