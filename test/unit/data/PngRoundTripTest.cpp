// Encoding PNGs and writing them to files: round trips and refused tensors.
#include "PngTestUtil.h"

#include <gtest/gtest.h>

#include <random>

namespace weir::test {
namespace {

int luminance(int r, int g, int b) {
  return (2989 * r + 5870 * g + 1140 * b + 5000) / 10000;
}

HostTensor randomImage(int64_t h, int64_t w, int64_t c, uint32_t seed) {
  std::mt19937 rng(seed);
  return makeImage(h, w, c, [&](size_t) { return rng() & 0xFF; });
}

ColorMode modeOf(int64_t channels) {
  return channels == 1   ? ColorMode::Grayscale
         : channels == 3 ? ColorMode::RGB
                         : ColorMode::RGBA;
}

// The image as `to` channels, converted by the rules Png.h states.
std::vector<int> converted(const HostTensor &image, int to) {
  int from = static_cast<int>(image.shape()[2]);
  std::vector<int> out;
  const uint8_t *p = image.bytes();
  for (int64_t i = 0; i < image.numElements() / from; ++i, p += from) {
    int r = p[0], g = from == 1 ? p[0] : p[1], b = from == 1 ? p[0] : p[2];
    int a = from == 4 ? p[3] : 255;
    if (to == 1)
      out.push_back(from == 1 ? r : luminance(r, g, b));
    else
      out.insert(out.end(), {r, g, b});
    if (to == 4)
      out.push_back(a);
  }
  return out;
}

class PngRoundTrip : public ::testing::TestWithParam<int> {};

TEST_P(PngRoundTrip, EncodeThenDecodeInEveryMode) {
  int channels = GetParam();
  HostTensor image = randomImage(23, 37, channels, 1000 + channels);
  Result<Bytes> png = encodePng(image);
  ASSERT_TRUE(png.ok()) << png.status().message();
  EXPECT_TRUE(
      std::equal(kPngSignature.begin(), kPngSignature.end(), png->begin()));
  Result<HostTensor> same = decode(*png, modeOf(channels));
  ASSERT_TRUE(same.ok()) << same.status().message();
  EXPECT_TRUE(sameTensor(*same, image));
  for (int to : {1, 3, 4})
    expectImage(decode(*png, modeOf(to)), 23, 37, to, converted(image, to));
}

TEST_P(PngRoundTrip, LargeImagesDecodeInBatches) {
  // 300 rows of 250 pixels: more than one 64 KiB batch of rows whatever the
  // channels, through the direct and the converting paths.
  int channels = GetParam();
  HostTensor image = randomImage(300, 250, channels, 2000 + channels);
  Result<Bytes> png = encodePng(image);
  ASSERT_TRUE(png.ok()) << png.status().message();
  for (int to : {1, 3, 4})
    expectImage(decode(*png, modeOf(to)), 300, 250, to, converted(image, to));
}

TEST_P(PngRoundTrip, WriteThenReadFile) {
  int channels = GetParam();
  TempDir dir;
  std::string path = dir.file("image.png");
  HostTensor image = randomImage(5, 7, channels, 3000 + channels);
  ASSERT_TRUE(writePngFile(path, image).ok());
  EXPECT_EQ(dir.list(), std::vector<std::string>{"image.png"});
  Result<HostTensor> back = readPngFile(path, modeOf(channels));
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_TRUE(sameTensor(*back, image));
  // The file holds exactly what encodePng gives.
  Result<Bytes> png = encodePng(image);
  ASSERT_TRUE(png.ok());
  std::string onDisk = readBytes(path);
  EXPECT_EQ(Bytes(onDisk.begin(), onDisk.end()), *png);
}

INSTANTIATE_TEST_SUITE_P(Channels, PngRoundTrip, ::testing::Values(1, 3, 4));

TEST(PngColorMode, KerasNames) {
  for (ColorMode mode : kAllModes)
    EXPECT_EQ(parseColorMode(colorModeName(mode)), mode);
  EXPECT_STREQ(colorModeName(ColorMode::Grayscale), "grayscale");
  EXPECT_EQ(colorModeChannels(ColorMode::Grayscale), 1);
  EXPECT_EQ(colorModeChannels(ColorMode::RGB), 3);
  EXPECT_EQ(colorModeChannels(ColorMode::RGBA), 4);
  EXPECT_EQ(parseColorMode("RGB"), std::nullopt);
  EXPECT_EQ(parseColorMode("gray"), std::nullopt);
}

TEST(PngEncode, ExtremeShapes) {
  // Wider than libpng's default limit of a million pixels per row, a single
  // column, a single pixel.
  for (auto [h, w] :
       {std::pair<int64_t, int64_t>{1, 1000001}, {3000, 1}, {1, 1}}) {
    HostTensor image = makeImage(h, w, 1, [](size_t i) { return i % 251; });
    Result<Bytes> png = encodePng(image);
    ASSERT_TRUE(png.ok()) << png.status().message();
    Result<HostTensor> back = decode(*png, ColorMode::Grayscale);
    ASSERT_TRUE(back.ok()) << back.status().message();
    EXPECT_TRUE(sameTensor(*back, image)) << h << "x" << w;
  }
}

TEST(PngEncode, RefusesTensorsThatAreNotImages) {
  Result<HostTensor> f32 = HostTensor::create(DType::F32, {2, 2, 3});
  ASSERT_TRUE(f32.ok());
  expectErrorIs(encodePng(*f32),
                "cannot write f32[2, 2, 3] as PNG: needs u8 elements");
  Result<HostTensor> flat = HostTensor::create(DType::U8, {2, 2});
  ASSERT_TRUE(flat.ok());
  expectErrorIs(encodePng(*flat), "cannot write u8[2, 2] as PNG: needs shape "
                                  "[height, width, channels]");
  Result<HostTensor> twoChannels = HostTensor::create(DType::U8, {2, 2, 2});
  ASSERT_TRUE(twoChannels.ok());
  expectErrorIs(encodePng(*twoChannels),
                "cannot write u8[2, 2, 2] as PNG: needs 1, 3 or 4 channels "
                "(grayscale, RGB, RGBA), got 2");
  Result<HostTensor> empty = HostTensor::create(DType::U8, {0, 4, 3});
  ASSERT_TRUE(empty.ok());
  expectErrorIs(encodePng(*empty), "cannot write u8[0, 4, 3] as PNG: height "
                                   "and width must be 1 to 2147483647");
  HostTensor placeholder;
  EXPECT_FALSE(encodePng(placeholder).ok());
}

TEST(PngWrite, ErrorsNameThePathAndLeaveNoFiles) {
  TempDir dir;
  std::string path = dir.file("out.png");
  Result<HostTensor> f32 = HostTensor::create(DType::F32, {2, 2, 3});
  ASSERT_TRUE(f32.ok());
  expectErrorIs(writePngFile(path, *f32),
                path + ": cannot write f32[2, 2, 3] as PNG: needs u8 elements");
  std::string missingDir = dir.file("no/such/dir/out.png");
  HostTensor image = randomImage(2, 2, 3, 7);
  expectErrorStartsWith(writePngFile(missingDir, image),
                        missingDir + ": cannot create temporary file");
  EXPECT_TRUE(dir.list().empty());
}

TEST(PngWrite, ReplacesAFileAndAFailedWriteKeepsIt) {
  TempDir dir;
  std::string path = dir.file("out.png");
  ASSERT_TRUE(writePngFile(path, randomImage(4, 4, 3, 1)).ok());
  HostTensor second = randomImage(6, 3, 4, 2);
  ASSERT_TRUE(writePngFile(path, second).ok());
  Result<HostTensor> back = readPngFile(path, ColorMode::RGBA);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_TRUE(sameTensor(*back, second));
  Result<HostTensor> bad = HostTensor::create(DType::U8, {2, 2, 5});
  ASSERT_TRUE(bad.ok());
  EXPECT_FALSE(writePngFile(path, *bad).ok());
  back = readPngFile(path, ColorMode::RGBA);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_TRUE(sameTensor(*back, second));
  EXPECT_EQ(dir.list(), std::vector<std::string>{"out.png"});
}

} // namespace
} // namespace weir::test
