// Decoding PNGs written by hand (Inputs/make_pngs.py), in every color mode.
#include "PngTestUtil.h"

#include <gtest/gtest.h>
#include <zlib.h>

namespace weir::test {
namespace {

Result<HostTensor> readInput(const std::string &name, ColorMode mode) {
  return readPngFile(inputPath(name), mode);
}

// Each gray value v as (v, v, v), or (v, v, v, 255) with `alpha`.
std::vector<int> replicate(const std::vector<int> &gray, bool alpha) {
  std::vector<int> out;
  for (int v : gray) {
    out.insert(out.end(), {v, v, v});
    if (alpha)
      out.push_back(255);
  }
  return out;
}

const std::vector<int> kGray8 = {0,   17,  34,  51,  100, 150,
                                 200, 250, 255, 128, 64,  1};

TEST(PngDecode, Gray8InEveryMode) {
  expectImage(readInput("gray8.png", ColorMode::Grayscale), 3, 4, 1, kGray8);
  expectImage(readInput("gray8.png", ColorMode::RGB), 3, 4, 3,
              replicate(kGray8, false));
  expectImage(readInput("gray8.png", ColorMode::RGBA), 3, 4, 4,
              replicate(kGray8, true));
}

TEST(PngDecode, Gray16KeepsTheHighByte) {
  // 0x0000 0x00FF 0x0100 / 0x7FFF 0x8000 0xFFFF. Scaling would make 0x00FF
  // a 1 and 0x7FFF a 128.
  expectImage(readInput("gray16.png", ColorMode::Grayscale), 2, 3, 1,
              {0, 0, 1, 127, 128, 255});
  expectImage(readInput("gray16.png", ColorMode::RGB), 2, 3, 3,
              replicate({0, 0, 1, 127, 128, 255}, false));
}

TEST(PngDecode, LowBitDepthGrayIsExpandedTo8Bits) {
  // 1-bit, 10 wide: each row's second byte has 6 padding bits.
  expectImage(readInput("gray1.png", ColorMode::Grayscale), 2, 10, 1,
              {255, 0,   255, 255, 0,   0,   255, 0,   255, 255,
               0,   255, 0,   0,   255, 255, 0,   255, 0,   0});
  expectImage(readInput("gray2.png", ColorMode::Grayscale), 1, 5, 1,
              {0, 85, 170, 255, 170});
  expectImage(readInput("gray4.png", ColorMode::Grayscale), 2, 3, 1,
              {0, 85, 255, 136, 17, 238});
  expectImage(readInput("gray2.png", ColorMode::RGBA), 1, 5, 4,
              replicate({0, 85, 170, 255, 170}, true));
}

TEST(PngDecode, PaletteWithTransparency) {
  // Indices 0 1 2 / 3 4 0 into red, green, blue, (10, 20, 30),
  // (200, 100, 50); tRNS gives entries 0 and 1 alpha 0 and 128.
  expectImage(readInput("palette_trns.png", ColorMode::RGBA), 2, 3, 4,
              {255, 0,  0,  0,   0,   255, 0,  128, 0,   0, 255, 255,
               10,  20, 30, 255, 200, 100, 50, 255, 255, 0, 0,   0});
  expectImage(
      readInput("palette_trns.png", ColorMode::RGB), 2, 3, 3,
      {255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30, 200, 100, 50, 255, 0, 0});
  // 0.2989 R + 0.5870 G + 0.1140 B, rounded: red 76.22, green 149.69,
  // blue 29.07, (10, 20, 30) 18.15, (200, 100, 50) 124.18.
  expectImage(readInput("palette_trns.png", ColorMode::Grayscale), 2, 3, 1,
              {76, 150, 29, 18, 124, 76});
}

TEST(PngDecode, RGBInEveryMode) {
  std::vector<int> rgb = {255, 0,  0,  0,   255, 0,  0,   0,   255,
                          10,  20, 30, 200, 100, 50, 255, 255, 255};
  expectImage(readInput("rgb.png", ColorMode::RGB), 2, 3, 3, rgb);
  expectImage(readInput("rgb.png", ColorMode::RGBA), 2, 3, 4,
              {255, 0,  0,  255, 0,   255, 0,  255, 0,   0,   255, 255,
               10,  20, 30, 255, 200, 100, 50, 255, 255, 255, 255, 255});
  // White is 254.97 (the weights add up to 0.9999), rounded to 255.
  expectImage(readInput("rgb.png", ColorMode::Grayscale), 2, 3, 1,
              {76, 150, 29, 18, 124, 255});
}

TEST(PngDecode, RGBAInEveryMode) {
  expectImage(readInput("rgba.png", ColorMode::RGBA), 2, 2, 4,
              {255, 0, 0, 255, 0, 255, 0, 128, 0, 0, 255, 0, 10, 20, 30, 40});
  // Alpha is dropped, not composited.
  expectImage(readInput("rgba.png", ColorMode::RGB), 2, 2, 3,
              {255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30});
  expectImage(readInput("rgba.png", ColorMode::Grayscale), 2, 2, 1,
              {76, 150, 29, 18});
}

TEST(PngDecode, GrayAlphaInEveryMode) {
  expectImage(readInput("gray_alpha.png", ColorMode::Grayscale), 1, 3, 1,
              {0, 128, 255});
  expectImage(readInput("gray_alpha.png", ColorMode::RGB), 1, 3, 3,
              {0, 0, 0, 128, 128, 128, 255, 255, 255});
  expectImage(readInput("gray_alpha.png", ColorMode::RGBA), 1, 3, 4,
              {0, 0, 0, 255, 128, 128, 128, 64, 255, 255, 255, 0});
}

TEST(PngDecode, GrayTransparencyBecomesAlpha) {
  // tRNS names gray 7 transparent.
  expectImage(readInput("gray_trns.png", ColorMode::RGBA), 1, 3, 4,
              {0, 0, 0, 255, 7, 7, 7, 0, 255, 255, 255, 255});
  expectImage(readInput("gray_trns.png", ColorMode::Grayscale), 1, 3, 1,
              {0, 7, 255});
}

TEST(PngDecode, Rgb16TransparencyComparesAll16Bits) {
  // (0xFFFF, 0x00FF, 0x1234) (0x8000, 0, 0xABCD) (0x80FF, 0, 0xABCD); tRNS
  // is the second, and the third differs from it in a low byte only.
  expectImage(readInput("rgb16_trns.png", ColorMode::RGBA), 1, 3, 4,
              {255, 0, 18, 255, 128, 0, 171, 0, 128, 0, 171, 255});
  expectImage(readInput("rgb16_trns.png", ColorMode::RGB), 1, 3, 3,
              {255, 0, 18, 128, 0, 171, 128, 0, 171});
  // 76.22 + 2.05 = 78.27; 38.26 + 19.49 = 57.75.
  expectImage(readInput("rgb16_trns.png", ColorMode::Grayscale), 1, 3, 1,
              {78, 58, 58});
}

// tf.image.rgb_to_grayscale's weights, rounded; the hand-computed tests
// above pin this down.
int luminance(int r, int g, int b) {
  return (2989 * r + 5870 * g + 1140 * b + 5000) / 10000;
}

TEST(PngDecode, Adam7Interlaced) {
  // 6x5 RGB, pixel (x, y) = (40x, 50y, 7xy + 3); every pass has pixels.
  std::vector<int> rgb, rgba, gray;
  for (int y = 0; y < 5; ++y)
    for (int x = 0; x < 6; ++x) {
      int r = 40 * x, g = 50 * y, b = 7 * x * y + 3;
      rgb.insert(rgb.end(), {r, g, b});
      rgba.insert(rgba.end(), {r, g, b, 255});
      gray.push_back(luminance(r, g, b));
    }
  // Spot checks by hand: (0, 0, 3) is 0.34, (200, 200, 143) is 193.48.
  EXPECT_EQ(gray.front(), 0);
  EXPECT_EQ(gray.back(), 193);
  expectImage(readInput("interlaced.png", ColorMode::RGB), 5, 6, 3, rgb);
  expectImage(readInput("interlaced.png", ColorMode::RGBA), 5, 6, 4, rgba);
  expectImage(readInput("interlaced.png", ColorMode::Grayscale), 5, 6, 1, gray);
}

TEST(PngDecode, Adam7WithEmptyPasses) {
  // 3x2 gray: passes 2, 3 and 5 have no pixels. Pixel (x, y) = 10(x+3y)+5.
  expectImage(readInput("interlaced_tiny.png", ColorMode::Grayscale), 2, 3, 1,
              {5, 15, 25, 35, 45, 55});
  expectImage(readInput("interlaced_tiny.png", ColorMode::RGBA), 2, 3, 4,
              replicate({5, 15, 25, 35, 45, 55}, true));
}

// An Adam7 PNG of 8-bit pixels (1, 3 or 4 channels), every row filter None,
// written here rather than by libpng.
Bytes adam7Png(const HostTensor &image) {
  static const int kPasses[7][4] = {{0, 0, 8, 8}, {4, 0, 8, 8}, {0, 4, 4, 8},
                                    {2, 0, 4, 4}, {0, 2, 2, 4}, {1, 0, 2, 2},
                                    {0, 1, 1, 2}};
  int64_t h = image.shape()[0], w = image.shape()[1], c = image.shape()[2];
  Bytes raw;
  for (const int *p : kPasses)
    for (int64_t y = p[1]; y < h && p[0] < w; y += p[3]) {
      raw.push_back(0);
      for (int64_t x = p[0]; x < w; x += p[2])
        raw.insert(raw.end(), image.bytes() + (y * w + x) * c,
                   image.bytes() + (y * w + x + 1) * c);
    }
  uLongf size = compressBound(raw.size());
  Bytes idat(size);
  EXPECT_EQ(compress2(idat.data(), &size, raw.data(), raw.size(), 6), Z_OK);
  idat.resize(size);
  Bytes png = pngHeader(uint32_t(w), uint32_t(h), 8,
                        c == 1   ? 0
                        : c == 3 ? 2
                                 : 6,
                        /*interlace=*/1);
  appendChunk(png, "IDAT", idat);
  appendChunk(png, "IEND", {});
  return png;
}

TEST(PngDecode, Adam7LargerThanABatchOfRows) {
  // 300x250 RGB: each pass is read in several batches of rows.
  HostTensor image = makeImage(250, 300, 3, [](size_t i) {
    size_t x = i / 3 % 300, y = i / 900, k = i % 3;
    return k == 0 ? x % 256 : k == 1 ? y : (x * y + 11) % 256;
  });
  Bytes png = adam7Png(image);
  std::vector<int> gray, rgba;
  for (size_t i = 0; i < image.byteSize(); i += 3) {
    const uint8_t *p = image.bytes() + i;
    gray.push_back(luminance(p[0], p[1], p[2]));
    rgba.insert(rgba.end(), {p[0], p[1], p[2], 255});
  }
  expectImage(decode(png, ColorMode::RGB), 250, 300, 3, valuesOf(image));
  expectImage(decode(png, ColorMode::Grayscale), 250, 300, 1, gray);
  expectImage(decode(png, ColorMode::RGBA), 250, 300, 4, rgba);
  for (size_t cut : {size_t(100), png.size() / 2, png.size() - 13})
    expectErrorIs(
        decode(Bytes(png.begin(), png.begin() + cut), ColorMode::Grayscale),
        "t.png: truncated PNG data");
}

TEST(PngDecode, DecodeFromMemoryMatchesFile) {
  Bytes bytes = inputBytes("palette_trns.png");
  Result<HostTensor> fromMemory = decode(bytes, ColorMode::RGBA);
  Result<HostTensor> fromFile = readInput("palette_trns.png", ColorMode::RGBA);
  ASSERT_TRUE(fromMemory.ok()) << fromMemory.status().message();
  ASSERT_TRUE(fromFile.ok()) << fromFile.status().message();
  EXPECT_TRUE(sameTensor(*fromMemory, *fromFile));
}

TEST(PngDecode, BytesAfterIendAreIgnored) {
  Bytes bytes = inputBytes("gray8.png");
  bytes.insert(bytes.end(), {'j', 'u', 'n', 'k', 0, 1, 2});
  expectImage(decode(bytes, ColorMode::Grayscale), 3, 4, 1, kGray8);
}

TEST(PngDecode, AncillaryChunksAreSkippedEvenWithABadCrc) {
  // A tEXt and a gAMA chunk before IDAT, the tEXt one with a wrong CRC;
  // gamma is not applied (as in TensorFlow).
  Bytes original = inputBytes("gray8.png");
  size_t idat = findChunk(original, "IDAT");
  ASSERT_NE(idat, std::string::npos);
  Bytes extra;
  appendChunk(extra, "gAMA", {0, 0, 0x3A, 0x98}); // 0.15
  appendChunk(extra, "tEXt", {'k', 0, 'v'});
  extra.back() ^= 0xFF;
  Bytes bytes(original.begin(), original.begin() + idat);
  bytes.insert(bytes.end(), extra.begin(), extra.end());
  bytes.insert(bytes.end(), original.begin() + idat, original.end());
  expectImage(decode(bytes, ColorMode::Grayscale), 3, 4, 1, kGray8);
}

} // namespace
} // namespace weir::test
