// The label selector syntax of kubectl -l, with the grammar of
// k8s.io/apimachinery/pkg/labels: requirements separated by commas, each
// `key`, `!key`, `key=v`, `key==v`, `key!=v`, `key in (a,b)`,
// `key notin (a)`, `key>n` or `key<n`.
#include <algorithm>
#include <charconv>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "fleetset/labels.h"
#include "fleetset/names.h"

namespace fleetset {
namespace {

enum class TokenKind {
  kIdentifier,
  kEnd,
  kComma,
  kEquals,     // = or ==
  kNotEquals,  // !=
  kBang,       // !
  kOpenParen,
  kCloseParen,
  kIn,
  kNotIn,
  kGreaterThan,
  kLessThan,
};

struct Token {
  TokenKind kind;
  std::string text;
  size_t offset;  // byte offset in the input, for error messages
};

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool IsSymbol(char c) {
  return c == '=' || c == '!' || c == '(' || c == ')' || c == ',' || c == '<' || c == '>';
}

std::vector<Token> Lex(std::string_view text) {
  std::vector<Token> tokens;
  size_t pos = 0;
  while (true) {
    while (pos < text.size() && IsSpace(text[pos])) ++pos;
    if (pos == text.size()) break;
    const size_t start = pos;
    const char c = text[pos];
    const bool followed_by_equals = pos + 1 < text.size() && text[pos + 1] == '=';
    if (IsSymbol(c)) {
      TokenKind kind = TokenKind::kComma;
      size_t length = 1;
      switch (c) {
        case '=':
          kind = TokenKind::kEquals;
          length = followed_by_equals ? 2 : 1;
          break;
        case '!':
          kind = followed_by_equals ? TokenKind::kNotEquals : TokenKind::kBang;
          length = followed_by_equals ? 2 : 1;
          break;
        case '(':
          kind = TokenKind::kOpenParen;
          break;
        case ')':
          kind = TokenKind::kCloseParen;
          break;
        case '<':
          kind = TokenKind::kLessThan;
          break;
        case '>':
          kind = TokenKind::kGreaterThan;
          break;
        default:
          break;
      }
      pos += length;
      tokens.push_back({kind, std::string(text.substr(start, length)), start});
      continue;
    }
    while (pos < text.size() && !IsSpace(text[pos]) && !IsSymbol(text[pos])) ++pos;
    std::string word(text.substr(start, pos - start));
    TokenKind kind = TokenKind::kIdentifier;
    if (word == "in") kind = TokenKind::kIn;
    if (word == "notin") kind = TokenKind::kNotIn;
    tokens.push_back({kind, std::move(word), start});
  }
  tokens.push_back({TokenKind::kEnd, "", text.size()});
  return tokens;
}

// Where a word is expected, the keywords are ordinary words ("in=notin").
bool IsWord(const Token& token) {
  return token.kind == TokenKind::kIdentifier || token.kind == TokenKind::kIn ||
         token.kind == TokenKind::kNotIn;
}

struct ParseError {
  std::string message;
};

class Parser {
 public:
  struct Requirement {
    std::string key;
    std::string op;
    std::vector<std::string> values;
  };

  explicit Parser(std::string_view text) : tokens_(Lex(text)) {}

  // Kubernetes' grammar; the first problem wins.
  std::optional<std::vector<Requirement>> Parse(std::string* error) {
    std::vector<Requirement> requirements;
    while (Peek().kind != TokenKind::kEnd) {
      if (!IsWord(Peek()) && Peek().kind != TokenKind::kBang) {
        Fail(error, Peek(), "!, identifier, or end of string");
        return std::nullopt;
      }
      auto requirement = ParseRequirement(error);
      if (!requirement) return std::nullopt;
      requirements.push_back(std::move(*requirement));
      const Token& separator = Next();
      if (separator.kind == TokenKind::kEnd) break;
      if (separator.kind != TokenKind::kComma) {
        Fail(error, separator, "',' or end of string");
        return std::nullopt;
      }
      if (!IsWord(Peek()) && Peek().kind != TokenKind::kBang) {
        Fail(error, Peek(), "identifier after ','");
        return std::nullopt;
      }
    }
    return requirements;
  }

 private:
  const Token& Peek() const { return tokens_[position_]; }
  const Token& Next() {
    const Token& token = tokens_[position_];
    if (token.kind != TokenKind::kEnd) ++position_;
    return token;
  }

  static std::string Describe(const Token& token) {
    return token.kind == TokenKind::kEnd ? "end of string" : "'" + token.text + "'";
  }
  static std::string Column(const Token& token) {
    return " at column " + std::to_string(token.offset + 1);
  }
  // Both return false so that parse steps can `return Fail(...)`; the
  // optional-returning ones turn that into nullopt.
  static bool Fail(std::string* error, const Token& token, const std::string& expected) {
    if (error != nullptr) {
      *error = "found " + Describe(token) + Column(token) + ", expected: " + expected;
    }
    return false;
  }
  static bool FailInvalid(std::string* error, const Token& token, const std::string& what,
                          const std::vector<std::string>& problems) {
    if (error != nullptr) {
      std::string joined;
      for (const std::string& problem : problems) joined += (joined.empty() ? "" : "; ") + problem;
      *error = "invalid " + what + " " + Describe(token) + Column(token) + ": " + joined;
    }
    return false;
  }

  std::optional<Requirement> ParseRequirement(std::string* error) {
    const bool negated = Peek().kind == TokenKind::kBang;
    if (negated) Next();
    const Token& key = Next();
    if (!IsWord(key)) {
      Fail(error, key, "identifier");
      return std::nullopt;
    }
    if (auto problems = CheckQualifiedName(key.text); !problems.empty()) {
      FailInvalid(error, key, "label key", problems);
      return std::nullopt;
    }
    if (negated) return Requirement{key.text, "!", {}};
    if (Peek().kind == TokenKind::kEnd || Peek().kind == TokenKind::kComma) {
      return Requirement{key.text, "exists", {}};
    }
    const Token& op_token = Next();
    std::string op;
    switch (op_token.kind) {
      case TokenKind::kEquals:
        op = "=";
        break;
      case TokenKind::kNotEquals:
        op = "!=";
        break;
      case TokenKind::kIn:
        op = "in";
        break;
      case TokenKind::kNotIn:
        op = "notin";
        break;
      case TokenKind::kGreaterThan:
        op = ">";
        break;
      case TokenKind::kLessThan:
        op = "<";
        break;
      default:
        Fail(error, op_token, "in, notin, =, ==, !=, >, <");
        return std::nullopt;
    }
    std::vector<const Token*> values;
    const bool set_operator = op == "in" || op == "notin";
    if (!(set_operator ? ParseValueList(&values, error) : ParseSingleValue(&values, error))) {
      return std::nullopt;
    }
    std::set<std::string> unique;
    for (const Token* value : values) {
      if (auto problems = CheckLabelValue(value->text); !problems.empty()) {
        FailInvalid(error, *value, "label value", problems);
        return std::nullopt;
      }
      int64_t ignored = 0;
      const std::string& text = value->text;
      if ((op == ">" || op == "<") &&
          std::from_chars(text.data(), text.data() + text.size(), ignored).ptr !=
              text.data() + text.size()) {
        FailInvalid(error, *value, "value", {"for '>' and '<' it must be an integer"});
        return std::nullopt;
      }
      unique.insert(text);
    }
    return Requirement{key.text, op, {unique.begin(), unique.end()}};
  }

  // `=`, `!=`, `>`, `<`: one word, or nothing (the empty value) before a
  // comma or the end.
  bool ParseSingleValue(std::vector<const Token*>* values, std::string* error) {
    if (Peek().kind == TokenKind::kEnd || Peek().kind == TokenKind::kComma) {
      values->push_back(&empty_);
      return true;
    }
    const Token& value = Next();
    if (!IsWord(value)) return Fail(error, value, "identifier");
    values->push_back(&value);
    return true;
  }

  // `(a,b)`; as in Kubernetes, an empty item ("()", "(a,)") is the empty
  // value.
  bool ParseValueList(std::vector<const Token*>* values, std::string* error) {
    const Token& open = Next();
    if (open.kind != TokenKind::kOpenParen) return Fail(error, open, "'('");
    bool expect_item = true;
    while (true) {
      const Token& token = Next();
      if (IsWord(token)) {
        if (!expect_item) return Fail(error, token, "',' or ')'");
        values->push_back(&token);
        expect_item = false;
      } else if (token.kind == TokenKind::kComma || token.kind == TokenKind::kCloseParen) {
        if (expect_item) values->push_back(&empty_);
        if (token.kind == TokenKind::kCloseParen) return true;
        expect_item = true;
      } else {
        return Fail(error, token, expect_item ? "',', ')' or identifier" : "',' or ')'");
      }
    }
  }

  std::vector<Token> tokens_;
  size_t position_ = 0;
  const Token empty_{TokenKind::kIdentifier, "", 0};
};

bool IntegerLabelCompare(const Labels& labels, const std::string& key, const std::string& bound,
                         bool greater) {
  const auto it = labels.find(key);
  if (it == labels.end()) return false;
  int64_t have = 0;
  int64_t want = 0;
  const std::string& text = it->second;
  if (std::from_chars(text.data(), text.data() + text.size(), have).ptr !=
      text.data() + text.size()) {
    return false;
  }
  std::from_chars(bound.data(), bound.data() + bound.size(), want);
  return greater ? have > want : have < want;
}

}  // namespace

std::optional<StringSelector> StringSelector::Parse(std::string_view text, std::string* error) {
  Parser parser(text);
  auto parsed = parser.Parse(error);
  if (!parsed) return std::nullopt;
  StringSelector selector;
  for (auto& requirement : *parsed) {
    selector.requirements_.push_back(
        {std::move(requirement.key), std::move(requirement.op), std::move(requirement.values)});
  }
  // Kubernetes sorts by key so that equal selectors print alike.
  std::stable_sort(selector.requirements_.begin(), selector.requirements_.end(),
                   [](const Requirement& a, const Requirement& b) { return a.key < b.key; });
  return selector;
}

bool StringSelector::Matches(const Labels& labels) const {
  for (const Requirement& requirement : requirements_) {
    const auto it = labels.find(requirement.key);
    const bool present = it != labels.end();
    const auto& values = requirement.values;
    const bool listed =
        present && std::find(values.begin(), values.end(), it->second) != values.end();
    const std::string& op = requirement.op;
    bool ok = false;
    if (op == "=" || op == "in") {
      ok = listed;
    } else if (op == "!=" || op == "notin") {
      ok = !listed;
    } else if (op == "exists") {
      ok = present;
    } else if (op == "!") {
      ok = !present;
    } else if (op == ">" || op == "<") {
      ok = IntegerLabelCompare(labels, requirement.key, values.front(), op == ">");
    }
    if (!ok) return false;
  }
  return true;
}

std::string StringSelector::ToString() const {
  std::string out;
  for (const Requirement& requirement : requirements_) {
    if (!out.empty()) out += ',';
    const std::string& op = requirement.op;
    if (op == "exists") {
      out += requirement.key;
    } else if (op == "!") {
      out += "!" + requirement.key;
    } else if (op == "in" || op == "notin") {
      std::string list;
      // Joined by position: an empty value must still get its comma.
      for (size_t i = 0; i < requirement.values.size(); ++i) {
        list += (i == 0 ? "" : ",") + requirement.values[i];
      }
      out += requirement.key + " " + op + " (" + list + ")";
    } else {
      out += requirement.key + op + requirement.values.front();
    }
  }
  return out;
}

}  // namespace fleetset
