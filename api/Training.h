//===- Training.h - a compiled training setup, inside the API -*- C++ -*-===//
//
// The pieces Trainer is made of (api/Program.cpp, api/Target.cpp): not for
// the driver, which sees Trainer only.
//
//===----------------------------------------------------------------------===//
#ifndef WEIR_API_TRAINING_H
#define WEIR_API_TRAINING_H

#include "dialect/TrainConfig.h"
#include "runtime/train/Batcher.h"
#include "runtime/train/Dataset.h"
#include "runtime/train/Step.h"
#include "api/Session.h"
#include "runtime/Safetensors.h"

namespace weir {

/// The training configuration and the three functions weir-build-train-step
/// made, as the runtime sees them (no entry points yet).
struct TrainingFunctions {
  TrainingConfig config;
  FunctionSpec train, apply, eval;
  /// Every layer's output in training mode, for diagnosing divergence.
  FunctionSpec probe;
};

/// Builds the training functions of the session's `train` block and lifts
/// the parameters, then reads the functions' signatures.
Result<TrainingFunctions> prepareTraining(Session &session);

/// The signature of a lifted function from its weir.* attributes.
Result<FunctionSpec> functionSpecOf(mlir::func::FuncOp func);

/// Where a run's compiled functions execute (`--device`).
struct CodeTarget {
  enum class Kind {
    Cpu,
    Cuda,        ///< the GPU: kernels for `chip`, cuBLAS/cuDNN
    CudaEmulator ///< the CUDA program on the CPU (kernels as loops)
  };
  Kind kind = Kind::Cpu;
  std::string chip; ///< Cuda: the device's chip, e.g. "sm_90"
};

/// A compiled training setup: the configuration, the model state (every
/// parameter and optimizer slot) and the step that updates it.
struct TrainingRun {
  TrainingConfig config;
  /// The model's parameters (what a weights file holds), in declaration
  /// order; the state also holds the optimizer's slots.
  std::vector<std::string> modelParameters;
  ParameterMap state;
  std::unique_ptr<JitExecutable> executable;
  std::unique_ptr<TrainStep> step;
  /// The divergence probe (every layer's training-mode output). Without
  /// `fn` it was not compiled with the rest (see startTraining's
  /// `keepModel`); compileProbe does it when a loss goes non-finite.
  FunctionSpec probe;
  std::unique_ptr<JitExecutable> probeExecutable;
  CodeTarget target; ///< what the functions were compiled for
  DType xDType = DType::F32, yDType = DType::I32;
  std::vector<int64_t> exampleShape, targetShape;
  /// For sparse categorical losses: the number of classes (labels must be
  /// in [0, classes)); 0 otherwise.
  int64_t classes = 0;
  /// The model (inference) function, as compiled: its output and the
  /// parameters it takes after its input, in order.
  DType outputDType = DType::F32;
  std::vector<int64_t> outputShape; ///< -1 for the batch
  std::vector<std::string> modelArguments;
  bool singleInput = true;
  /// The module's data pipelines (after weir-place-pipeline), kept before
  /// lowering drops them from the session's module.
  mlir::OwningOpRef<mlir::ModuleOp> pipelines;
  /// Optimizer steps taken by this run's fits so far (Keras'
  /// optimizer.iterations): a second fit continues from here.
  int64_t optimizerSteps = 0;
};

/// Loss (mean) and right-prediction count of one pass (the source's epoch
/// 0) over `batches`, in inference mode.
class BatchSource;
Result<StepMetrics> evaluateAll(TrainStep &step, BatchSource &batches);

/// Compiles `run`'s divergence probe if startTraining left it out: the model
/// source of `session` is loaded again, and its training functions are
/// built and compiled for the run's target. Only when a loss goes
/// non-finite, so a run pays for it only then.
Status compileProbe(TrainingRun &run, const Session &session);

/// Copies the tensors of `from` over those of `to` with the same names;
/// shape and dtype mismatches are errors naming `file`.
Status copyInto(ParameterMap &to, const std::vector<NamedTensor> &from,
                const std::string &file);

/// Fresh values for every parameter of the session's module, in
/// declaration order (`weir init`).
Result<std::vector<NamedTensor>> initializeParameters(Session &session,
                                                      uint64_t runSeed);

/// Opens the CUDA device for compiled code (managed tensors, results
/// released to the device, a device synchronize after each call) and
/// returns its chip, e.g. "sm_90". Process-wide; for `--device=cuda`.
Result<std::string> useCudaForCompiledCode();

/// Resolves `--device` (cpu, cuda, auto or cuda-emulator) for `command`:
/// opens the GPU when CUDA is chosen (useCudaForCompiledCode), prints why
/// `auto` falls back to the CPU or which GPU it uses. A CUDA target runs
/// one replica over the whole batch, so `threads` becomes 1 for it.
Result<CodeTarget> resolveCodeTarget(const std::string &device,
                                     const char *command, unsigned &threads);

/// Checks that the integer labels of `data` fit `run`'s classes; the error
/// names the file, the split and the first bad example.
Status checkLabels(const TrainingRun &run, const ArrayDataset &data,
                   const std::string &path, const std::string &split);

/// Builds and compiles the training functions of `session`, initializes
/// every parameter from `seed`, then loads `weights` (if not empty) over
/// the model's parameters, and sets up a step over `threads` replicas.
/// `target` says what the functions are compiled for: the CPU, CUDA
/// (kernels for its chip, on the current device) or the CUDA emulator.
/// Without `keepModel`, the model's own inference function (which `weir
/// predict` calls, and training does not) and the divergence probe are
/// not compiled.
Result<std::unique_ptr<TrainingRun>> startTraining(Session &session,
                                                   uint64_t seed,
                                                   const std::string &weights,
                                                   unsigned threads,
                                                   const CodeTarget &target = {},
                                                   bool keepModel = true);

} // namespace weir

#endif // WEIR_API_TRAINING_H
