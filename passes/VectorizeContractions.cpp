//===- VectorizeContractions.cpp - register-blocked conv and matmul code -===//
//
// Generated loops keep accumulators in memory, so the innermost update is
// bound by loads and stores. This pass tiles each 2-D convolution to one
// output pixel (n, oh, ow) and one kernel row (kh) and decomposes the tile
// into a 1-D convolution, tiles each matmul to one row and 8 reduction
// steps, and vectorizes: the accumulators (a pixel's filters, a row's
// columns) stay in registers across the reduction, one broadcast and one
// FMA per step, as in IREE's CPU backend. The recipe is a transform-dialect
// script, applied by the interpreter.
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
#define GEN_PASS_DEF_VECTORIZECONTRACTIONS
#include "passes/Passes.h.inc"
} // namespace weir
#pragma GCC diagnostic pop

using namespace mlir;

// Convolutions: tile sizes (n, oh, ow, f, kh, kw, c) give one output pixel,
// all filters and one kernel row; decompose then needs oh = kh = 1.
// Matmuls: tile sizes (i, j, k) give one row, all columns and 8 steps of the
// reduction: after vectorization, a row of accumulators updated by
// broadcast-FMAs (vectorizing the untiled op instead transposed the
// right-hand block on every step and ran 9x slower).
// Only ops marked by markVectorizable (static tiles) are tiled; the
// vectorizer then takes every op of the function whose shapes are static.
static const char *const kScript = R"mlir(
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %mm = transform.structured.match ops{["linalg.matmul"]}
        attributes {weir.vectorize} in %root
        : (!transform.any_op) -> !transform.any_op
    %mm_tiled, %m0, %m1 = transform.structured.tile_using_for %mm
        tile_sizes [1, 0, 8]
        : (!transform.any_op) -> (!transform.any_op, !transform.any_op,
           !transform.any_op)
    %conv = transform.structured.match ops{["linalg.conv_2d_nhwc_hwcf"]}
        attributes {weir.vectorize} in %root
        : (!transform.any_op) -> !transform.any_op
    %tiled, %l0, %l1, %l2, %l3 = transform.structured.tile_using_for %conv
        tile_sizes [1, 1, 1, 0, 1, 0, 0]
        : (!transform.any_op) -> (!transform.any_op, !transform.any_op,
           !transform.any_op, !transform.any_op, !transform.any_op)
    %conv1d = transform.structured.decompose %tiled
        : (!transform.any_op) -> !transform.any_op
    %rows2 = transform.structured.match ops{["linalg.generic"]}
        attributes {weir.rows = 2} in %root
        : (!transform.any_op) -> !transform.any_op
    %r2, %r2l = transform.structured.tile_using_for %rows2 tile_sizes [1, 0]
        : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    %rows3 = transform.structured.match ops{["linalg.generic"]}
        attributes {weir.rows = 3} in %root
        : (!transform.any_op) -> !transform.any_op
    %r3, %r3l0, %r3l1 = transform.structured.tile_using_for %rows3
        tile_sizes [1, 1, 0]
        : (!transform.any_op) -> (!transform.any_op, !transform.any_op,
           !transform.any_op)
    %rows4 = transform.structured.match ops{["linalg.generic"]}
        attributes {weir.rows = 4} in %root
        : (!transform.any_op) -> !transform.any_op
    %r4, %r4l0, %r4l1, %r4l2 = transform.structured.tile_using_for %rows4
        tile_sizes [1, 1, 1, 0]
        : (!transform.any_op) -> (!transform.any_op, !transform.any_op,
           !transform.any_op, !transform.any_op)
    %funcs = transform.structured.match ops{["func.func"]} in %root
        : (!transform.any_op) -> !transform.any_op
    %vectorized = transform.structured.vectorize_children_and_apply_patterns
        %funcs : (!transform.any_op) -> !transform.any_op
    transform.apply_patterns to %vectorized {
      transform.apply_patterns.vector.lower_contraction lowering_strategy = "outerproduct"
      transform.apply_patterns.vector.lower_outerproduct
      transform.apply_patterns.vector.transfer_permutation_patterns
      transform.apply_patterns.vector.lower_multi_reduction lowering_strategy = "innerparallel"
      transform.apply_patterns.canonicalization
    } : !transform.any_op
    transform.yield
  }
}
)mlir";

/// Marks the matmuls and convolutions the recipe can tile into static
/// pieces: static shapes except the batch, and for matmuls a reduction that
/// 8 divides.
static void markVectorizable(ModuleOp module) {
  auto staticButBatch = [](Value v) {
    auto t = cast<ShapedType>(v.getType());
    return t.hasRank() &&
           llvm::none_of(t.getShape().drop_front(), ShapedType::isDynamic);
  };
  UnitAttr mark = UnitAttr::get(module.getContext());
  module.walk([&](linalg::MatmulOp op) {
    auto rhs = cast<ShapedType>(op.getInputs()[1].getType());
    if (rhs.hasStaticShape() && rhs.getDimSize(0) % 8 == 0 &&
        staticButBatch(op.getInputs()[0]))
      op->setAttr("weir.vectorize", mark);
  });
  // Static elementwise ops (optimizer updates, parameter-shaped
  // gradients) would become one vector per tensor, fully unrolled: they are
  // tiled to rows of the innermost dimension first.
  module.walk([&](linalg::GenericOp op) {
    unsigned rank = op.getNumLoops();
    if (rank < 2 || rank > 4 || op.getNumReductionLoops() != 0 ||
        !llvm::all_of(op->getResultTypes(), [](Type t) {
          return cast<ShapedType>(t).hasStaticShape();
        }))
      return;
    op->setAttr("weir.rows", IntegerAttr::get(IntegerType::get(module.getContext(), 64), rank));
  });
  module.walk([&](linalg::Conv2DNhwcHwcfOp op) {
    if (staticButBatch(op.getInputs()[0]) && staticButBatch(op.getOutputs()[0]) &&
        cast<ShapedType>(op.getInputs()[1].getType()).hasStaticShape())
      op->setAttr("weir.vectorize", mark);
  });
}

LogicalResult weir::vectorizeContractions(ModuleOp module) {
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
struct VectorizeContractionsPass
    : weir::impl::VectorizeContractionsBase<VectorizeContractionsPass> {
  void runOnOperation() override {
    if (failed(weir::vectorizeContractions(getOperation())))
      signalPassFailure();
  }
};
} // namespace
