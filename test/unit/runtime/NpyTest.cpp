// Tests of readNpy/writeNpy: round trips, crafted bad files, atomic writes.
#include "runtime/Npy.h"

#include "TestUtil.h"

#include <random>
#include <sys/stat.h>

using namespace weir;
using namespace weir::test;

namespace {

// A .npy file of the given version around a header dict, padded as numpy
// pads it (1 to 64 spaces, then '\n').
std::string npyFile(int major, const std::string &dict, const std::string &data,
                    int minor = 0) {
  size_t prefix = major == 1 ? 10 : 12;
  size_t pad = 64 - (prefix + dict.size() + 1) % 64;
  std::string header = dict + std::string(pad, ' ') + "\n";
  std::string out = std::string("\x93NUMPY", 6) + static_cast<char>(major) +
                    static_cast<char>(minor);
  out += le(header.size(), major == 1 ? 2 : 4);
  return out + header + data;
}

std::string dict(const std::string &descr, const std::string &shape,
                 const std::string &fortran = "False") {
  return "{'descr': '" + descr + "', 'fortran_order': " + fortran +
         ", 'shape': " + shape + ", }";
}

class Npy : public ::testing::Test {
protected:
  // Writes `bytes` to a file and reads it back.
  Result<HostTensor> readBytesAsNpy(const std::string &bytes) {
    writeBytes(path(), bytes);
    return readNpy(path());
  }
  std::string path() const { return dir.file("t.npy"); }
  TempDir dir;
};

TEST_F(Npy, RoundTripEveryDType) {
  const std::vector<std::vector<int64_t>> shapes = {
      {}, {7}, {2, 3, 4}, {3, 0, 2}};
  for (DType d : kAllDTypes) {
    if (d == DType::BF16)
      continue;
    for (const auto &shape : shapes) {
      HostTensor t = patternTensor(d, shape);
      ASSERT_TRUE(writeNpy(path(), t).ok());
      Result<HostTensor> back = readNpy(path());
      ASSERT_TRUE(back.ok()) << back.status().message();
      EXPECT_TRUE(sameTensor(t, *back)) << t.describe();
      EXPECT_EQ(reinterpret_cast<uintptr_t>(back->rawData()) % 64, 0u);
    }
  }
}

TEST_F(Npy, WriterLayoutMatchesNumpy) {
  HostTensor t = patternTensor(DType::I32, {2, 3});
  ASSERT_TRUE(writeNpy(path(), t).ok());
  std::string bytes = readBytes(path());
  ASSERT_EQ(bytes.size(), 128u + 24u);
  EXPECT_EQ(bytes.substr(0, 8), std::string("\x93NUMPY\x01\x00", 8));
  EXPECT_EQ(bytes.substr(8, 2), le(118, 2));
  // The dict, 20 spaces numpy reserves for growing axis 0, padding, '\n'.
  std::string dictText =
      "{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3), }";
  EXPECT_EQ(bytes.substr(10, dictText.size()), dictText);
  EXPECT_EQ(bytes[127], '\n');
  EXPECT_EQ(bytes.find_first_not_of(' ', 10 + dictText.size()), 127u);
  // 1-D shapes are written as Python 1-tuples.
  ASSERT_TRUE(writeNpy(path(), patternTensor(DType::U8, {5})).ok());
  EXPECT_NE(readBytes(path()).find("'shape': (5,), }"), std::string::npos);
  ASSERT_TRUE(writeNpy(path(), patternTensor(DType::F64, {})).ok());
  EXPECT_NE(readBytes(path()).find("'shape': (), }"), std::string::npos);
}

TEST_F(Npy, ReadsVersions2And3AndPythonVariants) {
  std::string data = le(1, 4) + le(2, 4) + le(0xFFFFFFFF, 4);
  for (int major : {1, 2, 3}) {
    Result<HostTensor> t =
        readBytesAsNpy(npyFile(major, dict("<i4", "(3,)"), data));
    ASSERT_TRUE(t.ok()) << t.status().message();
    EXPECT_EQ(t->shape(), std::vector<int64_t>{3});
    EXPECT_EQ(t->data<int32_t>()[2], -1);
  }
  // Key order, double quotes, Python 2 longs, '<' on a 1-byte type, no
  // trailing comma: all accepted.
  Result<HostTensor> t = readBytesAsNpy(npyFile(
      1, "{\"shape\": (1L, 2L), \"fortran_order\": False, \"descr\": \"<u1\"}",
      "\x05\x06"));
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(t->dtype(), DType::U8);
  EXPECT_EQ(t->shape(), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(t->data<uint8_t>()[1], 6);
}

TEST_F(Npy, BadMagicAndVersion) {
  EXPECT_ERROR_CONTAINS(
      readBytesAsNpy("PK\x03\x04 this is a zip file, not npy"),
      path() + ": not a .npy file (bad magic)");
  EXPECT_ERROR_CONTAINS(readBytesAsNpy("\x93NUM"),
                        "not a .npy file (only 4 bytes)");
  EXPECT_ERROR_CONTAINS(
      readBytesAsNpy(npyFile(4, dict("<f4", "()"), "abcd")),
      "unsupported .npy version 4.0 (supported: 1.0, 2.0, 3.0)");
  EXPECT_ERROR_CONTAINS(
      readBytesAsNpy(npyFile(1, dict("<f4", "()"), "abcd", 1)),
      "unsupported .npy version 1.1");
}

TEST_F(Npy, RefusedLayoutsAndDTypes) {
  EXPECT_ERROR_CONTAINS(readBytesAsNpy(npyFile(1, dict("<f4", "(2, 2)", "True"),
                                               std::string(16, 0))),
                        path() + ": fortran_order True is not supported");
  EXPECT_ERROR_CONTAINS(readBytesAsNpy(npyFile(1, dict(">f4", "(1,)"), "abcd")),
                        "big-endian dtype '>f4' is not supported");
  EXPECT_ERROR_CONTAINS(
      readBytesAsNpy(npyFile(1, dict("<c8", "(1,)"), "abcdefgh")),
      "unsupported dtype '<c8'");
  EXPECT_ERROR_CONTAINS(readBytesAsNpy(npyFile(1, dict("<U5", "(1,)"), "")),
                        "unsupported dtype '<U5'");
  EXPECT_ERROR_CONTAINS(readBytesAsNpy(npyFile(1, dict("|O", "(1,)"), "")),
                        "unsupported dtype '|O'");
  EXPECT_ERROR_CONTAINS(readBytesAsNpy(npyFile(1, dict("<u2", "(1,)"), "ab")),
                        "unsupported dtype '<u2'");
  EXPECT_ERROR_CONTAINS(
      readBytesAsNpy(npyFile(1, dict("|f4", "(1,)"), "abcd")),
      "unsupported dtype '|f4': a multi-byte type needs a byte order");
  EXPECT_ERROR_CONTAINS(
      readBytesAsNpy(
          npyFile(1,
                  "{'descr': [('a', '<i4')], 'fortran_order': False, "
                  "'shape': (1,), }",
                  "abcd")),
      "unsupported dtype: structured dtypes are not supported");
}

TEST_F(Npy, MalformedHeaders) {
  const char *cases[][2] = {
      {"not a dict", "malformed header: expected '{'"},
      {"{'descr': '<f4', 'shape': (2,), }", "missing key 'fortran_order'"},
      {"{'fortran_order': False, 'shape': (2,), }", "missing key 'descr'"},
      {"{'descr': '<f4', 'fortran_order': False, }", "missing key 'shape'"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1}",
       "unexpected key 'x'"},
      {"{'descr': '<f4', 'descr': '<f4', }", "duplicate key 'descr'"},
      {"{'descr': '<f4', 'fortran_order': 0, 'shape': (2,)}",
       "'fortran_order' is not True or False"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': [2]}",
       "'shape' is not a tuple"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (-2,)}",
       "expected a non-negative integer in 'shape'"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2 3)}",
       "expected ',' or ')' in 'shape'"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': "
       "(99999999999999999999,)}",
       "dimension too large"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,)",
       "expected ',' or '}'"},
      {"{'descr: '<f4'}", "expected ':' after"},
      {"{'descr': '<f4}", "unterminated string"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,)} extra",
       "unexpected text after the dict"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': "
       "(4611686018427387904, 4)}",
       "malformed header: shape [4611686018427387904, 4] has too many "
       "elements"},
  };
  for (const auto &c : cases)
    EXPECT_ERROR_CONTAINS(readBytesAsNpy(npyFile(1, c[0], std::string(8, 0))),
                          c[1]);
  // A header length past the end of the file.
  EXPECT_ERROR_CONTAINS(
      readBytesAsNpy(std::string("\x93NUMPY\x01\x00", 8) + le(500, 2) + "{}"),
      "header length 500 runs past the end of the 12-byte file");
  EXPECT_ERROR_CONTAINS(
      readBytesAsNpy(std::string("\x93NUMPY\x02\x00", 8) + le(1u << 30, 4)),
      "header length 1073741824 is too large");
}

TEST_F(Npy, TruncatedAndTrailingData) {
  EXPECT_ERROR_CONTAINS(readBytesAsNpy(npyFile(1, dict("|u1", "(8, 28, 28, 1)"),
                                               std::string(100, 'x'))),
                        path() + ": expected 6272 bytes of data for shape [8, "
                                 "28, 28, 1] u8, found 100");
  EXPECT_ERROR_CONTAINS(
      readBytesAsNpy(
          npyFile(1, dict("<f4", "(8, 28, 28, 1)"), std::string(100, 'x'))),
      "expected 25088 bytes of data for shape [8, 28, 28, 1] f32, found 100");
  EXPECT_ERROR_CONTAINS(
      readBytesAsNpy(npyFile(1, dict("<f8", "(2,)"), std::string(16 + 3, 0))),
      "3 bytes of trailing garbage after the 16 bytes of data for shape [2] "
      "f64");
}

TEST_F(Npy, BoolBytesMustBe0Or1) {
  EXPECT_TRUE(
      readBytesAsNpy(npyFile(1, dict("|b1", "(3,)"), std::string("\1\0\1", 3)))
          .ok());
  EXPECT_ERROR_CONTAINS(
      readBytesAsNpy(npyFile(1, dict("|b1", "(3,)"), std::string("\1\0\2", 3))),
      "invalid bool value 2 at element 2");
}

TEST_F(Npy, UnreadablePaths) {
  EXPECT_ERROR_CONTAINS(readNpy(dir.file("missing.npy")),
                        dir.file("missing.npy") +
                            ": cannot open: No such file or directory");
  EXPECT_ERROR_CONTAINS(readNpy(dir.path()), dir.path() + ": is a directory");
}

TEST_F(Npy, BF16HasNoNpyType) {
  HostTensor t = patternTensor(DType::BF16, {2});
  EXPECT_ERROR_CONTAINS(
      writeNpy(path(), t),
      "cannot write a bf16[2] tensor as .npy: numpy has no bf16 type");
  EXPECT_TRUE(dir.list().empty());
  EXPECT_ERROR_CONTAINS(writeNpy(path(), HostTensor()), "never created");
}

TEST_F(Npy, AtomicWriteLeavesNoTempFile) {
  ASSERT_TRUE(writeNpy(path(), patternTensor(DType::F32, {4})).ok());
  ASSERT_TRUE(
      writeNpy(path(), patternTensor(DType::F32, {8})).ok()); // Replaces.
  EXPECT_EQ(dir.list(), std::vector<std::string>{"t.npy"});
  EXPECT_EQ(readNpy(path())->shape(), std::vector<int64_t>{8});
}

TEST_F(Npy, FailedWritesDoNotClobber) {
  HostTensor t = patternTensor(DType::F32, {4});
  // A missing directory: fails cleanly, naming the path.
  std::string missing = dir.file("no/such/dir/t.npy");
  Status s = writeNpy(missing, t);
  EXPECT_ERROR_CONTAINS(s, missing + ": cannot create temporary file");
  EXPECT_ERROR_CONTAINS(s, "No such file or directory");

  // A failure before writing leaves the old file as it was.
  ASSERT_TRUE(writeNpy(path(), t).ok());
  std::string before = readBytes(path());
  EXPECT_FALSE(writeNpy(path(), patternTensor(DType::BF16, {4})).ok());
  EXPECT_EQ(readBytes(path()), before);

  // A failing rename (the target is a non-empty directory) removes the
  // temporary file and leaves the directory alone.
  std::string target = dir.file("occupied");
  ASSERT_EQ(::mkdir(target.c_str(), 0755), 0);
  writeBytes(target + "/keep", "x");
  EXPECT_ERROR_CONTAINS(writeNpy(target, t), target + ": cannot rename");
  EXPECT_EQ(dir.list(), (std::vector<std::string>{"occupied", "t.npy"}));
  EXPECT_EQ(readBytes(target + "/keep"), "x");
}

// Corrupt files: any error is fine, a crash or an oversized read is not.
TEST_F(Npy, MutatedFilesNeverCrash) {
  ASSERT_TRUE(writeNpy(path(), patternTensor(DType::F32, {3, 4})).ok());
  const std::string good = readBytes(path());
  std::mt19937 rng(7);
  for (int i = 0; i < 1000; ++i) {
    std::string s = good;
    switch (rng() % 3) {
    case 0: // Flip bytes, mostly in the header.
      for (int e = 1 + rng() % 4; e > 0; --e)
        s[rng() % (rng() % 4 ? 128 : s.size())] = static_cast<char>(rng());
      break;
    case 1:
      s.resize(rng() % s.size());
      break;
    default:
      s += std::string(1 + rng() % 16, static_cast<char>(rng()));
    }
    Result<HostTensor> r = readBytesAsNpy(s);
    if (r.ok()) {
      EXPECT_LE(r->byteSize(), s.size());
    }
  }
}

} // namespace
