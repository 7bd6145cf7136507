//===- InterchangeLoops.cpp - innermost loop parallel and contiguous -----===//
//
// convert-linalg-to-loops emits loops in iterator order, which for matmul,
// convolution and pooling puts a reduction innermost: a strided, serial
// sum LLVM cannot vectorize. Moving the reductions out, just before the
// last parallel dimension (the output's contiguous one: matmul columns,
// conv filters, pooled channels), makes the inner loop a unit-stride
// update that LLVM vectorizes.
//
//===----------------------------------------------------------------------===//
#include "passes/Passes.h"
#include "passes/Transforms.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/IR/PatternMatch.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
namespace weir {
#define GEN_PASS_DEF_INTERCHANGELOOPS
#include "passes/Passes.h.inc"
} // namespace weir
#pragma GCC diagnostic pop

using namespace mlir;

/// Old loop indices in their new order: the parallel loops but the last,
/// then the reductions, then the last parallel loop. Empty when that is
/// already the order.
static SmallVector<unsigned> reductionsOutward(linalg::LinalgOp op) {
  SmallVector<utils::IteratorType> iters = op.getIteratorTypesArray();
  SmallVector<unsigned> parallel, reduction;
  for (auto [i, it] : llvm::enumerate(iters))
    (it == utils::IteratorType::parallel ? parallel : reduction).push_back(i);
  if (parallel.empty() || reduction.empty())
    return {};
  SmallVector<unsigned> order(parallel.begin(), parallel.end() - 1);
  order.append(reduction);
  order.push_back(parallel.back());
  if (llvm::equal(order, llvm::seq<unsigned>(0, iters.size())))
    return {};
  return order;
}

LogicalResult weir::interchangeLoops(Operation *root) {
  SmallVector<linalg::LinalgOp> ops;
  root->walk([&](linalg::LinalgOp op) {
    if (isa<linalg::ContractionOpInterface, linalg::ConvolutionOpInterface>(
            op.getOperation()))
      ops.push_back(op);
  });
  IRRewriter rewriter(root->getContext());
  for (linalg::LinalgOp op : ops) {
    SmallVector<unsigned> order = reductionsOutward(op);
    if (order.empty())
      continue;
    rewriter.setInsertionPoint(op);
    FailureOr<linalg::GenericOp> generic =
        isa<linalg::GenericOp>(op) ? cast<linalg::GenericOp>(op)
                                   : linalg::generalizeNamedOp(rewriter, op);
    if (failed(generic) ||
        failed(linalg::interchangeGenericOp(rewriter, *generic, order)))
      return op->emitError("cannot reorder the loops of this op");
  }
  return success();
}

namespace {
struct InterchangeLoopsPass
    : weir::impl::InterchangeLoopsBase<InterchangeLoopsPass> {
  void runOnOperation() override {
    if (failed(weir::interchangeLoops(getOperation())))
      signalPassFailure();
  }
};
} // namespace
