//===- Lexer.cpp - splits a .weir buffer into tokens --------------------===//
#include "frontend/Lexer.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <cstdlib>

using namespace weir::frontend;
using llvm::StringRef;

namespace {
class Lexer {
public:
  explicit Lexer(StringRef buffer)
      // A UTF-8 byte order mark, as some editors write, is not content.
      : cur(buffer.begin() + (buffer.starts_with("\xEF\xBB\xBF") ? 3 : 0)),
        end(buffer.end()) {}

  std::vector<Token> run();

private:
  Token make(Tok kind, const char *start) {
    Token t;
    t.kind = kind;
    t.text = StringRef(start, cur - start);
    return t;
  }
  Token error(const char *start, std::string message) {
    Token t = make(Tok::error, start);
    t.value = std::move(message);
    return t;
  }
  Token lexNumber(const char *start);
  Token lexString(const char *start);
  Token lexIdent(const char *start);

  const char *cur;
  const char *end;
  /// The open brackets: a newline inside ( ) or [ ] does not end a statement.
  std::vector<char> open;
};
} // namespace

static bool isIdentStart(char c) { return llvm::isAlpha(c) || c == '_'; }
static bool isIdentChar(char c) { return llvm::isAlnum(c) || c == '_'; }

std::vector<Token> Lexer::run() {
  std::vector<Token> tokens;
  auto push = [&](Token t) {
    // Blank lines and comment lines give one newline token, not many.
    if (t.is(Tok::newline) && !tokens.empty() && tokens.back().is(Tok::newline))
      return;
    tokens.push_back(std::move(t));
  };
  while (true) {
    if (!tokens.empty() && tokens.back().is(Tok::error))
      return tokens;
    const char *start = cur;
    if (cur == end) {
      push(make(Tok::eof, start));
      return tokens;
    }
    char c = *cur++;
    switch (c) {
    case ' ':
    case '\t':
    case '\r':
    case '\f':
    case '\v':
      continue;
    case '#':
      while (cur != end && *cur != '\n')
        ++cur;
      continue;
    case '\n':
      if (open.empty() || open.back() == '{')
        push(make(Tok::newline, start));
      continue;
    case '(':
    case '[':
    case '{':
      open.push_back(c);
      push(make(c == '(' ? Tok::lparen : c == '[' ? Tok::lbracket : Tok::lbrace,
                start));
      continue;
    case ')':
    case ']':
    case '}':
      // A mismatched closer is the parser's to report; popping keeps the
      // newline rule close to what the user meant.
      if (!open.empty())
        open.pop_back();
      push(make(c == ')' ? Tok::rparen : c == ']' ? Tok::rbracket : Tok::rbrace,
                start));
      continue;
    case ',':
      push(make(Tok::comma, start));
      continue;
    case ':':
      push(make(Tok::colon, start));
      continue;
    case ';':
      push(make(Tok::semicolon, start));
      continue;
    case '=':
      push(make(Tok::equal, start));
      continue;
    case '+':
      push(make(Tok::plus, start));
      continue;
    case '-':
      push(make(Tok::minus, start));
      continue;
    case '*':
      push(make(Tok::star, start));
      continue;
    case '/':
      push(make(Tok::slash, start));
      continue;
    case '|':
      push(make(Tok::pipe, start));
      continue;
    case '"':
    case '\'':
      push(lexString(start));
      continue;
    case '.':
      if (cur != end && *cur == '.') {
        ++cur;
        push(make(Tok::dotdot, start));
        continue;
      }
      if (cur != end && llvm::isDigit(*cur)) {
        push(lexNumber(start));
        continue;
      }
      push(error(start, "unexpected character '.'"));
      continue;
    default:
      break;
    }
    if (llvm::isDigit(c)) {
      push(lexNumber(start));
      continue;
    }
    if (isIdentStart(c)) {
      push(lexIdent(start));
      continue;
    }
    std::string message;
    llvm::raw_string_ostream os(message);
    if (llvm::isPrint(c))
      os << "unexpected character '" << c << "'";
    else
      os << "unexpected byte 0x"
         << llvm::format_hex_no_prefix(static_cast<unsigned char>(c), 2)
         << " (outside strings and comments a .weir file is ASCII)";
    push(error(start, message));
  }
}

Token Lexer::lexIdent(const char *start) {
  while (cur != end && isIdentChar(*cur))
    ++cur;
  return make(Tok::ident, start);
}

Token Lexer::lexNumber(const char *start) {
  // digits [. digits] [e [+-] digits], or . digits [e ...]; `start` is
  // already consumed.
  cur = start;
  bool isFloat = false;
  while (cur != end && llvm::isDigit(*cur))
    ++cur;
  // `16..64`: the number ends before the range's `..`.
  auto rangeDots = [&] { return cur + 1 < end && cur[0] == '.' && cur[1] == '.'; };
  if (cur != end && *cur == '.' && !rangeDots()) {
    isFloat = true;
    ++cur;
    while (cur != end && llvm::isDigit(*cur))
      ++cur;
  }
  bool badExponent = false;
  if (cur != end && (*cur == 'e' || *cur == 'E')) {
    isFloat = true;
    ++cur;
    if (cur != end && (*cur == '+' || *cur == '-'))
      ++cur;
    badExponent = cur == end || !llvm::isDigit(*cur);
    while (cur != end && llvm::isDigit(*cur))
      ++cur;
  }
  // `3x3`, `1e`, `1.2.3`: one bad number, not a number and a name.
  if (badExponent ||
      (cur != end && (isIdentChar(*cur) || (*cur == '.' && !rangeDots())))) {
    while (cur != end && (isIdentChar(*cur) || *cur == '.'))
      ++cur;
    StringRef text(start, cur - start);
    // `28x28`: a size, height x width.
    size_t x = text.find('x');
    if (x != StringRef::npos && x > 0 &&
        llvm::all_of(text.take_front(x), llvm::isDigit) &&
        x + 1 < text.size() &&
        llvm::all_of(text.drop_front(x + 1), llvm::isDigit))
      return make(Tok::dims, start);
    return error(start, "invalid number '" + text.str() + "'");
  }
  Token t = make(isFloat ? Tok::floating : Tok::integer, start);
  if (isFloat) {
    std::string copy = t.text.str();
    t.floatValue = std::strtod(copy.c_str(), nullptr);
    if (!std::isfinite(t.floatValue))
      return error(start, "number '" + copy + "' is out of range");
    return t;
  }
  uint64_t value = 0;
  if (t.text.getAsInteger(10, value) || value > INT64_MAX)
    return error(start, "integer '" + t.text.str() +
                            "' is too large (the limit is 2^63 - 1)");
  t.intValue = static_cast<int64_t>(value);
  return t;
}

Token Lexer::lexString(const char *start) {
  char quote = *start;
  std::string value;
  while (cur != end && *cur != quote && *cur != '\n') {
    char c = *cur++;
    if (c != '\\') {
      value += c;
      continue;
    }
    const char *escape = cur - 1;
    if (cur == end || *cur == '\n')
      break;
    c = *cur++;
    switch (c) {
    case '\\':
    case '"':
    case '\'':
      value += c;
      break;
    case 'n':
      value += '\n';
      break;
    case 't':
      value += '\t';
      break;
    default:
      Token t = error(escape, "unknown escape sequence in a string (use \\\\, "
                              "\\\", \\', \\n or \\t)");
      return t;
    }
  }
  if (cur == end || *cur != quote) {
    Token t = error(start, "string is missing its closing quote");
    t.text = StringRef(start, 1);
    return t;
  }
  ++cur;
  Token t = make(Tok::string, start);
  t.value = std::move(value);
  return t;
}

std::vector<Token> weir::frontend::lex(StringRef buffer) {
  return Lexer(buffer).run();
}

std::string weir::frontend::describe(const Token &tok) {
  switch (tok.kind) {
  case Tok::eof:
    return "end of file";
  case Tok::newline:
    return "end of line";
  case Tok::string:
    return "a string";
  default:
    return "'" + tok.text.str() + "'";
  }
}
