// A minimal JSON value, parser and writer (safetensors headers, state files).
#pragma once

#include "runtime/Status.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace weir {

/// A JSON value. Objects keep their members in insertion (or file) order and
/// keep duplicate keys; find() returns the first. Integers written without a
/// fraction or exponent that fit in int64 are Int, other numbers Double.
/// Accessors of the wrong kind assert, then return a default.
class JsonValue {
public:
  enum class Kind { Null, Bool, Int, Double, String, Array, Object };

  /// null.
  JsonValue() = default;
  static JsonValue boolean(bool value);
  static JsonValue integer(int64_t value);
  static JsonValue number(double value);
  static JsonValue string(std::string value);
  static JsonValue array();
  static JsonValue object();

  Kind kind() const { return kind_; }
  bool isNull() const { return kind_ == Kind::Null; }
  bool isBool() const { return kind_ == Kind::Bool; }
  bool isInt() const { return kind_ == Kind::Int; }
  bool isDouble() const { return kind_ == Kind::Double; }
  bool isNumber() const { return isInt() || isDouble(); }
  bool isString() const { return kind_ == Kind::String; }
  bool isArray() const { return kind_ == Kind::Array; }
  bool isObject() const { return kind_ == Kind::Object; }

  bool asBool() const;
  int64_t asInt() const;
  /// A Double, or an Int converted to double.
  double asDouble() const;
  const std::string &asString() const;

  /// Elements of an array or members of an object; 0 for anything else.
  size_t size() const { return items_.size(); }
  /// The i-th array element or object member value.
  const JsonValue &at(size_t i) const;
  JsonValue &at(size_t i);
  /// The i-th object member key.
  const std::string &keyAt(size_t i) const;
  /// Appends to an array.
  void push(JsonValue value);

  /// The first member named `key` of an object, or null if there is none.
  const JsonValue *find(std::string_view key) const;
  JsonValue *find(std::string_view key);
  /// Replaces the first member named `key`, or appends one.
  void set(std::string key, JsonValue value);
  /// Appends a member even if `key` already exists.
  void append(std::string key, JsonValue value);

private:
  Kind kind_ = Kind::Null;
  bool bool_ = false;
  int64_t int_ = 0;
  double double_ = 0;
  std::string string_;
  std::vector<JsonValue> items_;  // Array elements or object member values.
  std::vector<std::string> keys_; // Object member keys, parallel to items_.
};

/// "null", "bool", "integer", "number", "string", "array", "object".
const char *jsonKindName(JsonValue::Kind kind);

/// Parses one JSON document (RFC 8259; UTF-8 validated; surrounding
/// whitespace allowed). Nesting deeper than `maxDepth` arrays/objects is an
/// error. Errors read "JSON error at byte N: ...". Never crashes.
Result<JsonValue> parseJson(std::string_view text, int maxDepth = 64);

/// Serializes `value`: compact when `indent` < 0, else pretty-printed with
/// `indent` spaces per level. Doubles are written in the shortest form that
/// reads back exactly, NaN and infinities as null. Strings must be UTF-8.
std::string writeJson(const JsonValue &value, int indent = -1);

/// Reads and parses a JSON file of at most `maxBytes`; errors name the path.
Result<JsonValue> readJsonFile(const std::string &path,
                               size_t maxBytes = 64u << 20);
/// Writes `value` (pretty, with a final newline) to `path` atomically.
Status writeJsonFile(const std::string &path, const JsonValue &value,
                     int indent = 2);

} // namespace weir
