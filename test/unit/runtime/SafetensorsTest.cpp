// Tests of readSafetensors/writeSafetensors: round trips, layout, bad files.
#include "runtime/Safetensors.h"

#include "TestUtil.h"

#include <random>

using namespace weir;
using namespace weir::test;

namespace {

// A safetensors file around a JSON header (padded with spaces to 8 bytes
// unless `pad` is false) and a data buffer.
std::string stFile(std::string header, const std::string &data,
                   bool pad = true) {
  if (pad)
    header.append((8 - header.size() % 8) % 8, ' ');
  return le(header.size(), 8) + header + data;
}

class Safetensors : public ::testing::Test {
protected:
  Result<SafetensorsFile> readBytesAsSt(const std::string &bytes) {
    writeBytes(path(), bytes);
    return readSafetensors(path());
  }
  // Expects the crafted file to be refused with `path: message...`.
  void expectError(const std::string &bytes, const std::string &message) {
    Result<SafetensorsFile> r = readBytesAsSt(bytes);
    ASSERT_FALSE(r.ok()) << "accepted; expected: " << message;
    EXPECT_EQ(r.status().message().rfind(path() + ": ", 0), 0u)
        << r.status().message();
    EXPECT_NE(r.status().message().find(message), std::string::npos)
        << "message: " << r.status().message() << "\nexpected: " << message;
  }
  std::string path() const { return dir.file("m.safetensors"); }
  TempDir dir;
};

TEST_F(Safetensors, RoundTripEveryDType) {
  std::vector<NamedTensor> tensors;
  const std::vector<std::vector<int64_t>> shapes = {
      {3, 5}, {}, {2, 0, 4}, {17}};
  int i = 0;
  for (DType d : kAllDTypes)
    for (const auto &shape : shapes)
      tensors.push_back({std::string("t") + std::to_string(i++) + "." +
                             safetensorsDTypeName(d),
                         patternTensor(d, shape)});
  SafetensorsMetadata meta = {
      {"format", "pt"}, {"weir.step", "100"}, {"empty", ""}};
  ASSERT_TRUE(writeSafetensors(path(), tensors, meta).ok());
  EXPECT_EQ(dir.list(), std::vector<std::string>{"m.safetensors"});

  Result<SafetensorsFile> back = readSafetensors(path());
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->metadata, meta);
  ASSERT_EQ(back->tensors.size(), tensors.size());
  for (size_t j = 0; j < tensors.size(); ++j) {
    EXPECT_EQ(back->tensors[j].name, tensors[j].name);
    EXPECT_TRUE(sameTensor(back->tensors[j].tensor, tensors[j].tensor))
        << tensors[j].name;
  }
  ASSERT_NE(back->find("t4.F64"), nullptr);
  EXPECT_TRUE(sameTensor(*back->find("t4.F64"), tensors[4].tensor));
  EXPECT_EQ(back->find("nope"), nullptr);
  ASSERT_NE(back->findMetadata("weir.step"), nullptr);
  EXPECT_EQ(*back->findMetadata("weir.step"), "100");
  EXPECT_EQ(back->findMetadata("nope"), nullptr);
}

TEST_F(Safetensors, WriterLayout) {
  HostTensor w = patternTensor(DType::F32, {2, 3});
  HostTensor b = patternTensor(DType::U8, {3});
  ASSERT_TRUE(
      writeSafetensors(path(), {{"w", &w}, {"b", &b}}, {{"k", "v\"q"}}).ok());
  std::string bytes = readBytes(path());
  std::string json =
      R"({"__metadata__":{"k":"v\"q"},)"
      R"("w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},)"
      R"("b":{"dtype":"U8","shape":[3],"data_offsets":[24,27]}})";
  size_t n = (json.size() + 7) / 8 * 8;
  ASSERT_EQ(bytes.size(), 8 + n + 27);
  EXPECT_EQ(bytes.substr(0, 8), le(n, 8));
  EXPECT_EQ(bytes.substr(8, n), json + std::string(n - json.size(), ' '));
  EXPECT_EQ(bytes.substr(8 + n, 24),
            std::string(reinterpret_cast<const char *>(w.bytes()), 24));

  // No metadata: no __metadata__ key. No tensors: an empty object.
  ASSERT_TRUE(writeSafetensors(path(), std::vector<NamedTensorRef>{}).ok());
  EXPECT_EQ(readBytes(path()), le(8, 8) + "{}      ");
  Result<SafetensorsFile> empty = readSafetensors(path());
  ASSERT_TRUE(empty.ok()) << empty.status().message();
  EXPECT_TRUE(empty->tensors.empty());
  EXPECT_TRUE(empty->metadata.empty());
}

TEST_F(Safetensors, WriterRefusesBadInput) {
  HostTensor t = patternTensor(DType::F32, {2});
  EXPECT_ERROR_CONTAINS(writeSafetensors(path(), {{"a", &t}, {"a", &t}}),
                        path() + ": duplicate tensor name 'a'");
  EXPECT_ERROR_CONTAINS(writeSafetensors(path(), {{"__metadata__", &t}}),
                        "cannot be named '__metadata__'");
  EXPECT_ERROR_CONTAINS(writeSafetensors(path(), {{"a", nullptr}}),
                        "'a' has no storage");
  HostTensor none;
  EXPECT_ERROR_CONTAINS(writeSafetensors(path(), {{"a", &none}}),
                        "'a' has no storage");
  EXPECT_ERROR_CONTAINS(
      writeSafetensors(path(), {{"a", &t}}, {{"k", "1"}, {"k", "2"}}),
      "duplicate metadata key 'k'");
  EXPECT_TRUE(dir.list().empty());
}

TEST_F(Safetensors, ReadsUnpaddedHeadersAndAnyDataOrder) {
  // Header order differs from data order; zero-size tensors share offsets.
  std::string header =
      R"({"b":{"dtype":"I32","shape":[1],"data_offsets":[4,8]},)"
      R"("e1":{"dtype":"F32","shape":[0],"data_offsets":[4,4]},)"
      R"("e2":{"dtype":"F64","shape":[2,0],"data_offsets":[4,4]},)"
      R"("a":{"dtype":"I32","shape":[],"data_offsets":[0,4],"extra":1}})";
  Result<SafetensorsFile> f =
      readBytesAsSt(stFile(header, le(7, 4) + le(9, 4), false));
  ASSERT_TRUE(f.ok()) << f.status().message();
  ASSERT_EQ(f->tensors.size(), 4u);
  EXPECT_EQ(f->tensors[0].name, "b");
  EXPECT_EQ(f->tensors[0].tensor.data<int32_t>()[0], 9);
  EXPECT_EQ(f->tensors[3].name, "a");
  EXPECT_EQ(f->tensors[3].tensor.data<int32_t>()[0], 7);
  EXPECT_EQ(f->tensors[2].tensor.shape(), (std::vector<int64_t>{2, 0}));
}

TEST_F(Safetensors, HeaderSizeErrors) {
  expectError(std::string("\x08\0\0", 3),
              "file is too small to be safetensors (3 bytes)");
  expectError(le(200000000, 8) + "{}", "header size 200000000 is absurd");
  expectError(le(uint64_t(-1), 8) + "{}", "is absurd");
  expectError(le(64, 8) + "{}      ",
              "header size 64 is larger than the file (16 bytes)");
  expectError(stFile("[]", ""),
              "invalid JSON header: it does not start with '{'");
  expectError(stFile("", ""), "it does not start with '{'");
  expectError(stFile(R"({"a": })", ""),
              "invalid JSON header: JSON error at byte 6");
  expectError(stFile(R"({"a":{}} x)", ""),
              "invalid JSON header: JSON error at byte 9");
}

TEST_F(Safetensors, EntryErrors) {
  const std::string data(8, '\0');
  auto entry = [&](const std::string &body) {
    return stFile(R"({"w":)" + body + "}", data);
  };
  expectError(entry("1"), "tensor 'w': entry is not an object");
  expectError(entry(R"({"shape":[2],"data_offsets":[0,8]})"),
              "tensor 'w': missing 'dtype'");
  expectError(entry(R"({"dtype":4,"shape":[2],"data_offsets":[0,8]})"),
              "tensor 'w': 'dtype' is not a string");
  expectError(entry(R"({"dtype":"C64","shape":[1],"data_offsets":[0,8]})"),
              "tensor 'w': unknown or unsupported dtype 'C64'");
  expectError(entry(R"({"dtype":"f32","shape":[2],"data_offsets":[0,8]})"),
              "unknown or unsupported dtype 'f32'");
  expectError(entry(R"({"dtype":"F32","data_offsets":[0,8]})"),
              "tensor 'w': missing 'shape'");
  expectError(entry(R"({"dtype":"F32","shape":[-2],"data_offsets":[0,8]})"),
              "tensor 'w': 'shape' is not an array of non-negative integers");
  expectError(entry(R"({"dtype":"F32","shape":[2.0],"data_offsets":[0,8]})"),
              "'shape' is not an array of non-negative integers");
  expectError(entry(R"({"dtype":"F32","shape":"2","data_offsets":[0,8]})"),
              "'shape' is not an array");
  expectError(entry(R"({"dtype":"F32","shape":[2]})"),
              "tensor 'w': missing 'data_offsets'");
  expectError(entry(R"({"dtype":"F32","shape":[2],"data_offsets":[0]})"),
              "'data_offsets' does not have 2 elements");
  expectError(entry(R"({"dtype":"F32","shape":[2],"data_offsets":[8,0]})"),
              "tensor 'w': data_offsets [8, 0] are reversed");
  expectError(entry(R"({"dtype":"F32","shape":[4],"data_offsets":[0,16]})"),
              "tensor 'w': data_offsets [0, 16] are out of range of the 8-byte "
              "data buffer");
  expectError(
      entry(
          R"({"dtype":"F32","shape":[4611686018427387904,2],"data_offsets":[0,8]})"),
      "tensor 'w': shape [4611686018427387904, 2] has too many elements");
}

TEST_F(Safetensors, ByteCountMustMatchShape) {
  std::string header =
      R"({"dense.kernel":{"dtype":"F32","shape":[784,64],"data_offsets":[0,1000]}})";
  expectError(stFile(header, std::string(1000, '\0')),
              "tensor 'dense.kernel': shape [784, 64] F32 needs 200704 bytes, "
              "offsets give 1000");
}

TEST_F(Safetensors, OffsetsMustTileTheBuffer) {
  auto f32 = [](const char *name, int begin, int end) {
    return std::string("\"") + name + R"(":{"dtype":"F32","shape":[)" +
           std::to_string((end - begin) / 4) + R"(],"data_offsets":[)" +
           std::to_string(begin) + "," + std::to_string(end) + "]}";
  };
  expectError(stFile("{" + f32("a", 0, 8) + "," + f32("b", 4, 12) + "}",
                     std::string(12, 0)),
              "tensors 'a' and 'b' overlap (data_offsets [0, 8] and [4, 12])");
  expectError(stFile("{" + f32("b", 8, 12) + "," + f32("a", 0, 4) + "}",
                     std::string(12, 0)),
              "bytes [4, 8) of the data buffer belong to no tensor");
  expectError(stFile("{" + f32("a", 0, 4) + "}", std::string(8, 0)),
              "the data buffer has 8 bytes but the tensors cover only 4");
  expectError(stFile("{}", "junk"),
              "the data buffer has 4 bytes but the tensors cover only 0");
}

TEST_F(Safetensors, NamesAndMetadata) {
  const std::string t = R"({"dtype":"U8","shape":[1],"data_offsets":[0,1]})";
  expectError(stFile(R"({"a":)" + t + R"(,"a":)" + t + "}", "x"),
              "duplicate tensor name 'a'");
  expectError(stFile(R"({"__metadata__":{"k":1}})", ""),
              "'__metadata__' value for 'k' is not a string");
  expectError(stFile(R"({"__metadata__":[]})", ""),
              "'__metadata__' is not an object");
  expectError(stFile(R"({"__metadata__":{},"__metadata__":{}})", ""),
              "duplicate '__metadata__'");
  expectError(stFile(R"({"__metadata__":{"k":"1","k":"2"}})", ""),
              "duplicate '__metadata__' key 'k'");
  Result<SafetensorsFile> ok = readBytesAsSt(stFile(
      R"({"\u00e9t\u00e9":)" + t + R"(,"__metadata__":{"k":"v"}})", "\x05"));
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_EQ(ok->tensors[0].name, "\xC3\xA9t\xC3\xA9");
  EXPECT_EQ(*ok->findMetadata("k"), "v");
}

TEST_F(Safetensors, BoolBytesMustBe0Or1) {
  std::string header =
      R"({"m":{"dtype":"BOOL","shape":[2],"data_offsets":[0,2]}})";
  expectError(stFile(header, std::string("\1\3", 2)),
              "tensor 'm': invalid BOOL value 3 at element 1");
}

TEST_F(Safetensors, UnreadablePath) {
  EXPECT_ERROR_CONTAINS(
      readSafetensors(dir.file("none.safetensors")),
      "none.safetensors: cannot open: No such file or directory");
}

TEST_F(Safetensors, AtomicWrites) {
  HostTensor t = patternTensor(DType::F32, {4});
  std::string missing = dir.file("missing/m.safetensors");
  EXPECT_ERROR_CONTAINS(writeSafetensors(missing, {{"t", &t}}),
                        missing + ": cannot create temporary file");
  EXPECT_TRUE(dir.list().empty());
  ASSERT_TRUE(writeSafetensors(path(), std::vector<NamedTensorRef>{}).ok());
  std::string before = readBytes(path());
  // A refused write leaves the previous file as it was.
  EXPECT_FALSE(writeSafetensors(path(), {{"t", &t}, {"t", &t}}).ok());
  EXPECT_EQ(readBytes(path()), before);
  ASSERT_TRUE(writeSafetensors(path(), {{"t", &t}}).ok());
  EXPECT_EQ(dir.list(), std::vector<std::string>{"m.safetensors"});
  EXPECT_TRUE(sameTensor(*readSafetensors(path())->find("t"), t));
}

// Corrupt files: any error is fine, a crash or an oversized read is not.
TEST_F(Safetensors, MutatedFilesNeverCrash) {
  HostTensor a = patternTensor(DType::F32, {2, 3});
  HostTensor b = patternTensor(DType::Bool, {5});
  HostTensor c = patternTensor(DType::I64, {});
  ASSERT_TRUE(
      writeSafetensors(path(), {{"a", &a}, {"b", &b}, {"c", &c}}, {{"k", "v"}})
          .ok());
  const std::string good = readBytes(path());
  const size_t headerEnd = good.size() - a.byteSize() - b.byteSize() - c.byteSize();
  std::mt19937 rng(11);
  for (int i = 0; i < 1000; ++i) {
    std::string s = good;
    switch (rng() % 3) {
    case 0: // Flip bytes, mostly in the header.
      for (int e = 1 + rng() % 4; e > 0; --e)
        s[rng() % (rng() % 4 ? headerEnd : s.size())] = static_cast<char>(rng());
      break;
    case 1:
      s.resize(rng() % s.size());
      break;
    default:
      s += std::string(1 + rng() % 16, static_cast<char>(rng()));
    }
    Result<SafetensorsFile> r = readBytesAsSt(s);
    if (!r.ok())
      continue;
    size_t total = 0;
    for (const NamedTensor &t : r->tensors)
      total += t.tensor.byteSize();
    EXPECT_LE(total, s.size());
  }
}

} // namespace
