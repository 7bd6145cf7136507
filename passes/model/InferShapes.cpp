//===- InferShapes.cpp - refine weir result types from shape rules -------===//
#include "dialect/WeirOps.h"
#include "passes/Passes.h"
#include "passes/Transforms.h"

#include "mlir/IR/TypeUtilities.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
namespace weir {
#define GEN_PASS_DEF_INFERSHAPES
#include "passes/Passes.h.inc"
} // namespace weir
#pragma GCC diagnostic pop

using namespace mlir;
using namespace weir;

/// Gives `result` the type `refined`. Uses that cannot follow (ops of other
/// dialects, which may require their operand types) read the old type
/// through a tensor.cast.
static void refineResult(OpResult result, Type refined) {
  Type old = result.getType();
  result.setType(refined);
  Operation *castOp = nullptr;
  for (OpOperand &use : llvm::make_early_inc_range(result.getUses())) {
    Operation *user = use.getOwner();
    if (isa<WeirDialect>(user->getDialect()) || isa<func::ReturnOp>(user))
      continue;
    if (!castOp) {
      OpBuilder b(result.getContext());
      b.setInsertionPointAfter(result.getOwner());
      castOp = tensor::CastOp::create(b, result.getLoc(), old, result);
    }
    use.set(castOp->getResult(0));
  }
}

LogicalResult weir::inferShapes(func::FuncOp func) {
  WalkResult walk = func.walk([&](InferShapedTypeOpInterface op) {
    if (!isa<WeirDialect>(op->getDialect()))
      return WalkResult::advance();
    FailureOr<SmallVector<Type>> refined = inferRefinedResultTypes(op);
    if (failed(refined))
      return WalkResult::interrupt();
    for (auto [result, type] : llvm::zip(op->getResults(), *refined))
      if (type != result.getType())
        refineResult(cast<OpResult>(result), type);
    return WalkResult::advance();
  });
  if (walk.wasInterrupted())
    return failure();

  // The signature follows what the function returns.
  if (func.isExternal())
    return success();
  auto ret = dyn_cast<func::ReturnOp>(func.getBody().back().getTerminator());
  if (ret && TypeRange(ret.getOperandTypes()) != func.getResultTypes())
    func.setType(FunctionType::get(func.getContext(), func.getArgumentTypes(),
                                   ret.getOperandTypes()));
  return success();
}

namespace {
struct InferShapesPass : weir::impl::InferShapesBase<InferShapesPass> {
  void runOnOperation() override {
    if (failed(inferShapes(getOperation())))
      signalPassFailure();
  }
};
} // namespace
