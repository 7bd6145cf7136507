//===- Commands.h - the subcommands of the weir driver ---------*- C++ -*-===//
#ifndef WEIR_TOOLS_WEIR_COMMANDS_H
#define WEIR_TOOLS_WEIR_COMMANDS_H

#include "runtime/Safetensors.h"
#include "runtime/cpu/AotLibrary.h"
#include "runtime/pipeline/Pipeline.h"
#include "tools/weir/Session.h"

#include <string>
#include <vector>

namespace weir {

struct CompileOptions {
  std::string input;
  std::string output = "-";
  /// The last stage: weir, linalg, llvm, obj or lib.
  std::string emit = "weir";
  /// The model function a library exports (default: the first).
  std::string function;
  /// cpu or cuda; with cuda, --emit also takes gpu, nvvm, ptx and cubin.
  std::string target = "cpu";
  /// The GPU architectures kernels are compiled for (--cuda-arch).
  std::vector<std::string> cudaArchs = {"sm_80", "sm_90"};
  SessionOptions session;
};
/// `weir compile`; returns the exit code.
int runCompile(const CompileOptions &options);

struct RunOptions {
  std::string model;
  std::string function;
  std::string weights;
  std::vector<std::string> inputs;
  std::string output;
  unsigned threads = 2;
  SessionOptions session;
};
/// `weir run`: inference on the CPU; returns the exit code.
int runRun(const RunOptions &options);

struct InitOptions {
  std::string model;
  std::string output;
  uint64_t seed = 0;
  SessionOptions session;
};
/// `weir init`: freshly initialized weights; returns the exit code.
int runInit(const InitOptions &options);

/// Fresh values for every parameter of the session's module, in
/// declaration order (`weir init`).
Result<std::vector<NamedTensor>> initializeParameters(Session &session,
                                                      uint64_t runSeed);

struct TrainOptions {
  std::string model;
  /// An IDX directory (dataset-fashion-mnist) or an .npz with x_train,
  /// y_train, x_test, y_test.
  std::string data;
  std::string weights;    ///< start from these instead of initializers
  std::string output;     ///< default: <model>.weights.safetensors
  std::string checkpoint; ///< default: <output>.checkpoint
  bool resume = false;
  bool noValidation = false;
  int64_t epochs = 0;    ///< 0: the train block's
  int64_t batchSize = 0; ///< 0: the train block's
  uint64_t seed = 0;
  unsigned threads = 2;
  /// Data pipelines: what a bad image does, the engine's RAM budget, and
  /// whether the tuner logs its decisions.
  pipeline::OnBadImage onBadImage = pipeline::OnBadImage::Fail;
  size_t maxPipelineMemory = size_t(1) << 30;
  bool verbose = false;
  /// --device: cpu, cuda, auto or cuda-emulator (resolveCodeTarget)
  std::string device = "cpu";
  SessionOptions session;
};
/// `weir train`; returns the exit code.
int runTrain(const TrainOptions &options);

struct EvaluateOptions {
  std::string model, data, weights;
  std::string split = "test";
  std::string output; ///< predict: the .npy to write
  int64_t batchSize = 512;
  unsigned threads = 2;
  std::string device = "cpu"; ///< as TrainOptions::device
  SessionOptions session;
};
/// `weir evaluate`: loss and accuracy of weights on a split.
int runEvaluate(const EvaluateOptions &options);
/// `weir predict`: the model's outputs on a split, as .npy.
int runPredict(const EvaluateOptions &options);
/// `weir gradients`: the loss and the gradients of every trainable
/// parameter on one batch made of the whole split (no update), as
/// .safetensors; for checking the compiler's derivatives.
int runGradients(const EvaluateOptions &options);

struct BenchOptions {
  std::string model;
  std::string function;
  int64_t batch = 128;
  unsigned threads = 2;
  double seconds = 2.0;
  SessionOptions session;
};
/// `weir bench`: compile time and steady-state inference throughput on
/// random inputs and fresh weights; returns the exit code.
int runBench(const BenchOptions &options);

struct DataOptions {
  std::string source, destination;
  /// "fashion-mnist", "digits", or a comma-separated list; empty: guess
  /// from the source path.
  std::string classNames;
};
/// `weir data import-idx SRC DST`: an IDX dataset to a PNG directory tree.
int runDataImportIdx(const DataOptions &options);

/// Writes the LLVM-dialect `module` as a shared library that the AOT loader
/// (runtime/cpu/AotLibrary.h) runs: the code, plus `weir_manifest` and
/// `weir_entry` for `manifest.function`.
mlir::LogicalResult emitSharedLibrary(mlir::ModuleOp module,
                                      const ModelManifest &manifest,
                                      const std::string &path);

/// Writes the LLVM-dialect `module` as a native object file for this host.
mlir::LogicalResult emitObjectFile(mlir::ModuleOp module,
                                   const std::string &path);

/// `weir data bench DIR [--batch-size 128] [--threads N] [--epochs 2]
/// [--color grayscale] [--size 28x28] [--decode-only] ...`: `args` are the
/// words after `bench`. It parses its own options (the driver hands them
/// over before LLVM's option parsing, which knows none of them).
int runDataBench(const std::vector<std::string> &args);

} // namespace weir

#endif // WEIR_TOOLS_WEIR_COMMANDS_H
