//===- Inference.h - a model's forward pass on inputs, and its speed -*- C++ -*-===//
#ifndef WEIR_API_INFERENCE_H
#define WEIR_API_INFERENCE_H

#include "api/Options.h"
#include "runtime/HostTensor.h"
#include "runtime/Status.h"

#include <string>
#include <vector>

namespace weir {

class Session;

struct InferenceRequest {
  /// A model description (.weir or .mlir, compiled by the JIT) or a library
  /// from `weir compile --emit=lib` (.so).
  std::string model;
  /// The model function (default: the first); descriptions only.
  std::string function;
  /// The weights (.safetensors) and one .npy per model input.
  std::string weights;
  std::vector<std::string> inputs;
  unsigned threads = 0; ///< 0: every core
  SessionOptions session;
};

/// Loads weights and inputs, checks them against the model's signature
/// (each mismatch names the tensor, expected versus actual), and runs the
/// model once.
Result<HostTensor> runInference(const InferenceRequest &request);

struct BenchResult {
  std::string model;
  double compileSeconds = 0;
  double samplesPerSecond = 0;
  double msPerBatch = 0;
};

/// Compile time (from loading `session`'s file to a JIT-compiled module,
/// `loadSeconds` included) and steady-state inference throughput of the
/// model function `function` (default: the first) on random inputs of
/// `batch` examples and fresh weights, measured for `seconds`.
Result<BenchResult> benchInference(Session &session, const std::string &function,
                                   int64_t batch, unsigned threads,
                                   double seconds, double loadSeconds);

} // namespace weir

#endif // WEIR_API_INFERENCE_H
