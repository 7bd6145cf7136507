// loadArrays: .npz archives (numpy's layouts and hand-made ones) and IDX
// directories, including the real Fashion-MNIST when it is installed.
#include "runtime/train/Dataset.h"

#include "TrainTestUtil.h"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <cmath>
#include <cstdio>

using namespace weir;
using namespace weir::test;

namespace {
std::string input(const std::string &name) {
  return std::string(WEIR_TRAIN_INPUTS) + "/" + name;
}

HostTensor tensorOf(DType dtype, std::vector<int64_t> shape) {
  Result<HostTensor> t = HostTensor::create(dtype, std::move(shape));
  EXPECT_TRUE(t.ok());
  return t.ok() ? std::move(*t) : HostTensor();
}

/// An IDX file: magic 0x0000TTNN, big-endian sizes, then the bytes.
std::string idx(uint8_t type, const std::vector<uint32_t> &dims,
                const std::string &data) {
  std::string out{'\0', '\0', char(type), char(dims.size())};
  for (uint32_t d : dims)
    for (int shift = 24; shift >= 0; shift -= 8)
      out += char((d >> shift) & 0xFF);
  return out + data;
}
} // namespace

TEST(Dataset, NpzFromNumpyLayouts) {
  for (const char *name : {"tiny_stored.npz", "tiny_deflated.npz"}) {
    SCOPED_TRACE(name);
    Result<ArrayDataset> train = loadArrays(input(name), "train");
    ASSERT_TRUE(train.ok()) << train.status().message();
    EXPECT_EQ(train->x.describe(), "u8[5, 2, 3]");
    EXPECT_EQ(train->y.describe(), "u8[5]");
    EXPECT_EQ(train->size(), 5);
    for (int i = 0; i < 30; ++i)
      EXPECT_EQ(train->x.data<uint8_t>()[i], (i * 7 + 3) % 256);
    for (int i = 0; i < 5; ++i)
      EXPECT_EQ(train->y.data<uint8_t>()[i], i % 3);

    Result<ArrayDataset> test = loadArrays(input(name), "test");
    ASSERT_TRUE(test.ok()) << test.status().message();
    EXPECT_EQ(test->x.describe(), "f32[2, 3]");
    EXPECT_EQ(test->y.describe(), "i64[2]"); // [2, 1] in the file
    for (int i = 0; i < 6; ++i)
      EXPECT_EQ(test->x.data<float>()[i], i * 0.5f - 1);
    EXPECT_EQ(test->y.data<int64_t>()[0], 7);
    EXPECT_EQ(test->y.data<int64_t>()[1], 8);
  }
}

TEST(Dataset, NpzStoredAndDeflatedFromCpp) {
  TempDir dir;
  HostTensor x = tensorOf(DType::F32, {3, 4});
  for (int i = 0; i < 12; ++i)
    x.data<float>()[i] = float(i) / 4;
  HostTensor y = tensorOf(DType::I32, {3});
  for (int i = 0; i < 3; ++i)
    y.data<int32_t>()[i] = 10 * i;
  for (bool deflate : {false, true}) {
    writeBytes(dir.file("d.npz"), makeZip({{"x_train.npy", npyOf(x), deflate},
                                           {"y_train.npy", npyOf(y), !deflate}}));
    Result<ArrayDataset> d = loadArrays(dir.file("d.npz"), "train");
    ASSERT_TRUE(d.ok()) << d.status().message();
    EXPECT_TRUE(sameTensor(d->x, x));
    EXPECT_TRUE(sameTensor(d->y, y));
  }
}

TEST(Dataset, FloatTargetsKeepTheirShape) {
  // One-hot f32 [N, C], f64 [N, 1] and f32 [N] load as stored; only integer
  // labels lose a trailing 1.
  TempDir dir;
  HostTensor x = tensorOf(DType::U8, {3, 2});
  HostTensor oneHot = tensorOf(DType::F32, {3, 4});
  for (int i = 0; i < 12; ++i)
    oneHot.data<float>()[i] = i % 4 == i / 4 ? 1.0f : 0.0f;
  HostTensor column = tensorOf(DType::F64, {3, 1});
  for (int i = 0; i < 3; ++i)
    column.data<double>()[i] = 0.25 * i;
  HostTensor flat = tensorOf(DType::F32, {3});
  HostTensor intColumn = tensorOf(DType::I32, {3, 1});
  for (int i = 0; i < 3; ++i)
    flat.data<float>()[i] = intColumn.data<int32_t>()[i] = i;
  std::string path = dir.file("d.npz");
  for (const HostTensor *y : {&oneHot, &column, &flat, &intColumn}) {
    SCOPED_TRACE(y->describe());
    writeBytes(path, makeZip({{"x_test.npy", npyOf(x)}, {"y_test.npy", npyOf(*y)}}));
    Result<ArrayDataset> d = loadArrays(path, "test");
    ASSERT_TRUE(d.ok()) << d.status().message();
    EXPECT_EQ(d->size(), 3);
    if (y == &intColumn) {
      EXPECT_EQ(d->y.describe(), "i32[3]");
      EXPECT_EQ(d->y.data<int32_t>()[2], 2);
    } else {
      EXPECT_TRUE(sameTensor(d->y, *y));
    }
  }
}

TEST(Dataset, NpzErrors) {
  TempDir dir;
  HostTensor x = tensorOf(DType::U8, {3, 2});
  HostTensor y = tensorOf(DType::U8, {3});
  HostTensor y2 = tensorOf(DType::U8, {2});
  std::string path = dir.file("d.npz");

  // Missing member: names the key and the file.
  writeBytes(path, makeZip({{"x_train.npy", npyOf(x), true}}));
  Result<ArrayDataset> d = loadArrays(path, "train");
  ASSERT_FALSE(d.ok());
  EXPECT_TRUE(hasSubstr(d.status().message(), path + ": no array 'y_train'"));
  EXPECT_TRUE(hasSubstr(d.status().message(), "members: x_train.npy"));
  d = loadArrays(path, "test");
  ASSERT_FALSE(d.ok());
  EXPECT_TRUE(hasSubstr(d.status().message(), "no array 'x_test'"));

  // x and y of different lengths.
  writeBytes(path, makeZip({{"x_train.npy", npyOf(x)}, {"y_train.npy", npyOf(y2)}}));
  d = loadArrays(path, "train");
  ASSERT_FALSE(d.ok());
  EXPECT_TRUE(hasSubstr(d.status().message(), "2 labels for 3 examples"));
  EXPECT_TRUE(hasSubstr(d.status().message(), path));

  // y neither integer [N] nor f32/f64 [N, ...]: the error names the file
  // and the array.
  HostTensor yh = tensorOf(DType::F16, {3});
  HostTensor y2d = tensorOf(DType::U8, {3, 2});
  HostTensor yScalar = tensorOf(DType::F32, {});
  for (const HostTensor *bad : {&yh, &y2d, &yScalar}) {
    writeBytes(path, makeZip({{"x_train.npy", npyOf(x)}, {"y_train.npy", npyOf(*bad)}}));
    d = loadArrays(path, "train");
    ASSERT_FALSE(d.ok()) << bad->describe();
    EXPECT_TRUE(hasSubstr(d.status().message(),
                          path + ": 'y_train': y must be integer labels [N] "
                                 "or f32/f64 targets [N, ...], found " +
                              bad->describe()))
        << d.status().message();
  }

  // Float targets of the wrong length are "targets", not "labels".
  HostTensor yf2 = tensorOf(DType::F32, {2, 4});
  writeBytes(path, makeZip({{"x_train.npy", npyOf(x)}, {"y_train.npy", npyOf(yf2)}}));
  d = loadArrays(path, "train");
  ASSERT_FALSE(d.ok());
  EXPECT_TRUE(hasSubstr(d.status().message(), "2 targets for 3 examples"));

  // A member that is not .npy: the error names the file and the member.
  writeBytes(path, makeZip({{"x_train.npy", "garbage"}, {"y_train.npy", npyOf(y)}}));
  d = loadArrays(path, "train");
  ASSERT_FALSE(d.ok());
  EXPECT_TRUE(hasSubstr(d.status().message(),
                        path + ": member 'x_train.npy': not a .npy file"));

  // Bad CRC.
  std::string zip = makeZip({{"x_train.npy", npyOf(x)}, {"y_train.npy", npyOf(y)}});
  zip[centralEntryOffset(zip, 1) + 16] ^= 1;
  writeBytes(path, zip);
  d = loadArrays(path, "train");
  ASSERT_FALSE(d.ok());
  EXPECT_TRUE(hasSubstr(d.status().message(), "member 'y_train.npy': CRC-32"));

  // Truncated archive.
  std::string whole = makeZip({{"x_train.npy", npyOf(x)}, {"y_train.npy", npyOf(y)}});
  writeBytes(path, whole.substr(0, whole.size() - 30));
  d = loadArrays(path, "train");
  ASSERT_FALSE(d.ok());
  EXPECT_TRUE(hasSubstr(d.status().message(), path + ": not a zip file or truncated"));

  // Not there at all; unknown split.
  d = loadArrays(dir.file("nope.npz"), "train");
  ASSERT_FALSE(d.ok());
  EXPECT_TRUE(hasSubstr(d.status().message(), dir.file("nope.npz") + ": cannot open"));
  d = loadArrays(input("tiny_stored.npz"), "validation");
  ASSERT_FALSE(d.ok());
  EXPECT_TRUE(hasSubstr(d.status().message(), "unknown split 'validation'"));
}

TEST(Dataset, IdxDirectoryPlainAndGzipped) {
  TempDir dir;
  std::string pixels;
  for (int i = 0; i < 4 * 2 * 3; ++i)
    pixels += char(i);
  writeBytes(dir.file("train-images-idx3-ubyte"), idx(0x08, {4, 2, 3}, pixels));
  writeBytes(dir.file("train-labels-idx1-ubyte"),
             idx(0x08, {4}, std::string("\x01\x02\x03\x04", 4)));
  Result<ArrayDataset> d = loadArrays(dir.path(), "train");
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_EQ(d->x.describe(), "u8[4, 2, 3]");
  EXPECT_EQ(d->y.data<uint8_t>()[3], 4);
  EXPECT_EQ(d->x.data<uint8_t>()[23], 23);

  // A .gz beside the plain file wins (its labels differ here).
  std::string gzLabels = idx(0x08, {4}, std::string("\x09\x09\x09\x09", 4));
  gzFile gz = gzopen(dir.file("train-labels-idx1-ubyte.gz").c_str(), "wb");
  ASSERT_NE(gz, nullptr);
  gzwrite(gz, gzLabels.data(), unsigned(gzLabels.size()));
  gzclose(gz);
  d = loadArrays(dir.path(), "train");
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_EQ(d->y.data<uint8_t>()[0], 9);

  // Missing test files: the error names the expected path.
  d = loadArrays(dir.path(), "test");
  ASSERT_FALSE(d.ok());
  EXPECT_TRUE(hasSubstr(d.status().message(),
                        dir.file("t10k-images-idx3-ubyte.gz") + ": no such file"));

  // Counts that differ.
  writeBytes(dir.file("t10k-images-idx3-ubyte"), idx(0x08, {4, 2, 3}, pixels));
  writeBytes(dir.file("t10k-labels-idx1-ubyte"), idx(0x08, {3}, "abc"));
  d = loadArrays(dir.path(), "test");
  ASSERT_FALSE(d.ok());
  EXPECT_TRUE(hasSubstr(d.status().message(), "3 labels for 4 examples"));
}

TEST(Dataset, FashionMnist) {
  const std::string dir = WEIR_FASHION_MNIST_DIR;
  struct stat st;
  if (::stat((dir + "/train-labels-idx1-ubyte.gz").c_str(), &st) != 0 &&
      ::stat((dir + "/train-labels-idx1-ubyte").c_str(), &st) != 0)
    GTEST_SKIP() << dir << " has no Fashion-MNIST (apt install "
                 << "dataset-fashion-mnist)";
  for (auto [split, n] : {std::pair<const char *, int64_t>{"train", 60000},
                          {"test", 10000}}) {
    SCOPED_TRACE(split);
    Result<ArrayDataset> d = loadArrays(dir, split);
    ASSERT_TRUE(d.ok()) << d.status().message();
    EXPECT_EQ(d->x.describe(), "u8[" + std::to_string(n) + ", 28, 28]");
    EXPECT_EQ(d->y.describe(), "u8[" + std::to_string(n) + "]");
    int64_t counts[10] = {};
    for (int64_t i = 0; i < n; ++i) {
      uint8_t label = d->y.data<uint8_t>()[i];
      ASSERT_LT(label, 10);
      ++counts[label];
    }
    for (int c = 0; c < 10; ++c)
      EXPECT_EQ(counts[c], n / 10) << "class " << c;
    // Pixels span the full byte range, and images are not blank.
    const uint8_t *px = d->x.data<uint8_t>();
    uint8_t lo = 255, hi = 0;
    for (int64_t i = 0; i < d->x.numElements(); ++i) {
      lo = std::min(lo, px[i]);
      hi = std::max(hi, px[i]);
    }
    EXPECT_EQ(lo, 0);
    EXPECT_EQ(hi, 255);
  }
}

TEST(Dataset, NoByteFlipCrashes) {
  // Every single-byte corruption of the fixtures either loads (e.g. a flip
  // in a timestamp) or is an error naming the file; never a crash.
  TempDir dir;
  std::string path = dir.file("c.npz");
  for (const char *name : {"tiny_stored.npz", "tiny_deflated.npz"}) {
    std::string bytes = readBytes(input(name));
    ASSERT_FALSE(bytes.empty());
    int failures = 0;
    for (size_t i = 0; i < bytes.size(); ++i) {
      std::string corrupt = bytes;
      corrupt[i] = char(corrupt[i] ^ 0xA5);
      // Unlink first: truncating a written file makes ext4 flush it.
      std::remove(path.c_str());
      writeBytes(path, corrupt);
      for (const char *split : {"train", "test"}) {
        Result<ArrayDataset> d = loadArrays(path, split);
        if (!d.ok()) {
          ++failures;
          EXPECT_EQ(d.status().message().rfind(path, 0), 0u)
              << d.status().message();
        }
      }
    }
    EXPECT_GT(failures, int(bytes.size()) / 2) << name;
  }
}
