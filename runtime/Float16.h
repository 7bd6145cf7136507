//===- Float16.h - f16 and bf16 conversions, round to nearest even -*- C++ -*-===//
//
// The two 16-bit float formats the runtime stores: IEEE 754 binary16 (f16:
// 5 exponent bits, 10 mantissa bits) and bfloat16 (bf16: the high half of
// an f32). From f32 both round to nearest, ties to even, as numpy's
// float16 and the hardware conversions (vcvtps2ph, vcvtneps2bf16) do;
// NaN stays NaN (quiet), overflow gives infinity, and f16 keeps its
// subnormals.
//
//===----------------------------------------------------------------------===//
#ifndef WEIR_RUNTIME_FLOAT16_H
#define WEIR_RUNTIME_FLOAT16_H

#include <cstdint>
#include <cstring>

namespace weir {

inline uint32_t floatBits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}

inline float floatFromBits(uint32_t u) {
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

/// f32 -> bf16, round to nearest even.
inline uint16_t floatToBF16(float f) {
  uint32_t u = floatBits(f);
  if ((u & 0x7FFFFFFFu) > 0x7F800000u) // NaN: keep the sign, make it quiet
    return uint16_t((u >> 16) | 0x0040u);
  u += 0x7FFFu + ((u >> 16) & 1u);
  return uint16_t(u >> 16);
}

inline float bf16ToFloat(uint16_t h) {
  return floatFromBits(uint32_t(h) << 16);
}

/// f32 -> f16, round to nearest even (subnormals included).
inline uint16_t floatToHalf(float f) {
  uint32_t u = floatBits(f);
  uint16_t sign = uint16_t((u >> 16) & 0x8000u);
  uint32_t a = u & 0x7FFFFFFFu;
  if (a > 0x7F800000u) // NaN
    return uint16_t(sign | 0x7E00u);
  if (a >= 0x477FF000u) // rounds to 65520 or more: infinity
    return uint16_t(sign | 0x7C00u);
  if (a < 0x38800000u) { // below 2^-14: a subnormal half, or zero
    // With e the biased exponent, the value is mant * 2^(e - 150), that is
    // mant >> (126 - e) units of 2^-24 (the half's least subnormal), which
    // is rounded to nearest even. Below 2^-25 it rounds to zero.
    uint32_t mant = (a & 0x007FFFFFu) | 0x00800000u;
    int shift = 126 - int(a >> 23);
    if (shift > 24)
      return sign;
    uint32_t q = mant >> shift;
    uint32_t rem = mant & ((1u << shift) - 1u);
    uint32_t halfway = 1u << (shift - 1);
    if (rem > halfway || (rem == halfway && (q & 1u)))
      ++q;
    return uint16_t(sign | q);
  }
  // Normal: rebias the exponent (127 -> 15) and round the 13 dropped bits.
  uint32_t r = a - 0x38000000u;
  r += 0x0FFFu + ((r >> 13) & 1u);
  return uint16_t(sign | (r >> 13));
}

/// f16 -> f32 (exact).
inline float halfToFloat(uint16_t h) {
  uint32_t sign = uint32_t(h & 0x8000u) << 16;
  uint32_t exp = (h >> 10) & 0x1Fu, mant = h & 0x03FFu;
  if (exp == 0x1F)
    return floatFromBits(sign | 0x7F800000u | (mant << 13));
  if (exp == 0) {
    if (mant == 0)
      return floatFromBits(sign);
    // Subnormal: mant * 2^-24.
    float v = float(mant) * 0x1.0p-24f;
    return sign ? -v : v;
  }
  return floatFromBits(sign | ((exp + 112) << 23) | (mant << 13));
}

} // namespace weir

#endif // WEIR_RUNTIME_FLOAT16_H
