// Bad PNG input: every error is a message naming the source, never a crash.
#include "PngTestUtil.h"

#include <gtest/gtest.h>

#include <random>

namespace weir::test {
namespace {

TEST(PngErrors, BadSignature) {
  const std::string what = "data/train/3/00017.png";
  Bytes gif = {'G', 'I', 'F', '8', '9', 'a', 1, 0, 1, 0, 0, 0, 0};
  expectErrorIs(decode(gif, ColorMode::RGB, what),
                what + ": not a PNG file (bad signature)");
  Bytes png = inputBytes("gray8.png");
  png[1] = 'p'; // "\x89pNG"
  expectErrorIs(decode(png, ColorMode::RGB, what),
                what + ": not a PNG file (bad signature)");
  // Too short to be a PNG, and not a prefix of the signature either.
  expectErrorIs(decode(Bytes{'a', 'b', 'c'}, ColorMode::RGB, what),
                what + ": not a PNG file (bad signature)");
}

TEST(PngErrors, TruncatedAtEveryLength) {
  // Every proper prefix of these files, from empty up to one byte short of
  // IEND's CRC: inside the signature, a chunk header, IDAT, IEND.
  for (const char *name :
       {"gray8.png", "palette_trns.png", "interlaced.png", "rgba.png"}) {
    Bytes whole = inputBytes(name);
    for (size_t cut = 0; cut < whole.size(); ++cut) {
      Bytes prefix(whole.begin(), whole.begin() + cut);
      for (ColorMode mode : kAllModes) {
        Result<HostTensor> r = decode(prefix, mode);
        ASSERT_FALSE(r.ok()) << name << " cut at " << cut;
        EXPECT_EQ(r.status().message(), "t.png: truncated PNG data")
            << name << " cut at " << cut;
      }
    }
  }
}

TEST(PngErrors, BadCrcOfACriticalChunk) {
  for (const char *type : {"IHDR", "IDAT", "PLTE", "IEND"}) {
    Bytes png = inputBytes("palette_trns.png");
    size_t at = findChunk(png, type);
    ASSERT_NE(at, std::string::npos) << type;
    png[at + 8 + readU32(png, at)] ^= 0x01; // first CRC byte
    Result<HostTensor> r = decode(png, ColorMode::RGB);
    expectErrorStartsWith(r, "t.png: corrupt PNG: ");
    EXPECT_NE(r.status().message().find("CRC"), std::string::npos)
        << r.status().message();
  }
}

TEST(PngErrors, CorruptImageData) {
  // A deflate block of the invalid type 3, with correct chunk CRCs.
  expectErrorStartsWith(decode(inputBytes("bad_zlib.png"), ColorMode::RGB),
                        "t.png: corrupt PNG: ");
  // A valid zlib stream holding two of the three rows.
  Result<HostTensor> r =
      decode(inputBytes("short_idat.png"), ColorMode::Grayscale);
  expectErrorStartsWith(r, "t.png: corrupt PNG: ");
  // A filter type of 5 on the first row of a stored (uncompressed) stream:
  // interlaced.png's first filter byte is at a fixed place, see below.
  Bytes png = inputBytes("interlaced.png");
  size_t idat = findChunk(png, "IDAT");
  ASSERT_NE(idat, std::string::npos);
  // zlib header (2 bytes), stored block header (5 bytes), then the data.
  size_t firstFilter = idat + 8 + 2 + 5;
  ASSERT_EQ(png[firstFilter], 0); // pass 1's only row, filter None
  png[firstFilter] = 5;
  fixCrcs(png);
  expectErrorStartsWith(decode(png, ColorMode::RGB), "t.png: corrupt PNG: ");
}

TEST(PngErrors, InvalidHeaders) {
  Bytes idat;
  appendChunk(idat, "IDAT", {0x78, 0x9C, 0x03, 0x00});
  auto withIdat = [&](Bytes header) {
    header.insert(header.end(), idat.begin(), idat.end());
    return header;
  };
  struct Case {
    uint32_t width, height;
    uint8_t depth, colorType, interlace;
  };
  for (Case c : {Case{0, 4, 8, 0, 0},            // zero width
                 Case{4, 0, 8, 0, 0},            // zero height
                 Case{4, 4, 4, 2, 0},            // 4-bit RGB
                 Case{4, 4, 16, 3, 0},           // 16-bit palette
                 Case{4, 4, 8, 5, 0},            // color type 5
                 Case{4, 4, 8, 0, 2},            // interlace method 2
                 Case{0x80000000u, 1, 8, 0, 0}}) // width over 2^31 - 1
    expectErrorStartsWith(decode(withIdat(pngHeader(c.width, c.height, c.depth,
                                                    c.colorType, c.interlace)),
                                 ColorMode::RGB),
                          "t.png: corrupt PNG: ");
  // A palette image without PLTE.
  expectErrorStartsWith(decode(withIdat(pngHeader(4, 4, 8, 3)), ColorMode::RGB),
                        "t.png: corrupt PNG: ");
  // An unknown critical chunk.
  Bytes png = pngHeader(4, 4, 8, 0);
  appendChunk(png, "ABCD", {1, 2, 3});
  expectErrorStartsWith(decode(withIdat(png), ColorMode::RGB),
                        "t.png: corrupt PNG: ");
}

TEST(PngErrors, EmptyAndMissingFiles) {
  expectErrorIs(decodePng(nullptr, 0, ColorMode::RGB, "x.png"),
                "x.png: truncated PNG data");
  TempDir dir;
  std::string empty = dir.file("empty.png");
  writeBytes(empty, "");
  expectErrorIs(readPngFile(empty, ColorMode::RGB), empty + ": empty file");
  std::string missing = dir.file("missing.png");
  expectErrorStartsWith(readPngFile(missing, ColorMode::RGB),
                        missing + ": cannot open");
  expectErrorIs(readPngFile(dir.path(), ColorMode::RGB),
                dir.path() + ": is a directory");
  std::string text = dir.file("notes.png");
  writeBytes(text, "hello\n");
  expectErrorIs(readPngFile(text, ColorMode::RGB),
                text + ": not a PNG file (bad signature)");
}

TEST(PngErrors, HugeDeclaredDimensionsFailBeforeAllocating) {
  // Inputs/huge.png: a 177-byte file declaring 100000x100000 (10^10 pixels,
  // 40 GB as RGBA).
  std::string path = inputPath("huge.png");
  for (ColorMode mode : kAllModes)
    expectErrorIs(readPngFile(path, mode),
                  path + ": image is 100000x100000, larger than the "
                         "268435456-pixel limit");
}

TEST(PngErrors, PixelLimitBoundary) {
  Bytes idat;
  appendChunk(idat, "IDAT", {0x78, 0x9C, 0x03, 0x00});
  auto header = [&](uint32_t width, uint32_t height) {
    Bytes png = pngHeader(width, height, 8, 0);
    png.insert(png.end(), idat.begin(), idat.end());
    return png;
  };
  // 2^28 + 2^14 pixels, and 2^28 + 1 = 15790321 x 17.
  expectErrorIs(decode(header(16385, 16384), ColorMode::RGBA),
                "t.png: image is 16385x16384, larger than the 268435456-pixel "
                "limit");
  expectErrorIs(decode(header(15790321, 17), ColorMode::Grayscale),
                "t.png: image is 15790321x17, larger than the 268435456-pixel "
                "limit");
  expectErrorIs(decode(header(16777217, 1), ColorMode::Grayscale),
                "t.png: image is 16777217x1, wider than the 16777216-pixel "
                "limit");
  expectErrorIs(decode(header(0x7FFFFFFF, 0x7FFFFFFF), ColorMode::RGB),
                "t.png: image is 2147483647x2147483647, wider than the "
                "16777216-pixel limit");
  // Exactly 2^24 pixels wide passes; the data then runs short.
  Result<HostTensor> widest = decode(header(16777216, 1), ColorMode::RGBA);
  ASSERT_FALSE(widest.ok());
  EXPECT_EQ(widest.status().message().find("limit"), std::string::npos)
      << widest.status().message();
  // Exactly 2^28 pixels passes the check; the data then runs short.
  Result<HostTensor> atLimit =
      decode(header(16384, 16384), ColorMode::Grayscale);
  ASSERT_FALSE(atLimit.ok());
  EXPECT_EQ(atLimit.status().message().find("limit"), std::string::npos)
      << atLimit.status().message();
}

// Valid PNGs to mutate: the hand-made ones and some that libpng wrote.
std::vector<Bytes> fuzzSeeds() {
  std::vector<Bytes> seeds;
  for (const char *name :
       {"gray8.png", "gray16.png", "gray1.png", "gray4.png", "palette_trns.png",
        "rgb.png", "rgba.png", "gray_alpha.png", "gray_trns.png",
        "rgb16_trns.png", "interlaced.png", "interlaced_tiny.png"})
    seeds.push_back(inputBytes(name));
  for (int channels : {1, 3, 4}) {
    HostTensor image =
        makeImage(9, 11, channels, [](size_t i) { return (i * 37) % 256; });
    Result<Bytes> png = encodePng(image);
    EXPECT_TRUE(png.ok()) << png.status().message();
    if (png.ok())
      seeds.push_back(*png);
  }
  return seeds;
}

TEST(PngErrors, RandomMutationsNeverCrash) {
  // Byte and bit changes, cuts, insertions and duplicated slices; half of
  // the time the CRCs are recomputed so that the change reaches IHDR checks,
  // palette handling, zlib and the filters. Every outcome is an image of a
  // consistent shape or an error naming the source.
  std::vector<Bytes> seeds = fuzzSeeds();
  std::mt19937 rng(20240531);
  auto below = [&](size_t n) { return n == 0 ? 0 : size_t(rng() % n); };
  int decoded = 0;
  constexpr int kMutations = 6000;
  for (int iter = 0; iter < kMutations; ++iter) {
    Bytes png = seeds[below(seeds.size())];
    int edits = 1 + int(below(4));
    for (int e = 0; e < edits; ++e) {
      switch (below(6)) {
      case 0: // a random byte, not in the signature
        png[8 + below(png.size() - 8)] = uint8_t(rng());
        break;
      case 1: // one bit
        png[8 + below(png.size() - 8)] ^= uint8_t(1u << below(8));
        break;
      case 2: // an interesting value
        png[8 + below(png.size() - 8)] = std::vector<uint8_t>{
            0, 1, 2, 3, 4, 6, 7, 8, 15, 16, 0x7F, 0x80, 0xFF}[below(13)];
        break;
      case 3: // a cut
        png.resize(8 + below(png.size() - 8));
        break;
      case 4: { // random bytes inserted
        size_t at = 8 + below(png.size() - 8 + 1);
        Bytes junk(1 + below(16));
        for (uint8_t &b : junk)
          b = uint8_t(rng());
        png.insert(png.begin() + at, junk.begin(), junk.end());
        break;
      }
      default: { // a slice of itself duplicated
        size_t from = below(png.size()), n = below(png.size() - from + 1);
        Bytes slice(png.begin() + from, png.begin() + from + n);
        size_t at = 8 + below(png.size() - 8 + 1);
        png.insert(png.begin() + at, slice.begin(), slice.end());
        break;
      }
      }
      if (png.size() <= 8)
        break;
    }
    if (below(2))
      fixCrcs(png);
    ColorMode mode = kAllModes[iter % 3];
    Result<HostTensor> r = decode(png, mode, "fuzz.png");
    if (r.ok()) {
      ++decoded;
      ASSERT_EQ(r->dtype(), DType::U8);
      ASSERT_EQ(r->rank(), 3);
      EXPECT_EQ(r->shape()[2], mode == ColorMode::Grayscale ? 1
                               : mode == ColorMode::RGB     ? 3
                                                            : 4);
      EXPECT_LE(r->shape()[0] * r->shape()[1], int64_t(kPngMaxPixels));
    } else {
      ASSERT_EQ(r.status().message().rfind("fuzz.png: ", 0), 0u)
          << r.status().message();
    }
  }
  // Some mutations (an ancillary byte, a pixel in a stored stream) still
  // decode; if none did, the mutations would be too blunt to test anything.
  RecordProperty("decoded", decoded);
  EXPECT_GT(decoded, 0);
  EXPECT_LT(decoded, kMutations);
}

} // namespace
} // namespace weir::test
