// JSON values and the writer; the parser is in JsonParser.cpp.
#include "runtime/Json.h"

#include "runtime/FileIO.h"

#include <cassert>
#include <charconv>
#include <cmath>

namespace weir {

//===----------------------------------------------------------------------===//
// JsonValue
//===----------------------------------------------------------------------===//

JsonValue JsonValue::boolean(bool value) {
  JsonValue v;
  v.kind_ = Kind::Bool;
  v.bool_ = value;
  return v;
}
JsonValue JsonValue::integer(int64_t value) {
  JsonValue v;
  v.kind_ = Kind::Int;
  v.int_ = value;
  return v;
}
JsonValue JsonValue::number(double value) {
  JsonValue v;
  v.kind_ = Kind::Double;
  v.double_ = value;
  return v;
}
JsonValue JsonValue::string(std::string value) {
  JsonValue v;
  v.kind_ = Kind::String;
  v.string_ = std::move(value);
  return v;
}
JsonValue JsonValue::array() {
  JsonValue v;
  v.kind_ = Kind::Array;
  return v;
}
JsonValue JsonValue::object() {
  JsonValue v;
  v.kind_ = Kind::Object;
  return v;
}

bool JsonValue::asBool() const {
  assert(isBool());
  return bool_;
}
int64_t JsonValue::asInt() const {
  assert(isInt());
  return int_;
}
double JsonValue::asDouble() const {
  assert(isNumber());
  return isInt() ? static_cast<double>(int_) : double_;
}
const std::string &JsonValue::asString() const {
  assert(isString());
  return string_;
}

const JsonValue &JsonValue::at(size_t i) const {
  assert(i < items_.size());
  return items_[i];
}
JsonValue &JsonValue::at(size_t i) {
  assert(i < items_.size());
  return items_[i];
}
const std::string &JsonValue::keyAt(size_t i) const {
  assert(isObject() && i < keys_.size());
  return keys_[i];
}
void JsonValue::push(JsonValue value) {
  assert(isArray());
  items_.push_back(std::move(value));
}

const JsonValue *JsonValue::find(std::string_view key) const {
  for (size_t i = 0; i < keys_.size(); ++i)
    if (keys_[i] == key)
      return &items_[i];
  return nullptr;
}
JsonValue *JsonValue::find(std::string_view key) {
  return const_cast<JsonValue *>(
      static_cast<const JsonValue *>(this)->find(key));
}
void JsonValue::set(std::string key, JsonValue value) {
  if (JsonValue *existing = find(key))
    *existing = std::move(value);
  else
    append(std::move(key), std::move(value));
}
void JsonValue::append(std::string key, JsonValue value) {
  assert(isObject());
  keys_.push_back(std::move(key));
  items_.push_back(std::move(value));
}

const char *jsonKindName(JsonValue::Kind kind) {
  switch (kind) {
  case JsonValue::Kind::Null:
    return "null";
  case JsonValue::Kind::Bool:
    return "bool";
  case JsonValue::Kind::Int:
    return "integer";
  case JsonValue::Kind::Double:
    return "number";
  case JsonValue::Kind::String:
    return "string";
  case JsonValue::Kind::Array:
    return "array";
  case JsonValue::Kind::Object:
    return "object";
  }
  return "?";
}

//===----------------------------------------------------------------------===//
// Writer
//===----------------------------------------------------------------------===//

namespace {
void writeString(std::string &out, const std::string &s) {
  static const char kHex[] = "0123456789abcdef";
  out += '"';
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    switch (c) {
    case '"':
      out += "\\\"";
      break;
    case '\\':
      out += "\\\\";
      break;
    case '\b':
      out += "\\b";
      break;
    case '\f':
      out += "\\f";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\r':
      out += "\\r";
      break;
    case '\t':
      out += "\\t";
      break;
    default:
      if (c < 0x20) {
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 15];
      } else {
        out += ch;
      }
    }
  }
  out += '"';
}

void writeDouble(std::string &out, double d) {
  if (!std::isfinite(d)) {
    out += "null";
    return;
  }
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), d);
  (void)ec; // 64 bytes always suffice for the shortest form.
  std::string_view text(buf, end - buf);
  out += text;
  // Keep it a Double when read back.
  if (text.find_first_of(".e") == std::string_view::npos)
    out += ".0";
}

void newline(std::string &out, int indent, int level) {
  if (indent < 0)
    return;
  out += '\n';
  out.append(static_cast<size_t>(indent) * level, ' ');
}

void writeValue(std::string &out, const JsonValue &v, int indent, int level) {
  switch (v.kind()) {
  case JsonValue::Kind::Null:
    out += "null";
    return;
  case JsonValue::Kind::Bool:
    out += v.asBool() ? "true" : "false";
    return;
  case JsonValue::Kind::Int:
    out += std::to_string(v.asInt());
    return;
  case JsonValue::Kind::Double:
    writeDouble(out, v.asDouble());
    return;
  case JsonValue::Kind::String:
    writeString(out, v.asString());
    return;
  case JsonValue::Kind::Array:
  case JsonValue::Kind::Object: {
    bool isObject = v.isObject();
    out += isObject ? '{' : '[';
    for (size_t i = 0; i < v.size(); ++i) {
      if (i)
        out += ',';
      newline(out, indent, level + 1);
      if (isObject) {
        writeString(out, v.keyAt(i));
        out += indent < 0 ? ":" : ": ";
      }
      writeValue(out, v.at(i), indent, level + 1);
    }
    if (v.size())
      newline(out, indent, level);
    out += isObject ? '}' : ']';
    return;
  }
  }
}
} // namespace

std::string writeJson(const JsonValue &value, int indent) {
  std::string out;
  writeValue(out, value, indent, 0);
  return out;
}

Result<JsonValue> readJsonFile(const std::string &path, size_t maxBytes) {
  Result<std::string> text = readFileToString(path, maxBytes);
  if (!text)
    return text.status();
  Result<JsonValue> value = parseJson(*text);
  if (!value)
    return value.status().withPrefix(path);
  return value;
}

Status writeJsonFile(const std::string &path, const JsonValue &value,
                     int indent) {
  std::string text = writeJson(value, indent) + "\n";
  return writeFileAtomically(path, {{text.data(), text.size()}});
}

} // namespace weir
