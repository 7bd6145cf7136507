//===- Initializers.cpp - Keras weight initializers, reproducible by seed -===//
#include "runtime/init/Initializers.h"

#include "runtime/Float16.h"

#include <cmath>

using namespace weir;

namespace {
/// SplitMix64: a counter-based generator; value i of stream s is a pure
/// function of (s, i).
struct Stream {
  uint64_t state;
  uint64_t next() {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  /// Uniform in [0, 1) with 53 random bits.
  double uniform() { return double(next() >> 11) * 0x1.0p-53; }
  /// Standard normal (Box-Muller; the second value is discarded so each
  /// draw consumes a fixed number of words).
  double normal() {
    double u1 = uniform(), u2 = uniform();
    if (u1 < 1e-300)
      u1 = 1e-300;
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
  }
  /// Standard normal conditioned on |z| <= 2.
  double truncatedNormal() {
    for (;;) {
      double z = normal();
      if (std::fabs(z) <= 2.0)
        return z;
    }
  }
};
} // namespace

Fans weir::computeFans(const std::vector<int64_t> &shape) {
  Fans fans;
  if (shape.empty())
    return fans;
  if (shape.size() == 1) {
    fans.in = fans.out = double(shape[0]);
    return fans;
  }
  double receptive = 1;
  for (size_t i = 0; i + 2 < shape.size(); ++i)
    receptive *= double(shape[i]);
  fans.in = double(shape[shape.size() - 2]) * receptive;
  fans.out = double(shape.back()) * receptive;
  return fans;
}

uint64_t weir::deriveSeed(uint64_t runSeed, const std::string &name) {
  uint64_t h = 0xCBF29CE484222325ull; // FNV-1a over the name
  for (unsigned char c : name)
    h = (h ^ c) * 0x100000001B3ull;
  Stream s{runSeed ^ h};
  return s.next();
}

Status weir::initialize(HostTensor &tensor, Initializer init, uint64_t seed,
                        double value) {
  DType dtype = tensor.dtype();
  if (dtype != DType::F32 && dtype != DType::F64 && dtype != DType::F16 &&
      dtype != DType::BF16)
    return Status::error("initializers fill float tensors (f32, f64, f16, "
                         "bf16), not " +
                         std::string(dtypeName(dtype)));
  Fans fans = computeFans(tensor.shape());
  Stream stream{seed};
  auto draw = [&]() -> double {
    switch (init) {
    case Initializer::Zeros:
      return 0.0;
    case Initializer::Ones:
      return 1.0;
    case Initializer::Constant:
      return value;
    case Initializer::GlorotUniform: {
      double limit = std::sqrt(6.0 / (fans.in + fans.out));
      return (2.0 * stream.uniform() - 1.0) * limit;
    }
    case Initializer::HeUniform: {
      double limit = std::sqrt(6.0 / fans.in);
      return (2.0 * stream.uniform() - 1.0) * limit;
    }
    case Initializer::GlorotNormal:
      return stream.truncatedNormal() * std::sqrt(2.0 / (fans.in + fans.out)) /
             0.87962566103423978;
    case Initializer::HeNormal:
      return stream.truncatedNormal() * std::sqrt(2.0 / fans.in) /
             0.87962566103423978;
    }
    return 0.0;
  };
  int64_t n = tensor.numElements();
  switch (dtype) {
  case DType::F64: {
    double *out = tensor.data<double>();
    for (int64_t i = 0; i < n; ++i)
      out[i] = draw();
    break;
  }
  case DType::F32: {
    float *out = tensor.data<float>();
    for (int64_t i = 0; i < n; ++i)
      out[i] = float(draw());
    break;
  }
  // The same draws as f32, rounded to nearest even: an f16 model starts
  // from its f32 twin's weights, rounded.
  case DType::F16:
  case DType::BF16: {
    uint16_t *out = tensor.data<uint16_t>();
    bool half = dtype == DType::F16;
    for (int64_t i = 0; i < n; ++i) {
      float v = float(draw());
      out[i] = half ? floatToHalf(v) : floatToBF16(v);
    }
    break;
  }
  default:
    break;
  }
  return Status::success();
}
