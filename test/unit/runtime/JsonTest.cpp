// Tests of the JSON parser and writer: values, escapes, errors, depth, garbage.
#include "runtime/Json.h"

#include "TestUtil.h"

#include <cmath>
#include <limits>
#include <random>

using namespace weir;
using namespace weir::test;

namespace {

JsonValue parseOk(std::string_view text) {
  Result<JsonValue> r = parseJson(text);
  EXPECT_TRUE(r.ok()) << "input: " << text
                      << "\nerror: " << r.status().message();
  return r.ok() ? std::move(*r) : JsonValue();
}

TEST(Json, Scalars) {
  EXPECT_TRUE(parseOk("null").isNull());
  EXPECT_TRUE(parseOk(" true ").asBool());
  EXPECT_FALSE(parseOk("false").asBool());
  EXPECT_EQ(parseOk("0").asInt(), 0);
  EXPECT_EQ(parseOk("-0").asInt(), 0);
  EXPECT_EQ(parseOk("123").asInt(), 123);
  EXPECT_EQ(parseOk("9223372036854775807").asInt(),
            std::numeric_limits<int64_t>::max());
  EXPECT_EQ(parseOk("-9223372036854775808").asInt(),
            std::numeric_limits<int64_t>::min());
  // Past int64: a double.
  JsonValue big = parseOk("9223372036854775808");
  EXPECT_TRUE(big.isDouble());
  EXPECT_EQ(big.asDouble(), 9223372036854775808.0);
  EXPECT_TRUE(parseOk("1.5").isDouble());
  EXPECT_EQ(parseOk("1.5").asDouble(), 1.5);
  EXPECT_TRUE(parseOk("1e3").isDouble());
  EXPECT_EQ(parseOk("1E+3").asDouble(), 1000.0);
  EXPECT_EQ(parseOk("-1.25e-2").asDouble(), -0.0125);
  EXPECT_EQ(parseOk("7").asDouble(), 7.0); // An Int reads as a double too.
  EXPECT_EQ(parseOk("\"hi\"").asString(), "hi");
}

TEST(Json, StringEscapes) {
  EXPECT_EQ(parseOk(R"("\"\\\/\b\f\n\r\t")").asString(), "\"\\/\b\f\n\r\t");
  EXPECT_EQ(parseOk(R"("caf\u00e9")").asString(), "caf\xC3\xA9");
  EXPECT_EQ(parseOk(R"("\u20AC")").asString(), "\xE2\x82\xAC");
  EXPECT_EQ(parseOk(R"("\ud83d\ude00")").asString(), "\xF0\x9F\x98\x80");
  EXPECT_EQ(parseOk(R"("\u0000x")").asString(), std::string("\0x", 2));
  // Raw UTF-8 passes through.
  EXPECT_EQ(parseOk("\"\xF0\x9F\x98\x80 \xC3\xA9\"").asString(),
            "\xF0\x9F\x98\x80 \xC3\xA9");
}

TEST(Json, ObjectsKeepOrderAndDuplicates) {
  JsonValue v = parseOk(R"({"z": 1, "a": [true, null, "s"], "m": {}, "a": 2})");
  ASSERT_TRUE(v.isObject());
  ASSERT_EQ(v.size(), 4u);
  EXPECT_EQ(v.keyAt(0), "z");
  EXPECT_EQ(v.keyAt(1), "a");
  EXPECT_EQ(v.keyAt(2), "m");
  EXPECT_EQ(v.keyAt(3), "a");
  ASSERT_NE(v.find("a"), nullptr);
  EXPECT_TRUE(v.find("a")->isArray()); // The first "a".
  EXPECT_EQ(v.find("a")->size(), 3u);
  EXPECT_EQ(v.find("nope"), nullptr);
  EXPECT_TRUE(v.find("m")->isObject());
  EXPECT_EQ(v.find("m")->size(), 0u);
  EXPECT_TRUE(parseOk("[]").isArray());
}

TEST(Json, ErrorsNameTheByteOffset) {
  struct Case {
    const char *text;
    const char *error;
  } cases[] = {
      {"", "byte 0: unexpected end of input"},
      {"   ", "byte 3: unexpected end of input"},
      {"[1] x", "byte 4: unexpected content after the JSON value"},
      {"[1, 2", "byte 5: unexpected end of input in array"},
      {"[1,]", "byte 3: unexpected character"},
      {"{\"a\":1,}", "byte 7: expected a string key"},
      {"{\"a\" 1}", "byte 5: expected ':' after object key"},
      {"{'a': 1}", "byte 1: expected a string key"},
      {"{\"a\": 1 \"b\": 2}", "byte 8: expected ',' or '}'"},
      {"\"abc", "byte 0: unterminated string"},
      {"\"a\\x\"", "byte 2: invalid escape sequence"},
      {"\"\\u12G4\"", "invalid hex digit"},
      {"\"\\u12\"", "truncated \\u escape"},
      {"\"\\ud83d\"", "unpaired high surrogate"},
      {"\"\\ud83d\\u0041\"", "unpaired high surrogate"},
      {"\"\\ude00\"", "unpaired low surrogate"},
      {"\"a\nb\"", "byte 2: unescaped control character"},
      {"\"\xC3\x28\"", "invalid UTF-8"},
      {"\"\xC0\x80\"", "invalid UTF-8"},         // Overlong NUL.
      {"\"\xE0\x80\x80\"", "invalid UTF-8"},     // Overlong.
      {"\"\xED\xA0\x80\"", "invalid UTF-8"},     // Encoded surrogate.
      {"\"\xF4\x90\x80\x80\"", "invalid UTF-8"}, // Past U+10FFFF.
      {"\"\xE2\x82\"", "invalid UTF-8"},         // Truncated sequence.
      {"01", "byte 0: leading zero"},
      {"1.", "expected a digit after '.'"},
      {"1e", "expected a digit in number exponent"},
      {"-", "invalid number"},
      {"+1", "unexpected character"},
      {".5", "unexpected character"},
      {"1e400", "number out of range"},
      {"NaN", "unexpected character"},
      {"Infinity", "unexpected character"},
      {"tru", "invalid literal"},
      {"nulll", "unexpected content"},
      {"[1] // comment", "unexpected content"},
      {"\xEF\xBB\xBF{}", "unexpected character"}, // A byte order mark.
  };
  for (const Case &c : cases) {
    Result<JsonValue> r = parseJson(c.text);
    ASSERT_FALSE(r.ok()) << "accepted: " << c.text;
    EXPECT_NE(r.status().message().find(c.error), std::string::npos)
        << "input: " << c.text << "\nmessage: " << r.status().message();
    EXPECT_EQ(r.status().message().rfind("JSON error at byte ", 0), 0u);
  }
}

TEST(Json, DepthLimit) {
  auto nested = [](int depth) {
    return std::string(depth, '[') + std::string(depth, ']');
  };
  EXPECT_TRUE(parseJson(nested(64)).ok());
  EXPECT_ERROR_CONTAINS(parseJson(nested(65)), "nesting deeper than 64 levels");
  EXPECT_TRUE(parseJson(nested(3), 3).ok());
  EXPECT_ERROR_CONTAINS(parseJson("{\"a\":{\"b\":{\"c\":{}}}}", 3),
                        "nesting deeper");
  // Far past the limit: an error, not a stack overflow.
  EXPECT_ERROR_CONTAINS(parseJson(std::string(1000000, '[')), "nesting deeper");
}

TEST(Json, NeverCrashesOnGarbage) {
  const std::string doc =
      R"({"a": [1, -2.5e3, "x\u00e9\n", true, null], "b": {"c": {}}, "d": ""})";
  ASSERT_TRUE(parseJson(doc).ok());
  // Every proper prefix is invalid.
  for (size_t n = 0; n < doc.size(); ++n)
    EXPECT_FALSE(parseJson(doc.substr(0, n)).ok()) << doc.substr(0, n);
  // Random byte mutations: any outcome but a crash.
  std::mt19937 rng(1234);
  for (int i = 0; i < 20000; ++i) {
    std::string s = doc;
    int edits = 1 + rng() % 4;
    for (int e = 0; e < edits; ++e)
      s[rng() % s.size()] = static_cast<char>(rng() % 256);
    Result<JsonValue> r = parseJson(s);
    if (r.ok()) {
      EXPECT_TRUE(parseJson(writeJson(*r)).ok());
    }
  }
}

TEST(Json, WriterCompactAndPretty) {
  JsonValue v = JsonValue::object();
  v.append("name", JsonValue::string("dense"));
  JsonValue shape = JsonValue::array();
  shape.push(JsonValue::integer(784));
  shape.push(JsonValue::integer(64));
  v.append("shape", std::move(shape));
  v.append("lr", JsonValue::number(0.001));
  v.append("ok", JsonValue::boolean(true));
  v.append("none", JsonValue());
  v.append("empty", JsonValue::array());
  EXPECT_EQ(writeJson(v), R"({"name":"dense","shape":[784,64],"lr":0.001,)"
                          R"("ok":true,"none":null,"empty":[]})");
  EXPECT_EQ(writeJson(v, 2), "{\n"
                             "  \"name\": \"dense\",\n"
                             "  \"shape\": [\n    784,\n    64\n  ],\n"
                             "  \"lr\": 0.001,\n"
                             "  \"ok\": true,\n"
                             "  \"none\": null,\n"
                             "  \"empty\": []\n"
                             "}");
  v.set("lr", JsonValue::number(0.5)); // Replaces in place.
  EXPECT_EQ(v.keyAt(2), "lr");
  EXPECT_EQ(v.find("lr")->asDouble(), 0.5);
  v.set("new", JsonValue::integer(1)); // Appends.
  EXPECT_EQ(v.keyAt(v.size() - 1), "new");
}

TEST(Json, WriterNumbersAndStrings) {
  EXPECT_EQ(writeJson(JsonValue::number(0.1)), "0.1");
  EXPECT_EQ(writeJson(JsonValue::number(1.0)), "1.0"); // Stays a double.
  EXPECT_EQ(writeJson(JsonValue::number(-0.0)), "-0.0");
  EXPECT_EQ(writeJson(JsonValue::number(1e300)), "1e+300");
  EXPECT_EQ(writeJson(JsonValue::number(std::nan(""))), "null");
  EXPECT_EQ(writeJson(JsonValue::number(-INFINITY)), "null");
  EXPECT_EQ(writeJson(JsonValue::integer(std::numeric_limits<int64_t>::min())),
            "-9223372036854775808");
  EXPECT_EQ(writeJson(JsonValue::string(
                std::string("a\"b\\c\n\x01\x1f\x7f\xC3\xA9", 11))),
            "\"a\\\"b\\\\c\\n\\u0001\\u001f\x7f\xC3\xA9\"");
  // Doubles read back exactly.
  for (double d : {0.1, 1.0 / 3, 6.02214076e23, 5e-324, -123456.789,
                   std::numeric_limits<double>::max()}) {
    Result<JsonValue> back = parseJson(writeJson(JsonValue::number(d)));
    ASSERT_TRUE(back.ok());
    EXPECT_TRUE(back->isDouble());
    EXPECT_EQ(back->asDouble(), d);
  }
}

TEST(Json, RoundTrip) {
  const char *doc = R"({"k":[1,2.5,"\u0001\"",{"x":null}],"e":{},"t":false})";
  JsonValue v = parseOk(doc);
  EXPECT_EQ(writeJson(v), doc);
  EXPECT_EQ(writeJson(parseOk(writeJson(v, 4))), doc);
}

TEST(Json, Files) {
  TempDir dir;
  JsonValue v = JsonValue::object();
  v.append("step", JsonValue::integer(1200));
  v.append("loss", JsonValue::number(0.25));
  ASSERT_TRUE(writeJsonFile(dir.file("progress.json"), v).ok());
  EXPECT_EQ(readBytes(dir.file("progress.json")),
            "{\n  \"step\": 1200,\n  \"loss\": 0.25\n}\n");
  Result<JsonValue> back = readJsonFile(dir.file("progress.json"));
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->find("step")->asInt(), 1200);
  EXPECT_EQ(dir.list(), std::vector<std::string>{"progress.json"});

  writeBytes(dir.file("bad.json"), "{\"a\": }");
  EXPECT_ERROR_CONTAINS(readJsonFile(dir.file("bad.json")),
                        dir.file("bad.json") + ": JSON error at byte 6");
  EXPECT_ERROR_CONTAINS(readJsonFile(dir.file("bad.json"), 3),
                        "more than the limit of 3");
  EXPECT_ERROR_CONTAINS(readJsonFile(dir.file("missing.json")),
                        "missing.json: cannot open: No such file or directory");
}

} // namespace
