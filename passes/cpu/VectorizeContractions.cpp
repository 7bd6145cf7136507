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

#include "dialect/WeirDialect.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/X86Vector/X86VectorDialect.h"
#include "mlir/Dialect/Transform/IR/TransformOps.h"
#include "mlir/Dialect/Transform/Transforms/TransformInterpreterUtils.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Parser/Parser.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
namespace weir {
#define GEN_PASS_DEF_VECTORIZECONTRACTIONS
#include "passes/Passes.h.inc"
} // namespace weir
#pragma GCC diagnostic pop

using namespace mlir;
using weir::RegisterFile;

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
      op->setAttr(weir::WeirDialect::VectorizeAttrHelper::getNameStr(), mark);
  });
  module.walk([&](linalg::Conv2DNhwcHwcfOp op) {
    if (staticButBatch(op.getInputs()[0]) &&
        staticButBatch(op.getOutputs()[0]) &&
        cast<ShapedType>(op.getInputs()[1].getType()).hasStaticShape())
      op->setAttr(weir::WeirDialect::VectorizeAttrHelper::getNameStr(), mark);
  });
}

/// The elements of the static block each tile keeps (a few dozen vector
/// registers' worth, so the unrolled vector code stays small).
static constexpr int64_t kTileBudget = 256;

/// Whether `e` only adds dimensions, constants and positive multiples of
/// them (`d0 + d5`, `2 * d1`). Tiling computes an operand's slice from the
/// map applied to the tile's first and last index, which is its bounding
/// box only for such expressions: a mirrored index (`2 - d0`, the filter
/// flip of a convolution's backward-data step) gets a slice starting past
/// the tile, and the tiled op reads out of bounds or fails to verify.
static bool isMonotone(AffineExpr e) {
  switch (e.getKind()) {
  case AffineExprKind::DimId:
  case AffineExprKind::Constant:
    return true;
  case AffineExprKind::Add: {
    auto add = cast<AffineBinaryOpExpr>(e);
    return isMonotone(add.getLHS()) && isMonotone(add.getRHS());
  }
  case AffineExprKind::Mul: {
    auto mul = cast<AffineBinaryOpExpr>(e);
    auto c = dyn_cast<AffineConstantExpr>(mul.getRHS());
    return c && c.getValue() > 0 && isMonotone(mul.getLHS());
  }
  default:
    return false;
  }
}
static bool isMonotone(AffineMap map) {
  return llvm::all_of(map.getResults(),
                      [](AffineExpr e) { return isMonotone(e); });
}

/// Whether `op` is better vectorized one innermost row at a time: its
/// innermost loop is parallel and static (a vector of at most 4096
/// lanes) and the rest of the nest is dynamic (the batch), reduces
/// (backward contractions, sums over the batch), or is large enough that
/// one vector per op would be fully unrolled (parameter-sized updates).
static bool wantsRowTiling(linalg::GenericOp op) {
  unsigned rank = op.getNumLoops();
  if (rank < 2)
    return false;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  auto iters = op.getIteratorTypesArray();
  int64_t inner = ranges.back();
  if (iters.back() != utils::IteratorType::parallel ||
      ShapedType::isDynamic(inner) || inner < 4 || inner > 4096)
    return false;
  // erf has no vector lowering to libm here (convert-math-to-libm leaves
  // vector erf unconverted); such ops stay scalar.
  // Gathers (tensor.extract at computed indices) would become vector
  // gathers, which the LLVM lowering scalarizes lane by lane.
  bool unsuitable = false;
  op.getBody()->walk([&](Operation *inner) {
    StringRef name = inner->getName().getStringRef();
    unsuitable |= name == "math.erf" || name == "tensor.extract";
  });
  if (unsuitable || !llvm::all_of(op.getIndexingMapsArray(),
                                 [](AffineMap m) { return isMonotone(m); }))
    return false;
  bool dynamic = llvm::any_of(ranges, ShapedType::isDynamic);
  bool reduces = op.getNumReductionLoops() > 0;
  int64_t total = 1;
  for (int64_t r : ranges)
    total = ShapedType::isDynamic(r) ? total : total * r;
  return dynamic || reduces || total > kTileBudget;
}

/// Tile sizes for rowTiling: from the innermost loop outwards, static
/// parallel loops are kept whole while the block stays within the budget;
/// the first loop that does not fit is cut to its largest divisor that
/// does; that loop's outer loops, and any dynamic or reduction loop, get
/// tiles of 1. The innermost loop is cut to 64 lanes (or a smaller exact
/// divisor) when longer.
static SmallVector<int64_t> rowTileSizes(linalg::GenericOp op) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  auto iters = op.getIteratorTypesArray();
  unsigned rank = ranges.size();
  SmallVector<int64_t> sizes(rank, 1);
  int64_t block = 1;
  auto largestDivisor = [](int64_t n, int64_t limit) {
    for (int64_t d = std::min(n, limit); d >= 2; --d)
      if (n % d == 0)
        return d;
    return int64_t(1);
  };
  for (int i = rank - 1; i >= 0; --i) {
    int64_t n = ranges[i];
    if (ShapedType::isDynamic(n) || iters[i] != utils::IteratorType::parallel)
      break;
    if (i == int(rank) - 1 && n > 64) {
      sizes[i] = largestDivisor(n, 64);
      break;
    }
    if (block * n <= kTileBudget) {
      sizes[i] = 0; // whole
      block *= n;
      continue;
    }
    sizes[i] = largestDivisor(n, kTileBudget / block);
    break;
  }
  return sizes;
}

/// Tiles the ops wantsRowTiling picks (rowTileSizes), so each tile is a
/// small static op the vectorizer turns into a few vector instructions.
static LogicalResult tileRows(ModuleOp module) {
  SmallVector<linalg::GenericOp> ops;
  module.walk([&](linalg::GenericOp op) {
    if (wantsRowTiling(op))
      ops.push_back(op);
  });
  IRRewriter rewriter(module.getContext());
  for (linalg::GenericOp op : ops) {
    rewriter.setInsertionPoint(op);
    SmallVector<OpFoldResult> sizes;
    for (int64_t t : rowTileSizes(op))
      sizes.push_back(rewriter.getIndexAttr(t));
    scf::SCFTilingOptions options;
    options.setTileSizes(sizes);
    FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(
        rewriter, cast<TilingInterface>(op.getOperation()), options);
    if (failed(tiled))
      return op.emitError("internal error: cannot tile rows");
    rewriter.replaceOp(op, tiled->replacements);
  }
  return success();
}

/// Works around MLIR 22's bufferization of vector.transfer_write, which
/// decides that a write overwrites its whole destination (and so does not
/// read it) by zipping the destination's shape with the vector's shape from
/// the front. A rank-reduced write at offset 0 (vector<16x16xf32> into
/// tensor<3x3x16x16xf32>[0, 0, 0, 0], the first kernel offset of a filter
/// gradient from weir-split-filter-grads) then passes as a full overwrite,
/// and when bufferization gives the result a new buffer it does not copy
/// the destination's other elements into it: the other kernel offsets
/// accumulated into uninitialized memory (ResNet-20's NaN gradients). The
/// same write at full rank, with leading unit dimensions, is the same
/// store, and the check sees that it is partial.
static void expandRankReducedWrites(ModuleOp module) {
  SmallVector<vector::TransferWriteOp> writes;
  module.walk([&](vector::TransferWriteOp op) {
    auto dest = dyn_cast<RankedTensorType>(op.getShapedType());
    if (dest && dest.hasStaticShape() && !op.getMask() &&
        op.getVectorType().getRank() < dest.getRank() &&
        op.getPermutationMap().isMinorIdentity() &&
        llvm::all_of(op.getIndices(), [](Value v) {
          return getConstantIntValue(v) == int64_t(0);
        }))
      writes.push_back(op);
  });
  IRRewriter rewriter(module.getContext());
  for (vector::TransferWriteOp op : writes) {
    rewriter.setInsertionPoint(op);
    VectorType type = op.getVectorType();
    int64_t extra = op.getShapedType().getRank() - type.getRank();
    SmallVector<int64_t> shape(extra, 1);
    llvm::append_range(shape, type.getShape());
    Value full = vector::ShapeCastOp::create(
        rewriter, op.getLoc(), VectorType::get(shape, type.getElementType()),
        op.getVector());
    SmallVector<bool> inBounds(extra, true); // index 0 of a dimension >= 1
    llvm::append_range(inBounds, op.getInBoundsValues());
    rewriter.replaceOp(op, vector::TransferWriteOp::create(
                               rewriter, op.getLoc(), full, op.getBase(),
                               op.getIndices(), ArrayRef<bool>(inBounds)));
  }
}

LogicalResult weir::vectorizeContractions(ModuleOp module,
                                          RegisterFile registers) {
  if (failed(registerBlockContractions(module, registers)))
    return failure();
  markVectorizable(module);
  if (failed(tileRows(module)))
    return failure();
  OwningOpRef<ModuleOp> script =
      parseSourceString<ModuleOp>(kScript, module.getContext());
  if (!script)
    return module.emitError("internal error: bad convolution recipe");
  Operation *entry = script->lookupSymbol("__transform_main");
  if (failed(transform::applyTransformNamedSequence(
          module, entry, *script, transform::TransformOptions())))
    return failure();
  expandRankReducedWrites(module);
  return success();
}

namespace {
struct VectorizeContractionsPass
    : weir::impl::VectorizeContractionsBase<VectorizeContractionsPass> {
  using Base::Base;
  void runOnOperation() override {
    if (failed(weir::vectorizeContractions(getOperation(),
                                           {vectorLanes, vectorRegisters, bf16Dot})))
      signalPassFailure();
  }
};
} // namespace
