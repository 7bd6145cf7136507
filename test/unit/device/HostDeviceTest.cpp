// The CPU device, the host GEMM/convolution loops, the memory pool's size
// classes, --device parsing and the C library calls on the CPU.
#include "runtime/device/DeviceCalls.h"
#include "runtime/device/HostKernels.h"
#include "runtime/device/MemoryPool.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <random>
#include <vector>

using namespace weir;
using namespace weir::device;

namespace {

std::vector<float> randoms(size_t n, unsigned seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (float &x : v)
    x = dist(gen);
  return v;
}

double dot(const std::vector<float> &a, const std::vector<float> &b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i)
    s += double(a[i]) * b[i];
  return s;
}

TEST(HostKernels, GemmMatchesHandComputed) {
  // [2,3] x [3,2]
  std::vector<float> a = {1, 2, 3, 4, 5, 6}, b = {7, 8, 9, 10, 11, 12}, c(4);
  GemmArgs g;
  g.a = {a.data(), 2, 3, 3};
  g.b = {b.data(), 3, 2, 2};
  g.c = {c.data(), 2, 2, 2};
  ASSERT_TRUE(checkGemm(g).ok());
  hostGemm(g);
  EXPECT_EQ(c, (std::vector<float>{58, 64, 139, 154}));
  // The same with A given transposed ([3,2] storage).
  std::vector<float> at = {1, 4, 2, 5, 3, 6}, c2(4);
  g.a = {at.data(), 3, 2, 2};
  g.transA = true;
  g.c = {c2.data(), 2, 2, 2};
  ASSERT_TRUE(checkGemm(g).ok());
  hostGemm(g);
  EXPECT_EQ(c2, c);
}

TEST(HostKernels, GemmShapeErrorsNameTheMismatch) {
  std::vector<float> buf(64);
  GemmArgs g;
  g.a = {buf.data(), 2, 3, 3};
  g.b = {buf.data(), 4, 2, 2};
  g.c = {buf.data(), 2, 2, 2};
  Status s = checkGemm(g);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(), "gemm: op(A) is [2, 3] but op(B) is [4, 2]");
}

// The three convolutions are adjoint: <conv(x,w), dy> = <x, bwd_data(dy,w)>
// = <w, bwd_filter(x,dy)>. Checked with stride, padding and dilation.
TEST(HostKernels, ConvolutionsAreAdjoint) {
  Conv2dArgs c;
  c.strideH = 2;
  c.strideW = 1;
  c.padH = 1;
  c.padW = 2;
  c.dilationW = 2;
  int64_t N = 2, H = 7, W = 6, C = 3, KH = 3, KW = 2, F = 4;
  int64_t OH = (H + 2 * 1 - (KH - 1) - 1) / 2 + 1;
  int64_t OW = (W + 2 * 2 - 2 * (KW - 1) - 1) / 1 + 1;
  std::vector<float> x = randoms(N * H * W * C, 1), w = randoms(KH * KW * C * F, 2),
                     dy = randoms(N * OH * OW * F, 3);
  std::vector<float> y(dy.size()), dx(x.size()), dw(w.size());
  auto args = [&](float *xp, float *wp, float *yp) {
    Conv2dArgs a = c;
    a.x = {xp, {N, H, W, C}};
    a.w = {wp, {KH, KW, C, F}};
    a.y = {yp, {N, OH, OW, F}};
    return a;
  };
  ASSERT_TRUE(checkConv2d(args(x.data(), w.data(), y.data())).ok());
  hostConv2d(ConvKind::Forward, args(x.data(), w.data(), y.data()));
  hostConv2d(ConvKind::BackwardData, args(dx.data(), w.data(), dy.data()));
  hostConv2d(ConvKind::BackwardFilter, args(x.data(), dw.data(), dy.data()));
  double ref = dot(y, dy);
  EXPECT_NEAR(dot(x, dx), ref, 1e-4 * std::abs(ref) + 1e-5);
  EXPECT_NEAR(dot(w, dw), ref, 1e-4 * std::abs(ref) + 1e-5);
}

TEST(HostKernels, ConvOutputShapeIsChecked) {
  std::vector<float> buf(1024);
  Conv2dArgs c;
  c.x = {buf.data(), {1, 5, 5, 2}};
  c.w = {buf.data(), {3, 3, 2, 4}};
  c.y = {buf.data(), {1, 5, 5, 4}}; // no padding: 3x3 expected
  Status s = checkConv2d(c);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("expected [1, 3, 3, 4]"), std::string::npos)
      << s.message();
}

TEST(MemoryPool, SizeClasses) {
  EXPECT_EQ(MemoryPool::sizeClass(1), 512u);
  EXPECT_EQ(MemoryPool::sizeClass(512), 512u);
  EXPECT_EQ(MemoryPool::sizeClass(513), 640u);   // 512 + 128
  EXPECT_EQ(MemoryPool::sizeClass(1000), 1024u);
  EXPECT_EQ(MemoryPool::sizeClass(1024), 1024u);
  EXPECT_EQ(MemoryPool::sizeClass(1025), 1280u);
  EXPECT_EQ(MemoryPool::sizeClass((1u << 20) + 1), (1u << 20) + (1u << 18));
}

TEST(MemoryPool, ReusesFreedBlocksAndReleasesOnFailure) {
  int allocs = 0, frees = 0;
  bool failNext = false;
  MemoryPool pool(
      [&](size_t n) -> Result<void *> {
        if (failNext) {
          failNext = false;
          return Status::error("out of memory");
        }
        ++allocs;
        return std::malloc(n);
      },
      [&](void *p, size_t) {
        ++frees;
        std::free(p);
      });
  void *a = *pool.allocate(1000);
  ASSERT_TRUE(pool.deallocate(a).ok());
  void *b = *pool.allocate(900); // same class: the same block
  EXPECT_EQ(a, b);
  EXPECT_EQ(allocs, 1);
  EXPECT_EQ(pool.stats().hits, 1u);
  EXPECT_FALSE(pool.deallocate(reinterpret_cast<void *>(0x10)).ok());
  ASSERT_TRUE(pool.deallocate(b).ok());
  // A failing backing allocation releases the cache and retries.
  failNext = true;
  Result<void *> c = pool.allocate(1 << 16);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(frees, 1);
  EXPECT_EQ(pool.stats().bytesCached, 0u);
  ASSERT_TRUE(pool.deallocate(*c).ok());
}

// Reuse::AfterRecycle parks freed blocks until recycle(); they count as
// cached, survive releaseCached(), and are freed with the pool.
TEST(MemoryPool, DefersReuseUntilRecycled) {
  int allocs = 0, frees = 0;
  {
    MemoryPool pool(
        [&](size_t n) -> Result<void *> {
          ++allocs;
          return std::malloc(n);
        },
        [&](void *p, size_t) {
          ++frees;
          std::free(p);
        },
        MemoryPool::Reuse::AfterRecycle);
    void *a = *pool.allocate(1000);
    EXPECT_TRUE(pool.owns(a));
    ASSERT_TRUE(pool.deallocate(a).ok());
    EXPECT_FALSE(pool.owns(a));
    EXPECT_EQ(pool.stats().bytesCached, 1024u);
    pool.releaseCached(); // pending blocks are not the cache's to release
    EXPECT_EQ(frees, 0);
    void *b = *pool.allocate(1000);
    EXPECT_NE(a, b);
    pool.recycle();
    void *c = *pool.allocate(1000);
    EXPECT_EQ(a, c);
    EXPECT_EQ(allocs, 2);
    ASSERT_TRUE(pool.deallocate(b).ok());
  }
  EXPECT_EQ(frees, 2); // c (in use) and b (pending) at destruction
}

TEST(CpuDevice, CopiesAndRefusesKernels) {
  std::unique_ptr<Device> d = makeCpuDevice();
  EXPECT_EQ(d->name(), "cpu");
  Result<void *> p = d->allocate(16);
  ASSERT_TRUE(p.ok());
  float in[4] = {1, 2, 3, 4}, out[4] = {};
  ASSERT_TRUE(d->copyToDevice(*p, in, sizeof(in)).ok());
  ASSERT_TRUE(d->copyToHost(out, *p, sizeof(out)).ok());
  EXPECT_EQ(out[3], 4.0f);
  ASSERT_TRUE(d->deallocate(*p).ok());
  Result<Module> m = d->loadModule(in, 4);
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("cannot load GPU modules"),
            std::string::npos);
}

TEST(DeviceChoice, Parses) {
  EXPECT_EQ(*parseDeviceChoice("auto"), DeviceChoice::Auto);
  EXPECT_EQ(*parseDeviceChoice("cuda"), DeviceChoice::Cuda);
  Result<DeviceChoice> bad = parseDeviceChoice("gpu");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            "unknown device 'gpu' (expected cpu, cuda or auto)");
}

TEST(DeviceCalls, GemmOnTheCpuThroughMemRefDescriptors) {
  setCurrentDevice(nullptr); // no device: the CPU
  std::vector<float> a = {1, 2, 3, 4, 5, 6}, b = {7, 8, 9, 10, 11, 12};
  std::vector<float> c(4, 1.0f);
  WeirMemRef2D ma{a.data(), a.data(), 0, {2, 3}, {3, 1}};
  WeirMemRef2D mb{b.data(), b.data(), 0, {3, 2}, {2, 1}};
  WeirMemRef2D mc{c.data(), c.data(), 0, {2, 2}, {2, 1}};
  ASSERT_EQ(weir_cublas_gemm_f32(&ma, &mb, &mc, 0, 0, 1.0f, 1.0f), 0)
      << weir_device_last_error();
  EXPECT_EQ(c, (std::vector<float>{59, 65, 140, 155})); // beta = 1 adds C
  WeirMemRef2D strided{a.data(), a.data(), 0, {2, 3}, {3, 2}};
  EXPECT_EQ(weir_cublas_gemm_f32(&strided, &mb, &mc, 0, 0, 1, 0), 1);
  EXPECT_STREQ(weir_device_last_error(),
               "gemm: A is not row-major with unit column stride");
}

TEST(DeviceCalls, ConvForwardOnTheCpu) {
  setCurrentDevice(nullptr);
  // 1x3x3x1 input, 2x2x1x1 filter of ones: sums of 2x2 windows.
  std::vector<float> x = {1, 2, 3, 4, 5, 6, 7, 8, 9}, w = {1, 1, 1, 1}, y(4);
  WeirMemRef4D mx{x.data(), x.data(), 0, {1, 3, 3, 1}, {9, 3, 1, 1}};
  WeirMemRef4D mw{w.data(), w.data(), 0, {2, 2, 1, 1}, {2, 1, 1, 1}};
  WeirMemRef4D my{y.data(), y.data(), 0, {1, 2, 2, 1}, {4, 2, 1, 1}};
  ASSERT_EQ(weir_cudnn_conv2d_fwd_f32(&mx, &mw, &my, 1, 1, 0, 0, 1, 1, 1, 0), 0)
      << weir_device_last_error();
  EXPECT_EQ(y, (std::vector<float>{12, 16, 24, 28}));
  // beta = 1 adds to what y holds (a bias), as linalg's conv does.
  y = {1, 2, 3, 4};
  ASSERT_EQ(weir_cudnn_conv2d_fwd_f32(&mx, &mw, &my, 1, 1, 0, 0, 1, 1, 1, 1), 0)
      << weir_device_last_error();
  EXPECT_EQ(y, (std::vector<float>{13, 18, 27, 32}));
}

// The backward-filter convolution as the CUDA target calls it: the padded
// input, dk and dy, stride 2 by 1, dilation 1 by 2, dk accumulated
// (beta = 1); the reference is the definition, looped.
TEST(DeviceCalls, BackwardFilterOnTheCpu) {
  setCurrentDevice(nullptr);
  const int64_t N = 2, H = 5, W = 6, C = 3, KH = 2, KW = 2, F = 2;
  const int64_t SH = 2, SW = 1, DH = 1, DW = 2;
  const int64_t OH = (H - DH * (KH - 1) - 1) / SH + 1; // 2
  const int64_t OW = (W - DW * (KW - 1) - 1) / SW + 1; // 4
  std::vector<float> x(N * H * W * C), dy(N * OH * OW * F), dk(KH * KW * C * F);
  for (size_t i = 0; i < x.size(); ++i)
    x[i] = float(i % 7) - 3;
  for (size_t i = 0; i < dy.size(); ++i)
    dy[i] = float(i % 5) * 0.5f - 1;
  for (size_t i = 0; i < dk.size(); ++i)
    dk[i] = float(i); // accumulated into, not overwritten
  std::vector<float> want = dk;
  for (int64_t kh = 0; kh < KH; ++kh)
    for (int64_t kw = 0; kw < KW; ++kw)
      for (int64_t c = 0; c < C; ++c)
        for (int64_t f = 0; f < F; ++f)
          for (int64_t n = 0; n < N; ++n)
            for (int64_t oh = 0; oh < OH; ++oh)
              for (int64_t ow = 0; ow < OW; ++ow)
                want[((kh * KW + kw) * C + c) * F + f] +=
                    x[((n * H + oh * SH + kh * DH) * W + ow * SW + kw * DW) * C + c] *
                    dy[((n * OH + oh) * OW + ow) * F + f];
  WeirMemRef4D mx{x.data(), x.data(), 0, {N, H, W, C}, {H * W * C, W * C, C, 1}};
  WeirMemRef4D mdy{dy.data(), dy.data(), 0, {N, OH, OW, F},
                   {OH * OW * F, OW * F, F, 1}};
  WeirMemRef4D mdk{dk.data(), dk.data(), 0, {KH, KW, C, F},
                   {KW * C * F, C * F, F, 1}};
  ASSERT_EQ(weir_cudnn_conv2d_bwd_filter_f32(&mx, &mdk, &mdy, SH, SW, 0, 0, DH,
                                             DW, 1, 1),
            0)
      << weir_device_last_error();
  for (size_t i = 0; i < dk.size(); ++i)
    EXPECT_FLOAT_EQ(dk[i], want[i]) << i;
  // Shapes that disagree are refused with the reason.
  WeirMemRef4D bad{dk.data(), dk.data(), 0, {KH, KW, F, C}, {KW * C * F, C * F, C, 1}};
  EXPECT_EQ(weir_cudnn_conv2d_bwd_filter_f32(&mx, &bad, &mdy, SH, SW, 0, 0, DH,
                                             DW, 1, 1),
            1);
  EXPECT_NE(std::string(weir_device_last_error()).find("conv2d"), std::string::npos)
      << weir_device_last_error();
}

} // namespace
