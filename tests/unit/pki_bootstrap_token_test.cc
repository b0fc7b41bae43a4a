// Bootstrap tokens: their kubeadm format, what parses, the stored hash and
// the comparison used to check a presented secret.
#include "fleetset/pki/bootstrap_token.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>

namespace fleetset::testing {
namespace {

using pki::BootstrapToken;
using pki::ConstantTimeEquals;
using pki::GenerateBootstrapToken;
using pki::HashTokenSecret;
using pki::ParseBootstrapToken;

TEST(PkiBootstrapTokenTest, GeneratedTokensHaveTheFormatAndUseEveryCharacter) {
  const std::regex format("[a-z0-9]{6}\\.[a-z0-9]{16}");
  std::set<std::string> tokens;
  std::set<char> characters;
  for (int i = 0; i < 1000; ++i) {
    const BootstrapToken token = GenerateBootstrapToken();
    const std::string text = token.ToString();
    ASSERT_TRUE(std::regex_match(text, format)) << text;
    tokens.insert(text);
    characters.insert(text.begin(), text.end());
  }
  EXPECT_EQ(tokens.size(), 1000u) << "no token repeats";
  // 22,000 draws: a character that never shows up means a broken mapping.
  characters.erase('.');
  EXPECT_EQ(characters.size(), 36u);
}

TEST(PkiBootstrapTokenTest, ParsesExactlyTheFormat) {
  const std::optional<BootstrapToken> token = ParseBootstrapToken("abcdef.0123456789abcdef");
  ASSERT_TRUE(token.has_value());
  EXPECT_EQ(token->id, "abcdef");
  EXPECT_EQ(token->secret, "0123456789abcdef");
  EXPECT_EQ(token->ToString(), "abcdef.0123456789abcdef");

  const BootstrapToken generated = GenerateBootstrapToken();
  ASSERT_TRUE(ParseBootstrapToken(generated.ToString()).has_value());
  EXPECT_EQ(ParseBootstrapToken(generated.ToString())->secret, generated.secret);

  for (const char* bad : {
           "ABCDEF.0123456789abcdef",    // upper case
           "abcdef.0123456789ABCDEF",    // upper case secret
           "abcde.0123456789abcdef",     // short id
           "abcdefg.0123456789abcdef",   // long id
           "abcdef.0123456789abcde",     // short secret
           "abcdef.0123456789abcdef0",   // long secret
           "abcdef0123456789abcdef0",    // no dot, right length
           "abcdef:0123456789abcdef",    // wrong separator
           "abcdef.0123456789abcde-",    // other character
           "abcdef.0123456789abcde\n",   // trailing newline instead of a character
           " abcdef.0123456789abcdef",   // leading space
           "abcdef.0123456789abcdef\n",  // trailing newline
           "",
       }) {
    EXPECT_FALSE(ParseBootstrapToken(bad).has_value()) << '"' << bad << '"';
  }
}

TEST(PkiBootstrapTokenTest, HashIsSha256OfIdDotSecret) {
  const BootstrapToken token{"abcdef", "0123456789abcdef"};
  // printf 'abcdef.0123456789abcdef' | sha256sum
  EXPECT_EQ(HashTokenSecret(token),
            "sha256:a4b8b245ab28bc4f72dcaa0d9ba9f73d6488fa758a2a5cb55ecb11511f002f80");
  EXPECT_EQ(HashTokenSecret(token), HashTokenSecret(token));
  EXPECT_NE(HashTokenSecret(token), HashTokenSecret({"abcdef", "0123456789abcdeg"}));
  EXPECT_NE(HashTokenSecret(token), HashTokenSecret({"abcdeg", "0123456789abcdef"}));
}

TEST(PkiBootstrapTokenTest, ConstantTimeEquals) {
  EXPECT_TRUE(ConstantTimeEquals("sha256:abc", "sha256:abc"));
  EXPECT_FALSE(ConstantTimeEquals("sha256:abc", "sha256:abd"));
  EXPECT_FALSE(ConstantTimeEquals("sha256:abc", "sha256:ab"));
  EXPECT_FALSE(ConstantTimeEquals("", "a"));
  EXPECT_TRUE(ConstantTimeEquals("", ""));
}

}  // namespace
}  // namespace fleetset::testing
