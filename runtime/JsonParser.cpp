// The JSON parser: recursive descent, UTF-8 checks, errors with byte offsets.
#include "runtime/Json.h"

#include <charconv>
#include <cmath>

namespace weir {

namespace {
class Parser {
public:
  Parser(std::string_view text, int maxDepth)
      : text_(text), maxDepth_(maxDepth) {}

  Result<JsonValue> parseDocument() {
    JsonValue value;
    skipSpace();
    if (!parseValue(value, 0))
      return error_;
    skipSpace();
    if (pos_ != text_.size()) {
      fail("unexpected content after the JSON value");
      return error_;
    }
    return value;
  }

private:
  bool fail(const std::string &message) { return failAt(pos_, message); }
  bool failAt(size_t offset, const std::string &message) {
    error_ = Status::error("JSON error at byte " + std::to_string(offset) +
                           ": " + message);
    return false;
  }
  bool atEnd() const { return pos_ >= text_.size(); }
  unsigned char peek() const { return static_cast<unsigned char>(text_[pos_]); }

  void skipSpace() {
    while (!atEnd() && (peek() == ' ' || peek() == '\t' || peek() == '\n' ||
                        peek() == '\r'))
      ++pos_;
  }

  bool expect(char c, const char *context) {
    skipSpace();
    if (atEnd() || peek() != static_cast<unsigned char>(c))
      return fail(std::string("expected '") + c + "' " + context);
    ++pos_;
    return true;
  }

  bool parseValue(JsonValue &out, int depth) {
    if (atEnd())
      return fail("unexpected end of input, expected a value");
    switch (peek()) {
    case '{':
      return parseObject(out, depth + 1);
    case '[':
      return parseArray(out, depth + 1);
    case '"': {
      std::string s;
      if (!parseString(s))
        return false;
      out = JsonValue::string(std::move(s));
      return true;
    }
    case 't':
      return parseLiteral("true", JsonValue::boolean(true), out);
    case 'f':
      return parseLiteral("false", JsonValue::boolean(false), out);
    case 'n':
      return parseLiteral("null", JsonValue(), out);
    default:
      if (peek() == '-' || (peek() >= '0' && peek() <= '9'))
        return parseNumber(out);
      return fail("unexpected character, expected a value");
    }
  }

  bool parseLiteral(std::string_view word, JsonValue value, JsonValue &out) {
    if (text_.substr(pos_, word.size()) != word)
      return fail("invalid literal, expected '" + std::string(word) + "'");
    pos_ += word.size();
    out = std::move(value);
    return true;
  }

  bool enter(int depth) {
    if (depth > maxDepth_)
      return fail("nesting deeper than " + std::to_string(maxDepth_) +
                  " levels");
    return true;
  }

  bool parseArray(JsonValue &out, int depth) {
    if (!enter(depth))
      return false;
    ++pos_; // '['
    out = JsonValue::array();
    skipSpace();
    if (!atEnd() && peek() == ']') {
      ++pos_;
      return true;
    }
    while (true) {
      JsonValue element;
      skipSpace();
      if (!parseValue(element, depth))
        return false;
      out.push(std::move(element));
      skipSpace();
      if (atEnd())
        return fail("unexpected end of input in array");
      if (peek() == ']') {
        ++pos_;
        return true;
      }
      if (peek() != ',')
        return fail("expected ',' or ']' in array");
      ++pos_;
    }
  }

  bool parseObject(JsonValue &out, int depth) {
    if (!enter(depth))
      return false;
    ++pos_; // '{'
    out = JsonValue::object();
    skipSpace();
    if (!atEnd() && peek() == '}') {
      ++pos_;
      return true;
    }
    while (true) {
      skipSpace();
      if (atEnd() || peek() != '"')
        return fail("expected a string key in object");
      std::string key;
      if (!parseString(key) || !expect(':', "after object key"))
        return false;
      skipSpace();
      JsonValue value;
      if (!parseValue(value, depth))
        return false;
      out.append(std::move(key), std::move(value));
      skipSpace();
      if (atEnd())
        return fail("unexpected end of input in object");
      if (peek() == '}') {
        ++pos_;
        return true;
      }
      if (peek() != ',')
        return fail("expected ',' or '}' in object");
      ++pos_;
    }
  }

  bool parseHex4(uint32_t &out) {
    if (text_.size() - pos_ < 4)
      return fail("truncated \\u escape");
    out = 0;
    for (int i = 0; i < 4; ++i) {
      unsigned char c = peek();
      uint32_t digit;
      if (c >= '0' && c <= '9')
        digit = c - '0';
      else if (c >= 'a' && c <= 'f')
        digit = c - 'a' + 10;
      else if (c >= 'A' && c <= 'F')
        digit = c - 'A' + 10;
      else
        return fail("invalid hex digit in \\u escape");
      out = out * 16 + digit;
      ++pos_;
    }
    return true;
  }

  static void appendUtf8(std::string &s, uint32_t cp) {
    if (cp < 0x80) {
      s += static_cast<char>(cp);
    } else if (cp < 0x800) {
      s += static_cast<char>(0xC0 | (cp >> 6));
      s += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      s += static_cast<char>(0xE0 | (cp >> 12));
      s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      s += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      s += static_cast<char>(0xF0 | (cp >> 18));
      s += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      s += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  bool parseEscape(std::string &out) {
    size_t start = pos_ - 1; // The backslash.
    if (atEnd())
      return fail("unexpected end of input in string escape");
    char c = static_cast<char>(peek());
    ++pos_;
    switch (c) {
    case '"':
      out += '"';
      return true;
    case '\\':
      out += '\\';
      return true;
    case '/':
      out += '/';
      return true;
    case 'b':
      out += '\b';
      return true;
    case 'f':
      out += '\f';
      return true;
    case 'n':
      out += '\n';
      return true;
    case 'r':
      out += '\r';
      return true;
    case 't':
      out += '\t';
      return true;
    case 'u':
      break;
    default:
      return failAt(start, "invalid escape sequence");
    }
    uint32_t cp = 0;
    if (!parseHex4(cp))
      return false;
    if (cp >= 0xDC00 && cp <= 0xDFFF)
      return failAt(start, "unpaired low surrogate in \\u escape");
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      uint32_t low = 0;
      if (text_.substr(pos_, 2) != "\\u")
        return failAt(start, "unpaired high surrogate in \\u escape");
      pos_ += 2;
      if (!parseHex4(low))
        return false;
      if (low < 0xDC00 || low > 0xDFFF)
        return failAt(start, "unpaired high surrogate in \\u escape");
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    appendUtf8(out, cp);
    return true;
  }

  // Copies one well-formed UTF-8 sequence starting at a byte >= 0x80.
  bool copyUtf8(std::string &out) {
    size_t start = pos_;
    unsigned char lead = peek();
    int extra;
    uint32_t cp = 0;
    if (lead >= 0xC2 && lead <= 0xDF)
      extra = 1, cp = lead & 0x1F;
    else if (lead >= 0xE0 && lead <= 0xEF)
      extra = 2, cp = lead & 0x0F;
    else if (lead >= 0xF0 && lead <= 0xF4)
      extra = 3, cp = lead & 0x07;
    else
      return fail("invalid UTF-8 in string");
    if (text_.size() - pos_ <= static_cast<size_t>(extra))
      return fail("invalid UTF-8 in string");
    for (int i = 1; i <= extra; ++i) {
      unsigned char c = static_cast<unsigned char>(text_[pos_ + i]);
      if ((c & 0xC0) != 0x80)
        return fail("invalid UTF-8 in string");
      cp = (cp << 6) | (c & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF.
    if ((extra == 2 && cp < 0x800) || (extra == 3 && cp < 0x10000) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
      return fail("invalid UTF-8 in string");
    pos_ += extra + 1;
    out.append(text_.substr(start, extra + 1));
    return true;
  }

  bool parseString(std::string &out) {
    size_t start = pos_;
    ++pos_; // '"'
    while (true) {
      if (atEnd())
        return failAt(start, "unterminated string");
      unsigned char c = peek();
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (c == '\\') {
        ++pos_;
        if (!parseEscape(out))
          return false;
      } else if (c < 0x20) {
        return fail("unescaped control character in string");
      } else if (c >= 0x80) {
        if (!copyUtf8(out))
          return false;
      } else {
        out += static_cast<char>(c);
        ++pos_;
      }
    }
  }

  bool parseNumber(JsonValue &out) {
    size_t start = pos_;
    auto digits = [&] {
      size_t from = pos_;
      while (!atEnd() && peek() >= '0' && peek() <= '9')
        ++pos_;
      return pos_ - from;
    };
    if (peek() == '-')
      ++pos_;
    if (atEnd() || !(peek() >= '0' && peek() <= '9'))
      return fail("invalid number");
    if (peek() == '0') {
      ++pos_;
      if (!atEnd() && peek() >= '0' && peek() <= '9')
        return failAt(start, "leading zero in number");
    } else {
      digits();
    }
    bool integral = true;
    if (!atEnd() && peek() == '.') {
      integral = false;
      ++pos_;
      if (digits() == 0)
        return fail("expected a digit after '.' in number");
    }
    if (!atEnd() && (peek() == 'e' || peek() == 'E')) {
      integral = false;
      ++pos_;
      if (!atEnd() && (peek() == '+' || peek() == '-'))
        ++pos_;
      if (digits() == 0)
        return fail("expected a digit in number exponent");
    }
    const char *first = text_.data() + start;
    const char *last = text_.data() + pos_;
    if (integral) {
      int64_t value;
      auto [ptr, ec] = std::from_chars(first, last, value);
      if (ec == std::errc() && ptr == last) {
        out = JsonValue::integer(value);
        return true;
      }
      // Too large for int64: fall through to double.
    }
    double value;
    auto [ptr, ec] = std::from_chars(first, last, value);
    if (ec != std::errc() || ptr != last || !std::isfinite(value))
      return failAt(start, "number out of range");
    out = JsonValue::number(value);
    return true;
  }

  std::string_view text_;
  int maxDepth_;
  size_t pos_ = 0;
  Status error_;
};
} // namespace

Result<JsonValue> parseJson(std::string_view text, int maxDepth) {
  return Parser(text, maxDepth).parseDocument();
}

} // namespace weir
