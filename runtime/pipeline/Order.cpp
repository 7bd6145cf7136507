// The order of examples in an epoch: tf.data's buffered shuffle over
// example indices, seeded, a pure function of (spec, epoch).
#include "runtime/pipeline/Internal.h"

#include <algorithm>

namespace weir::pipeline {
std::vector<int64_t> bufferedShuffle(int64_t n, int64_t bufferSize,
                                     uint64_t seed, uint64_t stream) {
  std::vector<int64_t> out;
  out.reserve(size_t(n));
  if (bufferSize <= 1) {
    for (int64_t i = 0; i < n; ++i)
      out.push_back(i);
    return out;
  }
  SplitMix64 rng(seed, stream);
  std::vector<int64_t> buffer;
  int64_t next = 0;
  for (; next < std::min(n, bufferSize); ++next)
    buffer.push_back(next);
  while (!buffer.empty()) {
    size_t j = size_t(rng.below(buffer.size()));
    out.push_back(buffer[j]);
    if (next < n) {
      buffer[j] = next++;
    } else {
      buffer[j] = buffer.back();
      buffer.pop_back();
    }
  }
  return out;
}

std::vector<int64_t> epochOrder(int64_t n, const ShuffleSpec &shuffle,
                                int64_t repeat, int64_t epoch) {
  std::vector<int64_t> order;
  order.reserve(size_t(n * repeat));
  for (int64_t p = 0; p < repeat; ++p) {
    uint64_t stream = uint64_t(shuffle.reshuffleEachEpoch ? epoch * repeat + p
                                                          : 0);
    std::vector<int64_t> pass =
        bufferedShuffle(n, shuffle.bufferSize, shuffle.seed, stream);
    order.insert(order.end(), pass.begin(), pass.end());
  }
  return order;
}

} // namespace weir::pipeline
