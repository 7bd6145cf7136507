// f16 and bf16 conversions: numpy's float16 casts for chosen values, and
// every f16 value's round trip and rounding of its midpoints.
#include "runtime/Float16.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace weir;

// (f32 bits, np.float16(x).view(np.uint16)) from numpy 1.24.2: normal
// draws, 1/3, the largest half and the first value past it, subnormals,
// the rounding to the least subnormal and to zero, -0, and the smallest
// normal and the largest subnormal.
TEST(Float16, MatchesNumpy) {
  const struct {
    uint32_t f32;
    uint16_t f16;
  } cases[] = {
      {0x3b71dba6u, 0x1b8f}, {0x3f656fc4u, 0x3b2b}, {0xbf5289b2u, 0xba94},
      {0xc02afe5fu, 0xc158}, {0xbfae97f5u, 0xbd75}, {0xc03e6569u, 0xc1f3},
      {0x3eaaaaabu, 0x3555}, {0x477fef00u, 0x7bff}, {0x477ff000u, 0x7c00},
      {0x3380d959u, 0x0001}, {0x3300d959u, 0x0001}, {0x33000000u, 0x0000},
      {0x80000000u, 0x8000}, {0x3727c5acu, 0x00a8}, {0x38800000u, 0x0400},
      {0x387fda40u, 0x03ff},
  };
  for (const auto &c : cases)
    EXPECT_EQ(floatToHalf(floatFromBits(c.f32)), c.f16) << std::hex << c.f32;
}

TEST(Float16, EveryHalfRoundTripsAndMidpointsRoundToEven) {
  // Up to the largest finite half but one: past it the next one up is
  // infinity, and so is everything from its midpoint on.
  for (uint32_t h = 0; h < 0x7BFF; ++h) {
    for (uint32_t s : {0u, 0x8000u}) {
      uint16_t bits = uint16_t(h | s);
      float v = halfToFloat(bits);
      ASSERT_EQ(floatToHalf(v), bits) << std::hex << bits;
      // The midpoint between this half and the next one up in magnitude
      // rounds to whichever of the two is even.
      float next = halfToFloat(uint16_t(bits + 1));
      float mid = float((double(v) + double(next)) / 2);
      uint16_t even = (h & 1) ? uint16_t(bits + 1) : bits;
      ASSERT_EQ(floatToHalf(mid), even) << std::hex << bits;
      // Just off the midpoint, the nearer one wins.
      ASSERT_EQ(floatToHalf(std::nextafter(mid, v)), bits) << std::hex << bits;
      ASSERT_EQ(floatToHalf(std::nextafter(mid, next)), uint16_t(bits + 1))
          << std::hex << bits;
    }
  }
  EXPECT_TRUE(std::isinf(halfToFloat(0x7C00)));
  EXPECT_TRUE(std::isnan(halfToFloat(floatToHalf(NAN))));
  EXPECT_EQ(floatToHalf(INFINITY), 0x7C00);
  EXPECT_EQ(floatToHalf(-1e10f), 0xFC00);
}

TEST(BFloat16, RoundsToNearestEven) {
  EXPECT_EQ(floatToBF16(1.0f), 0x3F80);
  EXPECT_EQ(floatToBF16(3.14159265f), 0x4049); // 3.140625
  EXPECT_EQ(floatToBF16(-2.0f), 0xC000);
  // 1 + 2^-8 is halfway between 1 and 1 + 2^-7: ties to even (1).
  EXPECT_EQ(floatToBF16(floatFromBits(0x3F808000u)), 0x3F80);
  // 1 + 3 * 2^-8 is halfway between 1 + 2^-7 and 1 + 2^-6: ties to even.
  EXPECT_EQ(floatToBF16(floatFromBits(0x3F818000u)), 0x3F82);
  EXPECT_EQ(floatToBF16(floatFromBits(0x3F808001u)), 0x3F81);
  EXPECT_TRUE(std::isnan(bf16ToFloat(floatToBF16(NAN))));
  EXPECT_EQ(floatToBF16(floatFromBits(0x7F7FFFFFu)), 0x7F80); // to infinity
  for (uint32_t h = 0; h < 0x7F80; ++h)
    ASSERT_EQ(floatToBF16(bf16ToFloat(uint16_t(h))), h);
}
