//===- DropPipelines.cpp - the data pipelines leave the compiled module --===//
//
// After weir-place-pipeline the host stages of every weir.pipeline are the
// runtime's (the driver keeps a copy); lowering the model must not see them.
//
//===----------------------------------------------------------------------===//
#include "dialect/TrainConfig.h"
#include "dialect/WeirOps.h"
#include "passes/Passes.h"
#include "passes/Transforms.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
namespace weir {
#define GEN_PASS_DEF_DROPPIPELINES
#include "passes/Passes.h.inc"
} // namespace weir
#pragma GCC diagnostic pop

using namespace mlir;
using namespace weir;

void weir::dropPipelines(ModuleOp module) {
  for (auto pipeline : llvm::make_early_inc_range(module.getOps<PipelineOp>()))
    pipeline.erase();
  // The configuration no longer names them (train_config_c14).
  for (auto config : module.getOps<TrainConfigOp>())
    config.removeDataAttr();
}

namespace {
struct DropPipelinesPass : weir::impl::DropPipelinesBase<DropPipelinesPass> {
  void runOnOperation() override { dropPipelines(getOperation()); }
};
} // namespace
