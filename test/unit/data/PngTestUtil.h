// Helpers for the PNG tests: Inputs/ files, hand-made chunks, pixel checks.
#pragma once

#include "runtime/data/Png.h"
#include "test/unit/runtime/TestUtil.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace weir::test {

using Bytes = std::vector<uint8_t>;

inline std::string inputPath(const std::string &name) {
  return std::string(WEIR_DATA_INPUTS) + "/" + name;
}

/// The bytes of Inputs/<name> (written by Inputs/make_pngs.py).
inline Bytes inputBytes(const std::string &name) {
  std::string s = readBytes(inputPath(name));
  EXPECT_FALSE(s.empty()) << "missing or empty input " << inputPath(name);
  return Bytes(s.begin(), s.end());
}

inline Result<HostTensor> decode(const Bytes &bytes, ColorMode mode,
                                 const std::string &what = "t.png") {
  return decodePng(bytes.data(), bytes.size(), mode, what);
}

/// PNG's CRC-32 (ISO 3309), bit by bit: independent of zlib and libpng.
inline uint32_t pngCrc(const uint8_t *p, size_t n) {
  uint32_t crc = 0xFFFFFFFFu;
  for (size_t i = 0; i < n; ++i) {
    crc ^= p[i];
    for (int k = 0; k < 8; ++k)
      crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return crc ^ 0xFFFFFFFFu;
}

inline void appendU32(Bytes &out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(static_cast<uint8_t>(v >> shift));
}

inline uint32_t readU32(const Bytes &b, size_t at) {
  return uint32_t(b[at]) << 24 | uint32_t(b[at + 1]) << 16 |
         uint32_t(b[at + 2]) << 8 | uint32_t(b[at + 3]);
}

/// Appends a chunk with a correct CRC.
inline void appendChunk(Bytes &out, const char *type, const Bytes &data) {
  appendU32(out, static_cast<uint32_t>(data.size()));
  size_t start = out.size();
  out.insert(out.end(), type, type + 4);
  out.insert(out.end(), data.begin(), data.end());
  appendU32(out, pngCrc(out.data() + start, out.size() - start));
}

inline const Bytes kPngSignature = {137, 80, 78, 71, 13, 10, 26, 10};

/// The signature and an IHDR chunk.
inline Bytes pngHeader(uint32_t width, uint32_t height, uint8_t bitDepth,
                       uint8_t colorType, uint8_t interlace = 0) {
  Bytes out = kPngSignature;
  Bytes ihdr;
  appendU32(ihdr, width);
  appendU32(ihdr, height);
  ihdr.insert(ihdr.end(), {bitDepth, colorType, 0, 0, interlace});
  appendChunk(out, "IHDR", ihdr);
  return out;
}

/// The offset of the first chunk of `type` (its length field), or npos.
inline size_t findChunk(const Bytes &png, const char *type) {
  for (size_t at = 8; at + 12 <= png.size();) {
    if (std::equal(type, type + 4, png.begin() + at + 4))
      return at;
    at += 12 + size_t(readU32(png, at));
  }
  return std::string::npos;
}

/// Recomputes the CRC of every chunk that lies wholly inside `png`, so that
/// a mutation reaches the parsers instead of the CRC check.
inline void fixCrcs(Bytes &png) {
  for (size_t at = 8; at + 12 <= png.size();) {
    size_t length = readU32(png, at);
    if (length > png.size() - at - 12)
      return;
    uint32_t crc = pngCrc(png.data() + at + 4, length + 4);
    for (int i = 0; i < 4; ++i)
      png[at + 8 + length + i] = static_cast<uint8_t>(crc >> (24 - 8 * i));
    at += 12 + length;
  }
}

/// A u8 tensor of shape [h, w, c] with bytes from `fill(i)`.
template <typename Fill>
HostTensor makeImage(int64_t h, int64_t w, int64_t c, Fill fill) {
  Result<HostTensor> t = HostTensor::create(DType::U8, {h, w, c});
  EXPECT_TRUE(t.ok()) << t.status().message();
  if (!t.ok())
    return HostTensor();
  for (size_t i = 0; i < t->byteSize(); ++i)
    t->bytes()[i] = static_cast<uint8_t>(fill(i));
  return std::move(*t);
}

inline std::vector<int> valuesOf(const HostTensor &t) {
  return std::vector<int>(t.bytes(), t.bytes() + t.byteSize());
}

/// Expects a decoded u8 [h, w, c] image with exactly these values.
inline void expectImage(const Result<HostTensor> &r, int64_t h, int64_t w,
                        int64_t c, const std::vector<int> &values) {
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->dtype(), DType::U8);
  ASSERT_EQ(r->shape(), (std::vector<int64_t>{h, w, c}));
  EXPECT_EQ(valuesOf(*r), values);
}

/// Expects an error whose message is exactly `message`.
template <typename R>
void expectErrorIs(const R &result, const std::string &message) {
  ASSERT_FALSE(result.ok()) << "expected the error: " << message;
  EXPECT_EQ(messageOf(result), message);
}

/// Expects an error whose message starts with `prefix`.
template <typename R>
void expectErrorStartsWith(const R &result, const std::string &prefix) {
  ASSERT_FALSE(result.ok()) << "expected an error starting: " << prefix;
  EXPECT_EQ(messageOf(result).rfind(prefix, 0), 0u)
      << "message: " << messageOf(result);
}

inline const ColorMode kAllModes[] = {ColorMode::Grayscale, ColorMode::RGB,
                                      ColorMode::RGBA};

} // namespace weir::test
