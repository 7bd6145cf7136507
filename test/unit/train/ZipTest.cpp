// The zip reader and the in-memory .npy parser behind .npz datasets.
#include "runtime/train/NpyBytes.h"
#include "runtime/train/Zip.h"

#include "TrainTestUtil.h"

#include <gtest/gtest.h>

using namespace weir;
using namespace weir::test;

namespace {
std::string text(const std::vector<uint8_t> &bytes) {
  return std::string(bytes.begin(), bytes.end());
}

/// Writes `zip` to a file in `dir` and opens it.
Result<ZipArchive> openBytes(const TempDir &dir, const std::string &zip) {
  writeBytes(dir.file("a.zip"), zip);
  return ZipArchive::open(dir.file("a.zip"));
}

std::string longText() {
  std::string s;
  for (int i = 0; i < 5000; ++i)
    s += "line " + std::to_string(i % 97) + "\n";
  return s;
}
} // namespace

TEST(Zip, ReadsStoredAndDeflatedMembers) {
  TempDir dir;
  std::string big = longText();
  Result<ZipArchive> zip = openBytes(
      dir, makeZip({{"a.txt", "hello", false},
                    {"dir/b.txt", big, true},
                    {"empty", "", false},
                    {"empty.z", "", true}},
                   "a comment"));
  ASSERT_TRUE(zip.ok()) << zip.status().message();
  ASSERT_EQ(zip->entries().size(), 4u);
  EXPECT_EQ(zip->entries()[1].method, 8);
  EXPECT_LT(zip->entries()[1].compressedSize, big.size() / 4);
  EXPECT_EQ(zip->find("nope"), nullptr);
  for (auto [name, want] : {std::pair<const char *, std::string>{"a.txt", "hello"},
                            {"dir/b.txt", big},
                            {"empty", ""},
                            {"empty.z", ""}}) {
    const ZipEntry *e = zip->find(name);
    ASSERT_NE(e, nullptr) << name;
    Result<std::vector<uint8_t>> data = zip->read(*e);
    ASSERT_TRUE(data.ok()) << data.status().message();
    EXPECT_EQ(text(*data), want) << name;
  }
}

TEST(Zip, ReadsNumpyLayoutWithZip64LocalHeaders) {
  // Python's zipfile with force_zip64=True, as np.savez writes.
  for (const char *name : {"tiny_stored.npz", "tiny_deflated.npz"}) {
    Result<ZipArchive> zip =
        ZipArchive::open(std::string(WEIR_TRAIN_INPUTS) + "/" + name);
    ASSERT_TRUE(zip.ok()) << zip.status().message();
    ASSERT_EQ(zip->entries().size(), 4u);
    EXPECT_EQ(zip->entries()[0].name, "x_train.npy");
    Result<std::vector<uint8_t>> data = zip->read(zip->entries()[0]);
    ASSERT_TRUE(data.ok()) << data.status().message();
    EXPECT_EQ(data->size(), 158u);
  }
}

TEST(Zip, CrcMismatchIsAnError) {
  TempDir dir;
  for (bool deflate : {false, true}) {
    std::string zip = makeZip({{"m.bin", "some bytes to check", deflate}});
    // Corrupt the recorded CRC (central directory offset 16).
    size_t central = centralEntryOffset(zip, 0);
    zip[central + 16] ^= 0x5A;
    Result<ZipArchive> a = openBytes(dir, zip);
    ASSERT_TRUE(a.ok()) << a.status().message();
    Result<std::vector<uint8_t>> data = a->read(a->entries()[0]);
    ASSERT_FALSE(data.ok());
    EXPECT_TRUE(hasSubstr(data.status().message(), "member 'm.bin'"));
    EXPECT_TRUE(hasSubstr(data.status().message(), "CRC-32 mismatch"));
    EXPECT_TRUE(hasSubstr(data.status().message(), dir.file("a.zip")));
  }
  // A flipped data byte of a STORED member.
  std::string zip = makeZip({{"m.bin", "some bytes to check", false}});
  zip[30 + 5 + 3] ^= 1;
  Result<ZipArchive> a = openBytes(dir, zip);
  ASSERT_TRUE(a.ok());
  Result<std::vector<uint8_t>> data = a->read(a->entries()[0]);
  ASSERT_FALSE(data.ok());
  EXPECT_TRUE(hasSubstr(data.status().message(), "CRC-32 mismatch"));
}

TEST(Zip, TruncatedArchives) {
  TempDir dir;
  std::string zip = makeZip({{"m.bin", longText(), true}});
  // Cut anywhere: the end record is gone.
  for (size_t keep : {size_t(0), size_t(10), zip.size() / 2, zip.size() - 1}) {
    Result<ZipArchive> a = openBytes(dir, zip.substr(0, keep));
    ASSERT_FALSE(a.ok()) << keep;
    EXPECT_TRUE(hasSubstr(a.status().message(), dir.file("a.zip")));
  }
  Result<ZipArchive> cut = openBytes(dir, zip.substr(0, zip.size() - 1));
  EXPECT_TRUE(hasSubstr(cut.status().message(), "truncated"));

  // The directory claims more data than the file has.
  std::string longer = zip;
  setLe32(longer, centralEntryOffset(longer, 0) + 20, uint32_t(zip.size()));
  Result<ZipArchive> a = openBytes(dir, longer);
  ASSERT_TRUE(a.ok());
  Result<std::vector<uint8_t>> data = a->read(a->entries()[0]);
  ASSERT_FALSE(data.ok());
  EXPECT_TRUE(hasSubstr(data.status().message(), "truncated archive"));

  // A DEFLATE stream cut short (the directory's compressed size shrunk).
  std::string shorter = zip;
  size_t central = centralEntryOffset(shorter, 0);
  uint32_t csize = uint8_t(shorter[central + 20]) |
                   uint8_t(shorter[central + 21]) << 8;
  setLe32(shorter, central + 20, csize / 2);
  a = openBytes(dir, shorter);
  ASSERT_TRUE(a.ok());
  data = a->read(a->entries()[0]);
  ASSERT_FALSE(data.ok());
  EXPECT_TRUE(hasSubstr(data.status().message(), "ends early"))
      << data.status().message();

  // The directory understates the uncompressed size.
  std::string small = zip;
  setLe32(small, centralEntryOffset(small, 0) + 24, 100);
  a = openBytes(dir, small);
  ASSERT_TRUE(a.ok());
  data = a->read(a->entries()[0]);
  ASSERT_FALSE(data.ok());
  EXPECT_TRUE(hasSubstr(data.status().message(), "more than the recorded 100"))
      << data.status().message();
}

TEST(Zip, CorruptDeflateData) {
  TempDir dir;
  std::string zip = makeZip({{"m.bin", longText(), true}});
  // Garbage in place of the compressed stream: block type 3 is invalid.
  for (size_t i = 30 + 5; i < 30 + 5 + 8; ++i)
    zip[i] = char(0xFF);
  Result<ZipArchive> a = openBytes(dir, zip);
  ASSERT_TRUE(a.ok());
  Result<std::vector<uint8_t>> data = a->read(a->entries()[0]);
  ASSERT_FALSE(data.ok());
  EXPECT_TRUE(hasSubstr(data.status().message(), "corrupt DEFLATE data"))
      << data.status().message();
}

TEST(Zip, RefusesWhatItDoesNotSupport) {
  TempDir dir;
  std::string base = makeZip({{"m.bin", "abc", false}});
  size_t central = centralEntryOffset(base, 0);
  size_t eocd = base.size() - 22;

  std::string z64 = base;
  setLe16(z64, eocd + 10, 0xFFFF);
  setLe16(z64, eocd + 8, 0xFFFF);
  Result<ZipArchive> a = openBytes(dir, z64);
  ASSERT_FALSE(a.ok());
  EXPECT_TRUE(hasSubstr(a.status().message(), "ZIP64 archives are not supported"));

  std::string member64 = base;
  setLe32(member64, central + 24, 0xFFFFFFFF);
  a = openBytes(dir, member64);
  ASSERT_FALSE(a.ok());
  EXPECT_TRUE(hasSubstr(a.status().message(), "member 'm.bin' needs ZIP64"));

  std::string bzip2 = base;
  setLe16(bzip2, central + 10, 12);
  a = openBytes(dir, bzip2);
  ASSERT_FALSE(a.ok());
  EXPECT_TRUE(hasSubstr(a.status().message(), "compression method 12"));

  std::string encrypted = base;
  setLe16(encrypted, central + 8, 1);
  a = openBytes(dir, encrypted);
  ASSERT_FALSE(a.ok());
  EXPECT_TRUE(hasSubstr(a.status().message(), "encrypted"));

  a = openBytes(dir, "PK\x03\x04 certainly not a zip file, just text");
  ASSERT_FALSE(a.ok());
  EXPECT_TRUE(hasSubstr(a.status().message(), "not a zip file"));

  a = ZipArchive::open(dir.file("missing.zip"));
  ASSERT_FALSE(a.ok());
  EXPECT_TRUE(hasSubstr(a.status().message(), dir.file("missing.zip")));
}

TEST(Zip, EmptyArchive) {
  TempDir dir;
  Result<ZipArchive> a = openBytes(dir, makeZip({}));
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_TRUE(a->entries().empty());
}

TEST(NpyBytes, ParsesWhatNumpyWrites) {
  float values[6] = {1, 2, 3, 4, 5, 6};
  std::string npy = npyBytes("<f4", {2, 3}, values, sizeof values);
  Result<HostTensor> t = parseNpyBytes(
      reinterpret_cast<const uint8_t *>(npy.data()), npy.size());
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(t->describe(), "f32[2, 3]");
  EXPECT_EQ(t->data<float>()[5], 6.0f);

  std::string scalar = npyBytes("<i8", {}, "\x05\0\0\0\0\0\0\0", 8);
  t = parseNpyBytes(reinterpret_cast<const uint8_t *>(scalar.data()),
                    scalar.size());
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(t->rank(), 0);
  EXPECT_EQ(t->data<int64_t>()[0], 5);
}

TEST(NpyBytes, Errors) {
  auto parse = [](const std::string &s) {
    return parseNpyBytes(reinterpret_cast<const uint8_t *>(s.data()), s.size());
  };
  uint8_t data[4] = {0, 1, 2, 3};
  std::string good = npyBytes("|u1", {4}, data, 4);
  std::string fortran = good;
  fortran.replace(fortran.find("False"), 5, "True ");
  struct {
    std::string bytes;
    const char *message;
  } cases[] = {
      {"not numpy at all", "bad magic"},
      {good.substr(0, good.size() - 1), "expected 4 bytes of data"},
      {good + "x", "trailing bytes"},
      {good.substr(0, 40), "truncated .npy header"},
      {npyBytes(">f4", {1}, data, 4), "little-endian"},
      {npyBytes("<c8", {1}, data, 4), "unsupported dtype '<c8'"},
      {npyBytes("|b1", {4}, data, 4), "invalid bool value 2"},
      {fortran, "fortran_order True"},
  };
  for (const auto &c : cases) {
    Result<HostTensor> t = parse(c.bytes);
    ASSERT_FALSE(t.ok()) << c.message;
    EXPECT_TRUE(hasSubstr(t.status().message(), c.message));
  }
  std::string badVersion = good;
  badVersion[6] = 9;
  EXPECT_TRUE(hasSubstr(parse(badVersion).status().message(),
                        "unsupported .npy version 9.0"));
}
