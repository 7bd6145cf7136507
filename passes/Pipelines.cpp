//===- Pipelines.cpp - named pipelines and their registration ------------===//
#include "passes/Pipelines.h"
#include "passes/Passes.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void weir::buildModelPipeline(OpPassManager &pm,
                              const ModelPipelineOptions &options) {
  pm.addPass(createPlacePipeline());
  pm.addNestedPass<func::FuncOp>(createInferShapes());
  pm.addPass(createCanonicalizerPass());
  VerifyModelOptions verify;
  verify.warnUnusedParameters = options.warnUnusedParameters;
  pm.addPass(createVerifyModel(verify));
}

void weir::buildToLinalgPipeline(OpPassManager &pm) {
  pm.addPass(createDropPipelines());
  pm.addPass(createLiftParameters());
  pm.addPass(createLowerToLinalg());
  pm.addPass(createCanonicalizerPass());
  pm.addNestedPass<func::FuncOp>(createLinalgElementwiseOpFusionPass());
  pm.addPass(createCanonicalizerPass());
  pm.addNestedPass<func::FuncOp>(createTileAndFuse());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void weir::buildTrainStepPipeline(OpPassManager &pm) {
  pm.addPass(createBuildTrainStep());
  // Before differentiation, so the backward pass inherits the forward
  // dtypes; after it, so weight gradients leave their f32 accumulators
  // unrounded (the pass is idempotent otherwise).
  pm.addPass(createAutoMixedPrecision());
  pm.addPass(createDifferentiate());
  pm.addPass(createAutoMixedPrecision());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

// Upstream passes, by name: the strings keep this file free of a dozen heavy
// headers, and the pipeline is exactly what `weir-opt` would run.
static const char *const kBufferize =
    "eliminate-empty-tensors,"
    "one-shot-bufferize{bufferize-function-boundaries "
    "function-boundary-type-conversion=identity-layout-map}";
static const char *const kCpuDeallocation =
    "buffer-deallocation-pipeline,convert-bufferization-to-memref";
static const char *const kCpuLoopsToLlvm =
    "func.func(weir-lower-strided-copies,convert-linalg-to-loops,"
    "weir-emulate-bf16),"
    "weir-outline-loop-nests,"
    "func.func(convert-vector-to-scf{full-unroll=true}),"
    "convert-scf-to-cf,expand-strided-metadata,lower-affine,"
    "convert-vector-to-llvm{enable-x86vector},"
    "finalize-memref-to-llvm,convert-math-to-llvm,convert-math-to-libm,"
    "convert-arith-to-llvm,"
    "convert-cf-to-llvm,convert-func-to-llvm,convert-index-to-llvm,"
    "convert-ub-to-llvm,reconcile-unrealized-casts,"
    "ensure-debug-info-scope-on-llvm-func{emission-kind=LineTablesOnly}";

void weir::buildCpuLoweringPipeline(OpPassManager &pm) {
  buildCpuBufferPipeline(pm);
  buildCpuBuffersToLlvmPipeline(pm);
}

void weir::buildCpuBufferPipeline(OpPassManager &pm) {
  // The upstream passes are registered by registerWeirPassesAndPipelines;
  // a parse failure here is a bug in the string above.
  pm.addNestedPass<func::FuncOp>(createSplitFilterGrads());
  pm.addPass(createVectorizeContractions());
  pm.addNestedPass<func::FuncOp>(createInterchangeLoops());
  if (failed(parsePassPipeline(kBufferize, pm, llvm::errs())))
    llvm::report_fatal_error("weir: invalid bufferization pipeline");
  pm.addPass(createDropInPlaceResults());
  if (failed(parsePassPipeline(kCpuDeallocation, pm, llvm::errs())))
    llvm::report_fatal_error("weir: invalid CPU deallocation pipeline");
  pm.addNestedPass<func::FuncOp>(createEarlyDeallocs());
}

void weir::buildCpuBuffersToLlvmPipeline(OpPassManager &pm) {
  if (failed(parsePassPipeline(kCpuLoopsToLlvm, pm, llvm::errs())))
    llvm::report_fatal_error("weir: invalid CPU lowering pipeline");
}

void weir::buildCpuPipeline(OpPassManager &pm,
                            const ModelPipelineOptions &options) {
  buildModelPipeline(pm, options);
  buildToLinalgPipeline(pm);
  buildCpuLoweringPipeline(pm);
}

void weir::registerWeirPassesAndPipelines() {
  registerAllPasses();
  registerWeirPasses();
  registerCudaPipelines();
  PassPipelineRegistration<ModelPipelineOptions>(
      "weir-model-pipeline",
      "Check a model and make it fully typed (infer shapes, canonicalize, "
      "verify)",
      buildModelPipeline);
  PassPipelineRegistration<>(
      "weir-to-linalg-pipeline",
      "Lift parameters, lower weir to linalg and fuse elementwise ops",
      buildToLinalgPipeline);
  PassPipelineRegistration<>(
      "weir-train-step-pipeline",
      "Build and differentiate the training functions of weir.train_config",
      buildTrainStepPipeline);
  PassPipelineRegistration<>(
      "weir-cpu-lowering-pipeline",
      "Bufferize and lower linalg on tensors to the LLVM dialect",
      buildCpuLoweringPipeline);
  PassPipelineRegistration<>(
      "weir-cpu-buffer-pipeline",
      "Bufferize linalg on tensors and free each buffer after its last use "
      "(the first half of weir-cpu-lowering-pipeline)",
      buildCpuBufferPipeline);
  PassPipelineRegistration<ModelPipelineOptions>(
      "weir-cpu-pipeline", "From a model as written to the LLVM dialect",
      buildCpuPipeline);
}
