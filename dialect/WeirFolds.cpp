//===- WeirFolds.cpp - folds and canonicalization patterns of weir ops ---===//
//
// Each rule is one line of algebra; the comment above it states it.
//
//===----------------------------------------------------------------------===//
#include "dialect/WeirOps.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace weir;

/// Folds `op` to `input` when that needs no change of type.
static OpFoldResult identityIf(bool cond, Value input, Value result) {
  if (cond && input.getType() == result.getType())
    return input;
  return {};
}

// dropout(x, rate = 0) -> x
OpFoldResult DropoutOp::fold(FoldAdaptor) {
  return identityIf(getRate().isZero(), getInput(), getOutput());
}

// flatten(x : [N, F]) -> x
OpFoldResult FlattenOp::fold(FoldAdaptor) {
  return identityIf(true, getInput(), getOutput());
}

// reshape(x) -> x when the shape does not change
OpFoldResult ReshapeOp::fold(FoldAdaptor) {
  return identityIf(true, getInput(), getOutput());
}

// concat(x) -> x
OpFoldResult ConcatOp::fold(FoldAdaptor) {
  return identityIf(getInputs().size() == 1, getInputs().front(), getOutput());
}

// cast(x : T to T) -> x
OpFoldResult CastOp::fold(FoldAdaptor) {
  if (OpFoldResult same = identityIf(true, getInput(), getOutput()))
    return same;
  // cast(cast(x : A to B) to C) -> cast(x to C) when B holds every value of
  // A exactly (a float widening): the round trip bf16 -> f32 -> bf16 is x.
  auto inner = getInput().getDefiningOp<CastOp>();
  if (!inner)
    return {};
  auto eltOf = [](Value v) {
    return dyn_cast<FloatType>(getElementTypeOrSelf(v.getType()));
  };
  FloatType a = eltOf(inner.getInput()), b = eltOf(inner.getOutput());
  if (!a || !b || !APFloat::isRepresentableBy(a.getFloatSemantics(),
                                               b.getFloatSemantics()))
    return {};
  if (inner.getInput().getType() == getOutput().getType())
    return inner.getInput();
  getInputMutable().assign(inner.getInput());
  return getOutput();
}

// rescale(x, scale = 1, offset = 0) -> x
OpFoldResult RescaleOp::fold(FoldAdaptor) {
  return identityIf(getScale().isExactlyValue(1.0) && getOffset().isZero(),
                    getInput(), getOutput());
}

// relu(relu(x)) -> relu(x)
OpFoldResult ReluOp::fold(FoldAdaptor) {
  auto inner = getInput().getDefiningOp<ReluOp>();
  return identityIf(inner != nullptr, getInput(), getOutput());
}

namespace {
// reshape(reshape(x, a), b) -> reshape(x, b): only the last shape matters.
struct ReshapeOfReshape : OpRewritePattern<ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReshapeOp op,
                                PatternRewriter &rewriter) const override {
    auto inner = op.getInput().getDefiningOp<ReshapeOp>();
    if (!inner)
      return failure();
    rewriter.modifyOpInPlace(
        op, [&] { op.getInputMutable().assign(inner.getInput()); });
    return success();
  }
};
} // namespace

namespace {
// flatten(rescale(x)) -> rescale(flatten(x)), and likewise for cast: the
// elementwise op then works on [N, F] and fuses with the dense layer that
// usually follows (a reshape in between stops fusion).
template <typename ElementwiseOp>
struct FlattenBeforeElementwise : OpRewritePattern<FlattenOp> {
  using OpRewritePattern<FlattenOp>::OpRewritePattern;
  LogicalResult matchAndRewrite(FlattenOp op,
                                PatternRewriter &rewriter) const override {
    auto inner = op.getInput().template getDefiningOp<ElementwiseOp>();
    if (!inner || !inner->hasOneUse())
      return failure();
    auto outType = cast<TensorType>(op.getOutput().getType());
    auto srcType = cast<TensorType>(inner.getInput().getType());
    if (!outType.hasRank())
      return failure();
    auto flatType = RankedTensorType::get(outType.getShape(),
                                          srcType.getElementType());
    Value flat = FlattenOp::create(rewriter, op.getLoc(), flatType,
                                   inner.getInput());
    Operation *moved = rewriter.clone(*inner);
    moved->setOperand(0, flat);
    moved->getResult(0).setType(outType);
    rewriter.replaceOp(op, moved->getResults());
    return success();
  }
};
} // namespace

void FlattenOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                            MLIRContext *context) {
  patterns.add<FlattenBeforeElementwise<RescaleOp>,
               FlattenBeforeElementwise<CastOp>>(context);
}

void ReshapeOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                            MLIRContext *context) {
  patterns.add<ReshapeOfReshape>(context);
}
