//===- Initializers.h - Keras weight initializers, reproducible by seed -*- C++ -*-===//
//
// Fills a parameter tensor the way Keras' initializers do. Each parameter
// draws from its own counter-based stream (SplitMix64), keyed by a seed
// that is either given or derived from the run seed and the parameter's
// name, so the same seed gives bitwise-identical weights on every machine
// and in any order of initialization.
//
//===----------------------------------------------------------------------===//
#ifndef WEIR_RUNTIME_INIT_INITIALIZERS_H
#define WEIR_RUNTIME_INIT_INITIALIZERS_H

#include "runtime/HostTensor.h"
#include "runtime/Status.h"

#include <cstdint>
#include <string>

namespace weir {

enum class Initializer {
  GlorotUniform,
  GlorotNormal,
  HeNormal,
  HeUniform,
  Zeros,
  Ones,
  Constant ///< every element `value` (Keras' Constant)
};

/// Keras' fans: for a [in, out] matrix, in and out; for a conv kernel
/// [..., in, out], in and out times the receptive field; for a vector, its
/// length twice; for a scalar, 1 and 1.
struct Fans {
  double in = 1, out = 1;
};
Fans computeFans(const std::vector<int64_t> &shape);

/// The seed of a parameter without one of its own: a hash of the run seed
/// and the parameter's name.
uint64_t deriveSeed(uint64_t runSeed, const std::string &name);

/// Fills a float `tensor` (F32, F64, F16, BF16) by `init`, drawing from
/// `seed` (F16 and BF16 get the F32 values rounded to nearest even):
/// glorot_uniform U(+-sqrt(6 / (in + out))); he_uniform U(+-sqrt(6 / in));
/// glorot_normal and he_normal a normal truncated at two standard
/// deviations with stddev sqrt(2 / (in + out)) resp. sqrt(2 / in), divided
/// by 0.87962566103423978 as Keras does so that the truncated distribution
/// keeps that variance.
Status initialize(HostTensor &tensor, Initializer init, uint64_t seed,
                  double value = 0.0);

} // namespace weir

#endif // WEIR_RUNTIME_INIT_INITIALIZERS_H
