// The epoch order: deterministic, a permutation per pass, tf.data's
// buffered shuffle.
#include "runtime/pipeline/Internal.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

using namespace weir::pipeline;

namespace {

bool isPermutation(std::vector<int64_t> v, int64_t n) {
  std::sort(v.begin(), v.end());
  std::vector<int64_t> id(size_t(n), 0);
  std::iota(id.begin(), id.end(), 0);
  return v == id;
}

TEST(Order, DeterministicPermutationPerEpoch) {
  ShuffleSpec s{1000, 7, true};
  std::vector<int64_t> e0 = epochOrder(500, s, 1, 0);
  EXPECT_TRUE(isPermutation(e0, 500));
  EXPECT_EQ(e0, epochOrder(500, s, 1, 0));
  EXPECT_NE(e0, epochOrder(500, s, 1, 1));
  s.seed = 8;
  EXPECT_NE(e0, epochOrder(500, s, 1, 0));
}

TEST(Order, NoReshuffleKeepsTheOrder) {
  ShuffleSpec s{1000, 7, false};
  std::vector<int64_t> e0 = epochOrder(100, s, 2, 0);
  EXPECT_EQ(e0, epochOrder(100, s, 2, 3));
  EXPECT_TRUE(std::equal(e0.begin(), e0.begin() + 100, e0.begin() + 100));
}

TEST(Order, RepeatShufflesEachPass) {
  ShuffleSpec s{1000, 7, true};
  std::vector<int64_t> e = epochOrder(100, s, 3, 2);
  ASSERT_EQ(e.size(), 300u);
  for (int p = 0; p < 3; ++p)
    EXPECT_TRUE(isPermutation(
        std::vector<int64_t>(e.begin() + p * 100, e.begin() + p * 100 + 100),
        100));
  EXPECT_FALSE(std::equal(e.begin(), e.begin() + 100, e.begin() + 100));
}

TEST(Order, NoShuffleIsListingOrder) {
  std::vector<int64_t> e = epochOrder(10, ShuffleSpec{}, 2, 5);
  EXPECT_EQ(e, (std::vector<int64_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2,
                                     3, 4, 5, 6, 7, 8, 9}));
  EXPECT_EQ(bufferedShuffle(5, 1, 3, 0),
            (std::vector<int64_t>{0, 1, 2, 3, 4}));
}

TEST(Order, SmallBufferMovesItemsOnlyAFewPlacesEarlier) {
  // With a buffer of B, example i enters the buffer after i - B outputs,
  // so it comes out at position >= i - B + 1; and on average not far after.
  const int64_t n = 5000, b = 10;
  std::vector<int64_t> out = bufferedShuffle(n, b, 123, 4);
  ASSERT_TRUE(isPermutation(out, n));
  std::vector<int64_t> pos(static_cast<size_t>(n));
  for (int64_t k = 0; k < n; ++k)
    pos[size_t(out[size_t(k)])] = k;
  double total = 0;
  for (int64_t i = 0; i < n; ++i) {
    EXPECT_GE(pos[size_t(i)], i - b + 1) << "example " << i;
    total += double(std::abs(pos[size_t(i)] - i));
  }
  EXPECT_LT(total / double(n), double(b));
  EXPECT_NE(out, bufferedShuffle(n, b, 124, 4));
}

TEST(Order, FullBufferIsUniformish) {
  // Every example lands in the first half about half the time.
  const int64_t n = 20;
  std::vector<int> firstHalf(n, 0);
  for (uint64_t seed = 0; seed < 2000; ++seed) {
    std::vector<int64_t> out = bufferedShuffle(n, n, seed, 0);
    for (int64_t k = 0; k < n / 2; ++k)
      ++firstHalf[size_t(out[size_t(k)])];
  }
  for (int c : firstHalf) {
    EXPECT_GT(c, 850);
    EXPECT_LT(c, 1150);
  }
}

} // namespace
