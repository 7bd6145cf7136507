// epochPermutation and Batcher: order, gathering, conversion, errors.
#include "runtime/train/Batcher.h"

#include "TrainTestUtil.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <numeric>
#include <tuple>

using namespace weir;
using namespace weir::test;

namespace {
/// n examples of u8 [2, 3] (element j of example i is i * 6 + j mod 256)
/// with I64 labels 100 + i.
ArrayDataset dataset(int64_t n, DType yDType = DType::I64) {
  ArrayDataset d;
  d.x = std::move(*HostTensor::create(DType::U8, {n, 2, 3}));
  for (int64_t i = 0; i < n * 6; ++i)
    d.x.data<uint8_t>()[i] = uint8_t(i);
  d.y = std::move(*HostTensor::create(yDType, {n}));
  for (int64_t i = 0; i < n; ++i) {
    if (yDType == DType::I64)
      d.y.data<int64_t>()[i] = 100 + i;
    else
      d.y.data<uint8_t>()[i] = uint8_t(i % 10);
  }
  return d;
}

bool isPermutation(std::vector<int64_t> v) {
  std::sort(v.begin(), v.end());
  for (size_t i = 0; i < v.size(); ++i)
    if (v[i] != int64_t(i))
      return false;
  return true;
}
} // namespace

TEST(EpochPermutation, DeterministicAndAPermutation) {
  for (int64_t n : {0, 1, 2, 7, 1000, 60000}) {
    std::vector<int64_t> a = epochPermutation(n, 42, 3);
    EXPECT_EQ(int64_t(a.size()), n);
    EXPECT_TRUE(isPermutation(a)) << n;
    EXPECT_EQ(a, epochPermutation(n, 42, 3)) << n;
  }
  std::vector<int64_t> base = epochPermutation(1000, 42, 3);
  EXPECT_NE(base, epochPermutation(1000, 42, 4));
  EXPECT_NE(base, epochPermutation(1000, 43, 3));
  std::vector<int64_t> identity(1000);
  std::iota(identity.begin(), identity.end(), 0);
  EXPECT_NE(base, identity);
  // Seed and epoch do not trade off: (s, e+1) differs from (s+1, e).
  EXPECT_NE(epochPermutation(1000, 1, 2), epochPermutation(1000, 2, 1));
}

TEST(EpochPermutation, RoughlyUniform) {
  // Where element 0 lands over many epochs: each of 8 slots about 1/8.
  int counts[8] = {};
  for (int64_t e = 0; e < 8000; ++e)
    ++counts[epochPermutation(8, 7, e)[0]];
  for (int c : counts) {
    EXPECT_GT(c, 850);
    EXPECT_LT(c, 1150);
  }
}

TEST(Batcher, GatherEqualsDirectIndexing) {
  ArrayDataset d = dataset(10);
  Result<Batcher> b =
      Batcher::create(d, 4, /*shuffle=*/true, 99, DType::U8, {2, 3, 1}, DType::I64);
  ASSERT_TRUE(b.ok()) << b.status().message();
  EXPECT_EQ(b->stepsPerEpoch(), 3);
  for (int64_t epoch : {0, 1, 5}) {
    std::vector<int64_t> order = epochPermutation(10, 99, epoch);
    std::vector<int64_t> seen;
    HostTensor x, y;
    for (int64_t step = 0; step < 3; ++step) {
      ASSERT_TRUE(b->fill(epoch, step, x, y).ok());
      int64_t rows = step < 2 ? 4 : 2;
      ASSERT_EQ(x.shape(), (std::vector<int64_t>{rows, 2, 3, 1}));
      ASSERT_EQ(y.shape(), (std::vector<int64_t>{rows}));
      for (int64_t r = 0; r < rows; ++r) {
        int64_t idx = order[size_t(step * 4 + r)];
        seen.push_back(idx);
        EXPECT_EQ(y.data<int64_t>()[r], 100 + idx);
        EXPECT_EQ(0, std::memcmp(x.bytes() + r * 6, d.x.bytes() + idx * 6, 6));
      }
    }
    EXPECT_TRUE(isPermutation(seen)); // every example once per epoch
  }
}

TEST(Batcher, NoShuffleIsInOrder) {
  ArrayDataset d = dataset(5);
  Result<Batcher> b =
      Batcher::create(d, 2, false, 1, DType::U8, {6}, DType::I64);
  ASSERT_TRUE(b.ok());
  HostTensor x, y;
  ASSERT_TRUE(b->fill(7, 1, x, y).ok());
  EXPECT_EQ(y.data<int64_t>()[0], 102);
  EXPECT_EQ(y.data<int64_t>()[1], 103);
  EXPECT_EQ(x.data<uint8_t>()[0], 12);
}

TEST(Batcher, LastPartialBatchAndNoReallocation) {
  ArrayDataset d = dataset(10);
  Result<Batcher> b =
      Batcher::create(d, 3, true, 5, DType::F32, {6}, DType::I32);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->stepsPerEpoch(), 4);
  EXPECT_EQ(b->batchRows(0), 3);
  EXPECT_EQ(b->batchRows(3), 1);
  HostTensor x, y;
  ASSERT_TRUE(b->allocate(3, x, y).ok());
  EXPECT_EQ(x.describe(), "f32[3, 6]");
  EXPECT_EQ(y.describe(), "i32[3]");
  const void *xData = x.rawData(), *yData = y.rawData();
  for (int64_t step = 0; step < 3; ++step) {
    ASSERT_TRUE(b->fill(0, step, x, y).ok());
    EXPECT_EQ(x.rawData(), xData); // full batches reuse the buffers
    EXPECT_EQ(y.rawData(), yData);
  }
  ASSERT_TRUE(b->fill(0, 3, x, y).ok());
  EXPECT_EQ(x.describe(), "f32[1, 6]");
  EXPECT_EQ(y.describe(), "i32[1]");
  int64_t idx = epochPermutation(10, 5, 0)[9];
  EXPECT_EQ(y.data<int32_t>()[0], 100 + idx);

  Status s = b->fill(0, 4, x, y);
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(hasSubstr(s.message(), "batch 4 of epoch 0 does not exist"));
  EXPECT_FALSE(b->fill(-1, 0, x, y).ok());
}

TEST(Batcher, ConvertsU8ToFloat) {
  ArrayDataset d = dataset(50);
  for (DType to : {DType::F32, DType::F64}) {
    Result<Batcher> b = Batcher::create(d, 50, false, 0, to, {3, 2}, DType::U8);
    ASSERT_TRUE(b.ok()) << b.status().message();
    HostTensor x, y;
    ASSERT_TRUE(b->fill(0, 0, x, y).ok());
    for (int64_t i = 0; i < 300; ++i) {
      double want = double(uint8_t(i)); // no scaling
      double got = to == DType::F32 ? x.data<float>()[i] : x.data<double>()[i];
      ASSERT_EQ(got, want) << i;
    }
    EXPECT_EQ(y.data<uint8_t>()[49], 149 % 256); // labels 100 + i fit in u8
  }
}

// Examples feed an f16 or bf16 model input rounded to nearest even; the
// expected bits are numpy's (np.float16(0.1).view(np.uint16) == 0x2e66) and
// the bf16 rounding of 0.1f (0x3dcccccd -> 0x3dcd).
TEST(Batcher, ConvertsToHalf) {
  ArrayDataset d = dataset(50);
  struct Case { DType to; uint16_t one, v255; };
  for (Case c : {Case{DType::F16, 0x3c00, 0x5bf8}, Case{DType::BF16, 0x3f80, 0x437f}}) {
    Result<Batcher> b = Batcher::create(d, 50, false, 0, c.to, {3, 2}, DType::U8);
    ASSERT_TRUE(b.ok()) << b.status().message();
    HostTensor x, y;
    ASSERT_TRUE(b->fill(0, 0, x, y).ok());
    ASSERT_EQ(x.dtype(), c.to);
    EXPECT_EQ(x.data<uint16_t>()[0], 0u);
    EXPECT_EQ(x.data<uint16_t>()[1], c.one);
    EXPECT_EQ(x.data<uint16_t>()[255], c.v255);
  }
  ArrayDataset f;
  f.x = std::move(*HostTensor::create(DType::F32, {1, 2}));
  f.x.data<float>()[0] = 0.1f;
  f.x.data<float>()[1] = -65520.0f; // rounds past the largest f16 to -inf
  f.y = std::move(*HostTensor::create(DType::I32, {1}));
  for (auto [to, tenth, big] : {std::tuple{DType::F16, 0x2e66, 0xfc00},
                                std::tuple{DType::BF16, 0x3dcd, 0xc780}}) {
    Result<Batcher> b = Batcher::create(f, 1, false, 0, to, {2}, DType::I32);
    ASSERT_TRUE(b.ok()) << b.status().message();
    HostTensor x, y;
    ASSERT_TRUE(b->fill(0, 0, x, y).ok());
    EXPECT_EQ(x.data<uint16_t>()[0], tenth) << dtypeName(to);
    EXPECT_EQ(x.data<uint16_t>()[1], big) << dtypeName(to);
  }
}

TEST(Batcher, LabelConversions) {
  ArrayDataset d = dataset(4, DType::U8);
  for (DType to : {DType::U8, DType::I8, DType::I32, DType::I64, DType::F32}) {
    Result<Batcher> b = Batcher::create(d, 4, false, 0, DType::U8, {6}, to);
    ASSERT_TRUE(b.ok()) << dtypeName(to) << ": " << b.status().message();
    HostTensor x, y;
    ASSERT_TRUE(b->fill(0, 0, x, y).ok());
    EXPECT_EQ(y.dtype(), to);
    if (to == DType::I32)
      EXPECT_EQ(y.data<int32_t>()[3], 3);
    if (to == DType::F32)
      EXPECT_EQ(y.data<float>()[3], 3.0f);
  }
  // I64 labels 100..399 do not fit in i8.
  ArrayDataset big = dataset(300);
  Result<Batcher> b = Batcher::create(big, 4, false, 0, DType::U8, {6}, DType::I8);
  ASSERT_FALSE(b.ok());
  EXPECT_TRUE(hasSubstr(b.status().message(), "label 128 at index 28 does not fit in i8"));
}

TEST(Batcher, ShapeAndDTypeErrors) {
  ArrayDataset d = dataset(4);
  Result<Batcher> b = Batcher::create(d, 2, false, 0, DType::U8, {28, 28, 1}, DType::I32);
  ASSERT_FALSE(b.ok());
  EXPECT_TRUE(hasSubstr(b.status().message(),
                        "examples of shape [2, 3] (6 elements) cannot feed a "
                        "model input of shape [28, 28, 1] (784 elements)"));
  b = Batcher::create(d, 0, false, 0, DType::U8, {6}, DType::I32);
  ASSERT_FALSE(b.ok());
  EXPECT_TRUE(hasSubstr(b.status().message(), "batch size must be positive"));

  ArrayDataset f;
  f.x = std::move(*HostTensor::create(DType::F32, {2, 3}));
  f.y = std::move(*HostTensor::create(DType::I32, {2}));
  b = Batcher::create(f, 2, false, 0, DType::U8, {3}, DType::I32);
  ASSERT_FALSE(b.ok());
  EXPECT_TRUE(hasSubstr(b.status().message(), "cannot convert examples from f32 to u8"));
  b = Batcher::create(f, 2, false, 0, DType::F64, {3}, DType::I32);
  ASSERT_TRUE(b.ok()) << b.status().message();

  ArrayDataset mismatched;
  mismatched.x = std::move(*HostTensor::create(DType::F32, {3, 3}));
  mismatched.y = std::move(*HostTensor::create(DType::I32, {2}));
  b = Batcher::create(mismatched, 2, false, 0, DType::F32, {3}, DType::I32);
  ASSERT_FALSE(b.ok());
  EXPECT_TRUE(hasSubstr(b.status().message(), "x f32[3, 3] and y i32[2]"));
}

TEST(Batcher, ResumingReproducesTheOrder) {
  ArrayDataset d = dataset(100);
  Result<Batcher> a = Batcher::create(d, 8, true, 123, DType::U8, {6}, DType::I64);
  Result<Batcher> b = Batcher::create(d, 8, true, 123, DType::U8, {6}, DType::I64);
  ASSERT_TRUE(a.ok() && b.ok());
  HostTensor xa, ya, xb, yb;
  // a walks epochs 0..2; b jumps straight to epoch 2 step 5.
  for (int64_t e = 0; e < 3; ++e)
    for (int64_t s = 0; s < a->stepsPerEpoch(); ++s)
      ASSERT_TRUE(a->fill(e, s, xa, ya).ok());
  ASSERT_TRUE(a->fill(2, 5, xa, ya).ok());
  ASSERT_TRUE(b->fill(2, 5, xb, yb).ok());
  EXPECT_TRUE(sameTensor(xa, xb));
  EXPECT_TRUE(sameTensor(ya, yb));
}

namespace {
/// n examples of u8 [2, 3] as in dataset(), with float targets of `yShape`
/// per example in `yDType` (F32 or F64): element j of example i is
/// `value(i, j)`.
template <typename F>
ArrayDataset floatTargets(int64_t n, DType yDType, std::vector<int64_t> yShape,
                          F value) {
  ArrayDataset d = dataset(n);
  yShape.insert(yShape.begin(), n);
  d.y = std::move(*HostTensor::create(yDType, yShape));
  int64_t per = d.y.numElements() / n;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < per; ++j) {
      if (yDType == DType::F32)
        d.y.data<float>()[i * per + j] = float(value(i, j));
      else
        d.y.data<double>()[i * per + j] = value(i, j);
    }
  return d;
}
} // namespace

TEST(Batcher, OneHotTargetsEqualDirectIndexing) {
  // 10 examples, one-hot over 10 classes (example i is class i), so every
  // target row is distinct and a misplaced row shows.
  ArrayDataset d = floatTargets(10, DType::F32, {10},
                                [](int64_t i, int64_t j) { return i == j; });
  Result<Batcher> b = Batcher::create(d, 4, /*shuffle=*/true, 7, DType::F32,
                                      {6}, DType::F32, {10});
  ASSERT_TRUE(b.ok()) << b.status().message();
  HostTensor x, y;
  ASSERT_TRUE(b->allocate(4, x, y).ok());
  EXPECT_EQ(y.describe(), "f32[4, 10]");
  for (int64_t epoch : {0, 3}) {
    std::vector<int64_t> order = epochPermutation(10, 7, epoch);
    // Full batches fill the buffers they find (from allocate() or step 0).
    ASSERT_TRUE(b->allocate(4, x, y).ok());
    const void *yData = y.rawData();
    for (int64_t step = 0; step < 3; ++step) {
      ASSERT_TRUE(b->fill(epoch, step, x, y).ok());
      int64_t rows = step < 2 ? 4 : 2;
      ASSERT_EQ(y.shape(), (std::vector<int64_t>{rows, 10}));
      if (step < 2)
        EXPECT_EQ(y.rawData(), yData);
      for (int64_t r = 0; r < rows; ++r) {
        int64_t idx = order[size_t(step * 4 + r)];
        EXPECT_EQ(0, std::memcmp(y.bytes() + r * 40, d.y.bytes() + idx * 40, 40));
        EXPECT_EQ(x.data<float>()[r * 6], float(uint8_t(idx * 6)));
      }
    }
  }
}

TEST(Batcher, ConvertsFloatTargets) {
  // f64 -> f32 rounds as a cast does; f32 -> f64 is exact. [N, 2, 3]
  // targets feed a [6] model target.
  ArrayDataset d64 = floatTargets(5, DType::F64, {2, 3}, [](int64_t i, int64_t j) {
    return 0.1 * double(i * 6 + j) - 1;
  });
  Result<Batcher> b = Batcher::create(d64, 5, false, 0, DType::U8, {6},
                                      DType::F32, {6});
  ASSERT_TRUE(b.ok()) << b.status().message();
  HostTensor x, y;
  ASSERT_TRUE(b->fill(0, 0, x, y).ok());
  EXPECT_EQ(y.describe(), "f32[5, 6]");
  for (int64_t i = 0; i < 30; ++i)
    ASSERT_EQ(y.data<float>()[i], float(d64.y.data<double>()[i])) << i;

  ArrayDataset d32 = floatTargets(5, DType::F32, {1}, [](int64_t i, int64_t) {
    return 0.1 * double(i);
  });
  b = Batcher::create(d32, 5, false, 0, DType::U8, {6}, DType::F64, {1});
  ASSERT_TRUE(b.ok()) << b.status().message();
  ASSERT_TRUE(b->fill(0, 0, x, y).ok());
  EXPECT_EQ(y.describe(), "f64[5, 1]"); // [N, 1] float stays [N, 1]
  for (int64_t i = 0; i < 5; ++i)
    ASSERT_EQ(y.data<double>()[i], double(d32.y.data<float>()[i])) << i;
}

TEST(Batcher, IntegerLabelsAsFloatColumn) {
  // Integer labels [N] feed a binary_crossentropy-style f32 [1] target.
  ArrayDataset d = dataset(4, DType::U8);
  Result<Batcher> b = Batcher::create(d, 4, false, 0, DType::U8, {6},
                                      DType::F32, {1});
  ASSERT_TRUE(b.ok()) << b.status().message();
  HostTensor x, y;
  ASSERT_TRUE(b->fill(0, 0, x, y).ok());
  EXPECT_EQ(y.describe(), "f32[4, 1]");
  EXPECT_EQ(y.data<float>()[3], 3.0f);
}

TEST(Batcher, TargetErrors) {
  ArrayDataset oneHot = floatTargets(4, DType::F32, {10},
                                     [](int64_t i, int64_t j) { return i == j; });
  // Element counts that differ, both ways round.
  Result<Batcher> b = Batcher::create(oneHot, 2, false, 0, DType::U8, {6}, DType::F32);
  ASSERT_FALSE(b.ok());
  EXPECT_TRUE(hasSubstr(b.status().message(),
                        "targets of shape [10] (10 elements) cannot feed a "
                        "model target of shape [] (1 elements)"))
      << b.status().message();
  b = Batcher::create(oneHot, 2, false, 0, DType::U8, {6}, DType::F32, {2, 4});
  ASSERT_FALSE(b.ok());
  EXPECT_TRUE(hasSubstr(b.status().message(), "model target of shape [2, 4] (8 elements)"));
  ArrayDataset labels = dataset(4);
  b = Batcher::create(labels, 2, false, 0, DType::U8, {6}, DType::F32, {10});
  ASSERT_FALSE(b.ok());
  EXPECT_TRUE(hasSubstr(b.status().message(),
                        "labels of shape [] (1 elements) cannot feed a model "
                        "target of shape [10] (10 elements)"));

  // Float targets never become integers.
  b = Batcher::create(oneHot, 2, false, 0, DType::U8, {6}, DType::I32, {10});
  ASSERT_FALSE(b.ok());
  EXPECT_TRUE(hasSubstr(b.status().message(),
                        "cannot convert targets from f32 to i32"));
  // They round to an f16 target (a hand-written f16 model's), and f16
  // data is refused.
  b = Batcher::create(oneHot, 2, false, 0, DType::U8, {6}, DType::F16, {10});
  ASSERT_TRUE(b.ok()) << b.status().message();
  HostTensor x, y;
  ASSERT_TRUE(b->fill(0, 0, x, y).ok());
  EXPECT_EQ(y.data<uint16_t>()[0], 0x3c00u); // one-hot 1.0
  EXPECT_EQ(y.data<uint16_t>()[1], 0u);
  ArrayDataset half = dataset(4);
  half.y = std::move(*HostTensor::create(DType::F16, {4}));
  b = Batcher::create(half, 2, false, 0, DType::U8, {6}, DType::F32);
  ASSERT_FALSE(b.ok());
  EXPECT_TRUE(hasSubstr(b.status().message(),
                        "y must be integer labels or f32/f64 targets, found f16[4]"));
}
