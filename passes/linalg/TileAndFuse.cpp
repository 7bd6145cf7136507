//===- TileAndFuse.cpp - one loop over batch tiles per chain of layers ---===//
//
// Each chain of linalg ops that ends in a sink (an op whose result leaves
// linalg: returned, reshaped, ...) becomes one loop over tiles of the batch.
// The sink is tiled along dimension 0 and its producers (matmul, conv, the
// bias broadcast, activations, pooling) are fused into the loop body, so a
// dense + bias + activation, or a conv + bias + relu + pool, is computed
// tile by tile while the tile is in cache, instead of one full pass over
// memory per op.
//
//===----------------------------------------------------------------------===//
#include "passes/Passes.h"
#include "passes/Transforms.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/IR/PatternMatch.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
namespace weir {
#define GEN_PASS_DEF_TILEANDFUSE
#include "passes/Passes.h.inc"
} // namespace weir
#pragma GCC diagnostic pop

using namespace mlir;

/// A linalg op that tiling along dimension 0 handles: the batch loop is
/// parallel and the op produces a batched tensor.
static bool isBatchTileable(linalg::LinalgOp op) {
  if (op.getNumLoops() == 0 || op->getNumResults() != 1 ||
      op.getIteratorTypesArray()[0] != utils::IteratorType::parallel)
    return false;
  auto type = dyn_cast<RankedTensorType>(op->getResult(0).getType());
  return type && type.getRank() > 0 && type.isDynamicDim(0);
}

/// True when no user of `op` is a linalg op: `op` ends a chain.
static bool isSink(linalg::LinalgOp op) {
  return llvm::none_of(op->getUsers(), [](Operation *user) {
    return isa<linalg::LinalgOp>(user);
  });
}

std::string weir::batchTilingObstacle(Operation *operation) {
  auto op = dyn_cast<linalg::LinalgOp>(operation);
  if (!op)
    return "not a linalg op";
  if (op.getNumLoops() == 0)
    return "it has no loops";
  if (op->getNumResults() != 1)
    return "it has " + std::to_string(op->getNumResults()) + " results";
  auto type = dyn_cast<RankedTensorType>(op->getResult(0).getType());
  if (!type || type.getRank() == 0 || !type.isDynamicDim(0))
    return "its result has no batch dimension";
  if (op.getIteratorTypesArray()[0] != utils::IteratorType::parallel)
    return "its outer loop is a reduction";
  if (!isSink(op))
    return "its result feeds another linalg op, which is not tiled";
  return "";
}

LogicalResult weir::tileAndFuse(func::FuncOp func, int64_t tileSize) {
  SmallVector<linalg::LinalgOp> sinks;
  func.walk([&](linalg::LinalgOp op) {
    if (isBatchTileable(op) && isSink(op) && !op->getParentOfType<scf::ForOp>())
      sinks.push_back(op);
  });
  IRRewriter rewriter(func.getContext());
  for (linalg::LinalgOp sink : llvm::reverse(sinks)) {
    SmallVector<OpFoldResult> sizes(sink.getNumLoops(),
                                    rewriter.getIndexAttr(0));
    sizes[0] = rewriter.getIndexAttr(tileSize);
    scf::SCFTileAndFuseOptions options;
    options.tilingOptions.setTileSizes(sizes);
    // Fuse only producers whose batch loop is parallel, so every fused tile
    // is an exact slice of the batch.
    options.setFusionControlFn(
        [](tensor::ExtractSliceOp, OpResult producer, bool)
            -> std::optional<scf::SCFTileAndFuseOptions::ControlFnResult> {
          auto op = dyn_cast<linalg::LinalgOp>(producer.getOwner());
          if (!op || !isBatchTileable(op))
            return std::nullopt;
          return scf::SCFTileAndFuseOptions::ControlFnResult{};
        });
    rewriter.setInsertionPoint(sink);
    FailureOr<scf::SCFTileAndFuseResult> result =
        scf::tileConsumerAndFuseProducersUsingSCF(
            rewriter, cast<TilingInterface>(sink.getOperation()), options);
    if (failed(result))
      continue; // Left untiled: still correct, only less cache-friendly.
    for (OpResult r : sink->getResults())
      if (Value v = result->replacements.lookup(r))
        rewriter.replaceAllUsesWith(r, v);
  }
  return success();
}

namespace {
struct TileAndFusePass : weir::impl::TileAndFuseBase<TileAndFusePass> {
  using TileAndFuseBase::TileAndFuseBase;
  void runOnOperation() override {
    if (failed(weir::tileAndFuse(getOperation(), tileSize)))
      signalPassFailure();
  }
};
} // namespace
