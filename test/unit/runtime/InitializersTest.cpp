// Initializers: Keras' fans and distributions, checked by sample moments,
// and bitwise reproducibility by seed.
#include "runtime/init/Initializers.h"
#include "runtime/Float16.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

using namespace weir;

namespace {
HostTensor make(std::vector<int64_t> shape, DType dtype = DType::F32) {
  Result<HostTensor> t = HostTensor::create(dtype, std::move(shape));
  EXPECT_TRUE(t.ok());
  return std::move(*t);
}

struct Moments {
  double mean = 0, var = 0, maxAbs = 0;
};
Moments moments(const HostTensor &t) {
  Moments m;
  const float *x = t.data<float>();
  for (int64_t i = 0; i < t.numElements(); ++i) {
    m.mean += x[i];
    m.maxAbs = std::max(m.maxAbs, std::fabs(double(x[i])));
  }
  m.mean /= double(t.numElements());
  for (int64_t i = 0; i < t.numElements(); ++i)
    m.var += (x[i] - m.mean) * (x[i] - m.mean);
  m.var /= double(t.numElements());
  return m;
}
} // namespace

TEST(Initializers, KerasFans) {
  Fans dense = computeFans({784, 64});
  EXPECT_EQ(dense.in, 784);
  EXPECT_EQ(dense.out, 64);
  Fans conv = computeFans({3, 3, 32, 64}); // HWIO: receptive field 9
  EXPECT_EQ(conv.in, 9 * 32);
  EXPECT_EQ(conv.out, 9 * 64);
  Fans vec = computeFans({10});
  EXPECT_EQ(vec.in, 10);
  EXPECT_EQ(vec.out, 10);
}

TEST(Initializers, GlorotUniformBoundsAndVariance) {
  HostTensor t = make({400, 200});
  ASSERT_TRUE(initialize(t, Initializer::GlorotUniform, 1).ok());
  double limit = std::sqrt(6.0 / 600.0);
  Moments m = moments(t);
  EXPECT_LE(m.maxAbs, limit);
  EXPECT_NEAR(m.mean, 0.0, 0.01 * limit);
  EXPECT_NEAR(m.var, limit * limit / 3.0, 0.03 * limit * limit / 3.0);
}

TEST(Initializers, HeNormalIsTruncatedWithKerasVariance) {
  HostTensor t = make({3, 3, 64, 128});
  ASSERT_TRUE(initialize(t, Initializer::HeNormal, 2).ok());
  double fanIn = 3 * 3 * 64;
  double stddev = std::sqrt(2.0 / fanIn) / 0.87962566103423978;
  Moments m = moments(t);
  // Truncated at two standard deviations of the underlying normal, whose
  // variance the 0.8796 factor restores to 2 / fan_in.
  EXPECT_LE(m.maxAbs, 2.0 * stddev + 1e-6);
  EXPECT_NEAR(m.var, 2.0 / fanIn, 0.03 * 2.0 / fanIn);
}

TEST(Initializers, ConstantsAreExact) {
  HostTensor z = make({5}), o = make({2, 3}, DType::F64);
  ASSERT_TRUE(initialize(z, Initializer::Zeros, 9).ok());
  ASSERT_TRUE(initialize(o, Initializer::Ones, 9).ok());
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(z.data<float>()[i], 0.0f);
  for (int i = 0; i < 6; ++i)
    EXPECT_EQ(o.data<double>()[i], 1.0);
}

TEST(Initializers, SameSeedSameBitsOtherSeedOtherBits) {
  HostTensor a = make({64, 64}), b = make({64, 64}), c = make({64, 64});
  ASSERT_TRUE(initialize(a, Initializer::GlorotNormal, 42).ok());
  ASSERT_TRUE(initialize(b, Initializer::GlorotNormal, 42).ok());
  ASSERT_TRUE(initialize(c, Initializer::GlorotNormal, 43).ok());
  EXPECT_EQ(std::memcmp(a.rawData(), b.rawData(), a.byteSize()), 0);
  EXPECT_NE(std::memcmp(a.rawData(), c.rawData(), a.byteSize()), 0);
  EXPECT_EQ(deriveSeed(7, "dense.kernel"), deriveSeed(7, "dense.kernel"));
  EXPECT_NE(deriveSeed(7, "dense.kernel"), deriveSeed(7, "dense.bias"));
  EXPECT_NE(deriveSeed(7, "dense.kernel"), deriveSeed(8, "dense.kernel"));
}

TEST(Initializers, RejectsIntegerTensors) {
  HostTensor t = make({4}, DType::I32);
  EXPECT_FALSE(initialize(t, Initializer::Ones, 1).ok());
}

// An f16 or bf16 parameter gets its f32 twin's draws, rounded to nearest
// even, element by element.
TEST(Initializers, HalfTensorsAreTheRoundedF32Draws) {
  HostTensor f32 = make({64, 32});
  ASSERT_TRUE(initialize(f32, Initializer::GlorotUniform, 11).ok());
  for (DType dtype : {DType::F16, DType::BF16}) {
    HostTensor half = make({64, 32}, dtype);
    ASSERT_TRUE(initialize(half, Initializer::GlorotUniform, 11).ok());
    const float *x = f32.data<float>();
    const uint16_t *h = half.data<uint16_t>();
    int64_t nonzero = 0;
    for (int64_t i = 0; i < f32.numElements(); ++i) {
      float back = dtype == DType::F16 ? halfToFloat(h[i]) : bf16ToFloat(h[i]);
      // Within half a unit in the last place of the 16-bit format.
      double ulp = dtype == DType::F16 ? 0x1.0p-10 : 0x1.0p-7;
      EXPECT_LE(std::fabs(double(back) - x[i]),
                0.5 * ulp * std::max(std::fabs(double(x[i])), 0x1.0p-14))
          << i;
      nonzero += back != 0;
    }
    EXPECT_GT(nonzero, f32.numElements() - 4);
  }
}
