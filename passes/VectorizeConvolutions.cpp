//===- VectorizeConvolutions.cpp - register-blocked convolution code -----===//
//
// Generated loops keep a convolution's accumulators in memory, so the
// innermost update is bound by loads and stores. This pass tiles each
// 2-D convolution to one output pixel (n, oh, ow) and one kernel row (kh),
// decomposes the tile into a 1-D convolution and vectorizes it: the filter
// vector of the pixel then stays in registers across the kw x c reduction
// (one broadcast and one FMA per input channel), as in IREE's CPU backend.
// The recipe is a transform-dialect script, applied by the interpreter.
//
//===----------------------------------------------------------------------===//
#include "passes/Passes.h"
#include "passes/Transforms.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Transform/IR/TransformOps.h"
#include "mlir/Dialect/Transform/Transforms/TransformInterpreterUtils.h"
#include "mlir/Parser/Parser.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
namespace weir {
#define GEN_PASS_DEF_VECTORIZECONVOLUTIONS
#include "passes/Passes.h.inc"
} // namespace weir
#pragma GCC diagnostic pop

using namespace mlir;

// Convolutions: tile sizes (n, oh, ow, f, kh, kw, c) give one output pixel,
// all filters and one kernel row; decompose then needs oh = kh = 1.
// Only convolutions marked by markVectorizable (static tiles) are matched.
// (The same recipe for matmul, tiles (1, all, 16), ran 9x slower than the
// interchanged loops on the MLP, so matmul keeps weir-interchange-loops.)
static const char *const kScript = R"mlir(
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %conv = transform.structured.match ops{["linalg.conv_2d_nhwc_hwcf"]}
        attributes {weir.vectorize} in %root
        : (!transform.any_op) -> !transform.any_op
    %tiled, %l0, %l1, %l2, %l3 = transform.structured.tile_using_for %conv
        tile_sizes [1, 1, 1, 0, 1, 0, 0]
        : (!transform.any_op) -> (!transform.any_op, !transform.any_op,
           !transform.any_op, !transform.any_op, !transform.any_op)
    %conv1d = transform.structured.decompose %tiled
        : (!transform.any_op) -> !transform.any_op
    transform.structured.vectorize %conv1d : !transform.any_op
    %funcs = transform.structured.match ops{["func.func"]} in %root
        : (!transform.any_op) -> !transform.any_op
    transform.apply_patterns to %funcs {
      transform.apply_patterns.vector.lower_contraction lowering_strategy = "outerproduct"
      transform.apply_patterns.vector.lower_outerproduct
      transform.apply_patterns.vector.transfer_permutation_patterns
      transform.apply_patterns.vector.lower_multi_reduction lowering_strategy = "innerreduction"
      transform.apply_patterns.canonicalization
    } : !transform.any_op
    transform.yield
  }
}
)mlir";

/// Marks the convolutions the recipe can vectorize: static shapes except
/// the batch.
static void markVectorizable(ModuleOp module) {
  auto staticButBatch = [](Value v) {
    auto t = cast<ShapedType>(v.getType());
    return t.hasRank() &&
           llvm::none_of(t.getShape().drop_front(), ShapedType::isDynamic);
  };
  UnitAttr mark = UnitAttr::get(module.getContext());
  module.walk([&](linalg::Conv2DNhwcHwcfOp op) {
    if (staticButBatch(op.getInputs()[0]) && staticButBatch(op.getOutputs()[0]) &&
        cast<ShapedType>(op.getInputs()[1].getType()).hasStaticShape())
      op->setAttr("weir.vectorize", mark);
  });
}

LogicalResult weir::vectorizeConvolutions(ModuleOp module) {
  markVectorizable(module);
  OwningOpRef<ModuleOp> script =
      parseSourceString<ModuleOp>(kScript, module.getContext());
  if (!script)
    return module.emitError("internal error: bad convolution recipe");
  Operation *entry = script->lookupSymbol("__transform_main");
  return transform::applyTransformNamedSequence(module, entry, *script,
                                                transform::TransformOptions());
}

namespace {
struct VectorizeConvolutionsPass
    : weir::impl::VectorizeConvolutionsBase<VectorizeConvolutionsPass> {
  void runOnOperation() override {
    if (failed(weir::vectorizeConvolutions(getOperation())))
      signalPassFailure();
  }
};
} // namespace
