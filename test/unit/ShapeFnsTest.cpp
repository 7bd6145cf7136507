//===- ShapeFnsTest.cpp - window arithmetic against brute-force counting -===//
#include "dialect/ShapeFns.h"

#include "mlir/IR/BuiltinTypes.h"

#include <gtest/gtest.h>

using namespace weir;

namespace {

/// Counts the window positions by sliding one over a padded row, which is
/// what a convolution does; independent of the closed-form formulas.
int64_t countPositions(int64_t input, int64_t before, int64_t after,
                       int64_t size, int64_t stride, int64_t dilation) {
  int64_t extent = (size - 1) * dilation + 1, n = 0;
  for (int64_t start = 0; start + extent <= before + input + after;
       start += stride)
    ++n;
  return n;
}

TEST(WindowOutputSize, ValidMatchesSlidingWindow) {
  for (int64_t in = 1; in <= 24; ++in)
    for (int64_t k = 1; k <= 5; ++k)
      for (int64_t s = 1; s <= 4; ++s)
        for (int64_t d = 1; d <= 3; ++d) {
          int64_t expected = countPositions(in, 0, 0, k, s, d);
          int64_t got = windowOutputSize(in, k, s, d, Padding::valid);
          EXPECT_EQ(std::max<int64_t>(got, 0), expected)
              << "in=" << in << " k=" << k << " s=" << s << " d=" << d;
        }
}

TEST(WindowOutputSize, SameIsCeilOfInputOverStride) {
  for (int64_t in = 1; in <= 24; ++in)
    for (int64_t k = 1; k <= 5; ++k)
      for (int64_t s = 1; s <= 4; ++s)
        for (int64_t d = 1; d <= 3; ++d) {
          int64_t out = windowOutputSize(in, k, s, d, Padding::same);
          EXPECT_EQ(out, (in + s - 1) / s);
          auto [before, after] = windowPadding(in, k, s, d, Padding::same);
          // The padding yields exactly that many positions, and the odd
          // element goes after (TensorFlow's convention).
          EXPECT_EQ(countPositions(in, before, after, k, s, d), out)
              << "in=" << in << " k=" << k << " s=" << s << " d=" << d;
          EXPECT_TRUE(after == before || after == before + 1);
        }
}

TEST(WindowOutputSize, KnownKerasShapes) {
  // Keras: Conv2D(3x3, valid) on 28 -> 26; MaxPool 2x2 on 26 -> 13;
  // Conv2D(3x3, stride 2, same) on 28 -> 14; dilation 2 on 28 valid -> 24.
  EXPECT_EQ(windowOutputSize(28, 3, 1, 1, Padding::valid), 26);
  EXPECT_EQ(windowOutputSize(26, 2, 2, 1, Padding::valid), 13);
  EXPECT_EQ(windowOutputSize(28, 3, 2, 1, Padding::same), 14);
  EXPECT_EQ(windowOutputSize(28, 3, 1, 2, Padding::valid), 24);
  using Pads = std::pair<int64_t, int64_t>;
  EXPECT_EQ(windowPadding(28, 3, 2, 1, Padding::same), Pads(0, 1));
  EXPECT_EQ(windowPadding(28, 3, 1, 1, Padding::valid), Pads(0, 0));
}

TEST(WindowOutputSize, DynamicStaysDynamic) {
  EXPECT_TRUE(mlir::ShapedType::isDynamic(windowOutputSize(
      mlir::ShapedType::kDynamic, 3, 1, 1, Padding::same)));
}

} // namespace
