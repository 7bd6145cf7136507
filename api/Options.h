//===- Options.h - what a user sets for compiling and training -*- C++ -*-===//
//
// Plain structs, no MLIR: the CLI and the Python module fill them from their
// flags and keywords.
//
//===----------------------------------------------------------------------===//
#ifndef WEIR_API_OPTIONS_H
#define WEIR_API_OPTIONS_H

#include <cstddef>
#include "frontend/SearchSpace.h"

#include <cstdint>
#include <iosfwd>
#include <string>

namespace weir {

/// How a model file is compiled.
struct SessionOptions {
  /// Print the module after every pass (to stdout).
  bool printIRAfterAll = false;
  /// Report the time of each pass.
  bool timing = false;
  /// Print op locations with the IR: loc("<layer>"(file:line:col)).
  bool printLocations = false;
  /// Warn about parameters that no function reads.
  bool warnUnusedParameters = true;
  /// The dtype policy of the training functions (float32, mixed_bfloat16,
  /// mixed_float16); empty: the train block's `precision`.
  std::string precision;
  /// Where the compiler's diagnostics and messages go (file:line:col with
  /// the source line); null: stderr. The Python module collects them here
  /// and raises them. The stream must outlive the session.
  std::ostream *diagnostics = nullptr;
  /// The point of the file's search space to compile (frontend/
  /// SearchSpace.h); a hyperparameter not named here takes its default.
  HyperValues hyperparameters;
};

/// How a Trainer compiles and runs a model.
struct TrainerOptions {
  /// The run seed: initializers, shuffling and dropout derive from it.
  uint64_t seed = 0;
  /// Start from these weights (.safetensors) instead of initializers.
  std::string weights;
  /// Threads the batch is split over; 0: every core. A CUDA target runs
  /// one replica, so it becomes 1 there.
  unsigned threads = 0;
  /// Where compiled code runs: cpu, cuda, auto (CUDA with a GPU, else the
  /// CPU) or cuda-emulator (the CUDA program on the CPU).
  std::string device = "cpu";
  /// Data pipelines: skip corrupt or wrong-size images (listed after each
  /// epoch) instead of failing; the RAM budget of their buffers; log the
  /// tuner's decisions.
  bool skipBadImages = false;
  size_t maxPipelineMemory = size_t(1) << 30;
  bool verbose = false;
  /// Also compile the model's inference function (predict needs it;
  /// training alone does not, and skips a tenth of the compile).
  bool compileInference = true;
  /// What the run is called in device notices ("training on the CPU").
  std::string activity = "training";
};

/// The number of threads `threads` means (0: every core).
unsigned resolveThreads(unsigned threads);

} // namespace weir

#endif // WEIR_API_OPTIONS_H
