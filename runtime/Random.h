// SplitMix64: the counter-based stream behind every seeded order in the
// runtime (epoch permutations, the pipeline's shuffles and splits). A pure
// function of (seed, stream), the same on every machine.
#pragma once

#include <cstdint>

namespace weir {

/// SplitMix64's finalizer (Steele, Lea and Flood, 2014).
inline uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/// A SplitMix64 stream keyed by a seed and a stream number (an epoch, a
/// purpose): word i is mix64(key + (i + 1) * golden ratio).
struct SplitMix64 {
  uint64_t state;
  SplitMix64(uint64_t seed, uint64_t stream)
      : state(mix64(seed) ^ mix64(stream + 0x632BE59BD9B4E019ull)) {}
  uint64_t next() { return mix64(state += 0x9E3779B97F4A7C15ull); }
  /// Uniform in [0, bound), unbiased (Lemire's multiply-shift with
  /// rejection); bound > 0.
  uint64_t below(uint64_t bound) {
    __uint128_t m = __uint128_t(next()) * bound;
    if (uint64_t(m) < bound) {
      uint64_t threshold = (0 - bound) % bound;
      while (uint64_t(m) < threshold)
        m = __uint128_t(next()) * bound;
    }
    return uint64_t(m >> 64);
  }
};

} // namespace weir
