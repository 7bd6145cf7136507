//===- Pipelines.cpp - named pipelines and their registration ------------===//
#include "passes/Pipelines.h"
#include "passes/Passes.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void weir::buildModelPipeline(OpPassManager &pm,
                              const ModelPipelineOptions &options) {
  pm.addNestedPass<func::FuncOp>(createInferShapes());
  pm.addPass(createCanonicalizerPass());
  VerifyModelOptions verify;
  verify.warnUnusedParameters = options.warnUnusedParameters;
  pm.addPass(createVerifyModel(verify));
}

void weir::registerWeirPassesAndPipelines() {
  registerWeirPasses();
  PassPipelineRegistration<ModelPipelineOptions>(
      "weir-model-pipeline",
      "Check a model and make it fully typed (infer shapes, canonicalize, "
      "verify)",
      buildModelPipeline);
}
