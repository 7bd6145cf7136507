//===- Pipelines.h - the named pass pipelines of weir ----------*- C++ -*-===//
//
// `weir` builds its pass managers only through these functions, and
// `weir-opt` registers the same functions under the names below, so
// `weir-opt --weir-model-pipeline` reproduces exactly what the driver does.
//
//===----------------------------------------------------------------------===//
#ifndef WEIR_PASSES_PIPELINES_H
#define WEIR_PASSES_PIPELINES_H

#include "mlir/Pass/PassOptions.h"

namespace mlir {
class OpPassManager;
} // namespace mlir

namespace weir {

struct ModelPipelineOptions
    : public mlir::PassPipelineOptions<ModelPipelineOptions> {
  Option<bool> warnUnusedParameters{
      *this, "warn-unused-parameters",
      llvm::cl::desc("Warn about parameters that no function reads"),
      llvm::cl::init(true)};
};

/// `weir-model-pipeline`: check a model as written and make it fully typed:
/// infer shapes, canonicalize, verify whole-model invariants.
void buildModelPipeline(mlir::OpPassManager &pm,
                        const ModelPipelineOptions &options);

/// `weir-to-linalg-pipeline`: make each model function an entry point
/// (parameters become arguments), lower weir to linalg/tensor/arith/math and
/// fuse elementwise work into its producers and consumers.
void buildToLinalgPipeline(mlir::OpPassManager &pm);

/// weir-train-step-pipeline: build the training functions from the
/// module's weir.train_config (weir-build-train-step), differentiate them
/// (weir-differentiate), then canonicalize and CSE. Runs on a module the
/// model pipeline has checked; the result is still in the weir dialect.
void buildTrainStepPipeline(mlir::OpPassManager &pm);

/// `weir-cpu-lowering-pipeline`: bufferize the linalg-on-tensors module and
/// lower it to the LLVM dialect, with C-callable entry points. Results are
/// returned as buffers the caller owns.
void buildCpuLoweringPipeline(mlir::OpPassManager &pm);

/// `weir-cpu-pipeline`: everything from a model as written to the LLVM
/// dialect (model, to-linalg and cpu-lowering pipelines in order).
void buildCpuPipeline(mlir::OpPassManager &pm,
                      const ModelPipelineOptions &options);

/// Registers every weir pass and named pipeline with the global registry.
void registerWeirPassesAndPipelines();

} // namespace weir

#endif // WEIR_PASSES_PIPELINES_H
