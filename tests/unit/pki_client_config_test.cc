// fleetsetctl's config file: written and read back, inline or as files,
// and base64 that is not base64 refused as such (never a crash: the
// coordinator reads an admin.conf it finds on disk).
#include "fleetset/pki/client_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fleetset/pki/pki_error.h"
#include "unit/pki_test_util.h"

namespace fleetset::pki {
namespace {

using ::testing::HasSubstr;

TEST(PkiClientConfigTest, RendersAndReadsBackEveryField) {
  const ClientConfig config{{"10.0.0.1:7400", "10.0.0.2:7400"}, "ca pem", "cert pem", "key pem"};
  const ClientConfig read = ParseClientConfig(RenderClientConfig(config), "/tmp/config.yaml");
  EXPECT_EQ(read.servers, config.servers);
  EXPECT_EQ(read.ca_pem, "ca pem");
  EXPECT_EQ(read.certificate_pem, "cert pem");
  EXPECT_EQ(read.key_pem, "key pem");
  EXPECT_EQ(ParseClientConfig("server: a:1\n", "/c").servers, std::vector<std::string>{"a:1"});
}

TEST(PkiClientConfigTest, Base64RoundTripsAndRefusesWhatIsNot) {
  for (const std::string& data : {std::string(), std::string("a"), std::string("ab"),
                                  std::string("abc"), std::string("\0\xff\x10", 3)}) {
    EXPECT_EQ(Base64Decode(Base64Encode(data)), data);
  }
  // Padding alone, or more than two '=', once overflowed the length.
  for (const char* bad : {"====", "AAAA====", "A===", "abc", "!!!!"}) {
    EXPECT_THROW(Base64Decode(bad), PkiError) << bad;
  }
  EXPECT_THAT(
      testing::ErrorOf([] { ParseClientConfig("client-key-data: \"====\"\n", "/etc/c.yaml"); }),
      HasSubstr("/etc/c.yaml: client-key-data: not base64"));
}

}  // namespace
}  // namespace fleetset::pki
