// tf.image.resize (half-pixel centers, no antialias), rounded to u8, against
// values computed by hand; and resizing and mode conversion through open().
#include "runtime/pipeline/Internal.h"
#include "test/unit/pipeline/PipelineTestUtil.h"

using namespace weir;
using namespace weir::pipeline;
using namespace weir::test;

namespace {

std::vector<int> resized(const std::vector<uint8_t> &in, int64_t inH,
                         int64_t inW, int64_t c, int64_t outH, int64_t outW,
                         Resize method) {
  std::vector<uint8_t> out(size_t(outH * outW * c));
  resizeImage(in.data(), inH, inW, c, out.data(), outH, outW, method);
  return std::vector<int>(out.begin(), out.end());
}

TEST(Resize, BilinearUpscale2x2To4x4) {
  // Source coordinates (i + 0.5) / 2 - 0.5 = -0.25, 0.25, 0.75, 1.25:
  // rows [0, 100] -> [0, 25, 75, 100] and [200, 50] -> [200, 162.5, 87.5,
  // 50], then the same weights down the columns; halves round to even.
  EXPECT_EQ(resized({0, 100, 200, 50}, 2, 2, 1, 4, 4, Resize::Bilinear),
            (std::vector<int>{0, 25, 75, 100,    //
                              50, 59, 78, 88,    // 59.375 78.125 87.5
                              150, 128, 84, 62,  // 128.125 84.375 62.5
                              200, 162, 88, 50})); // 162.5 87.5
}

TEST(Resize, BilinearDownscaleAveragesPairs) {
  // (i + 0.5) * 2 - 0.5 = 0.5, 2.5: the mean of each pair; 35.5 -> 36.
  EXPECT_EQ(resized({10, 20, 30, 41}, 1, 4, 1, 1, 2, Resize::Bilinear),
            (std::vector<int>{15, 36}));
}

TEST(Resize, BilinearKeepsChannelsApart) {
  EXPECT_EQ(resized({0, 255, 100, 200, 0, 0}, 1, 2, 3, 1, 4,
                    Resize::Bilinear),
            (std::vector<int>{0, 255, 100,   // clamped to the edge
                              50, 191, 75,   // 50, 191.25, 75
                              150, 64, 25,   // 150, 63.75, 25
                              200, 0, 0}));
}

TEST(Resize, Nearest) {
  // floor((i + 0.5) * in / out): 2 -> 4 gives 0 0 1 1; 3 -> 2 gives 0 2.
  EXPECT_EQ(resized({7, 9}, 1, 2, 1, 1, 4, Resize::Nearest),
            (std::vector<int>{7, 7, 9, 9}));
  EXPECT_EQ(resized({1, 2, 3}, 3, 1, 1, 2, 1, Resize::Nearest),
            (std::vector<int>{1, 3}));
}

TEST(Resize, ThroughThePipelineAndColorModes) {
  TempDir dir;
  // A 2x2 RGB image whose gray values are 0, 100, 200, 50 (equal channels).
  Result<HostTensor> t = HostTensor::create(DType::U8, {2, 2, 3});
  ASSERT_TRUE(t.ok());
  int gray[4] = {0, 100, 200, 50};
  for (int i = 0; i < 12; ++i)
    t->bytes()[i] = uint8_t(gray[i / 3]);
  std::filesystem::create_directories(dir.file("a"));
  ASSERT_TRUE(writePngFile(dir.file("a/x.png"), *t).ok());
  PipelineSpec spec = smallSpec(dir.path());
  spec.source.height = spec.source.width = 4;
  spec.source.resize = Resize::Bilinear;
  spec.source.color = ColorMode::Grayscale;
  auto p = openOrFail(spec);
  ASSERT_TRUE(p);
  Collected c = collect(*p, 0);
  ASSERT_EQ(c.error, "");
  ASSERT_EQ(c.images.size(), 1u);
  EXPECT_EQ(std::vector<int>(c.images[0].begin(), c.images[0].end()),
            (std::vector<int>{0, 25, 75, 100, 50, 59, 78, 88, 150, 128, 84,
                              62, 200, 162, 88, 50}));
}

} // namespace
