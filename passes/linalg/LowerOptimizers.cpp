//===- LowerOptimizers.cpp - optimizer updates to one kernel each --------===//
//
// Each update is one elementwise linalg.generic that reads the gradient and
// takes the parameter and its state as `outs`: it reads and rewrites them
// in place, so bufferization can give the results the operands' buffers.
// Scalar factors (learning rate, bias corrections) are computed once,
// outside the kernel, in f32, then converted to the parameter's type.
//
//===----------------------------------------------------------------------===//
#include "dialect/WeirOps.h"
#include "passes/linalg/LinalgBuilders.h"
#include "passes/Transforms.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace weir;
using namespace weir::lowering;

/// The f32 value of a 0-d tensor, converted to `elt`.
static Value scalar(OpBuilder &b, Location loc, Value t, Type elt) {
  Value v = tensor::ExtractOp::create(b, loc, t, ValueRange{});
  return convertScalar(b, loc, v, elt, false);
}

/// An elementwise update: `body` gets (grad, param, state...) and returns
/// the new (param, state...).
static SmallVector<Value>
updateInPlace(OpBuilder &b, Location loc, Value grad, ValueRange outs,
              llvm::function_ref<SmallVector<Value>(OpBuilder &, Location,
                                                    ValueRange)> body) {
  auto type = cast<RankedTensorType>(grad.getType());
  unsigned rank = type.getRank();
  SmallVector<AffineMap> maps(1 + outs.size(), b.getMultiDimIdentityMap(rank));
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
  SmallVector<Type> types(outs.size(), type);
  auto generic = linalg::GenericOp::create(
      b, loc, types, ValueRange{grad}, outs, maps, iters,
      [&](OpBuilder &nb, Location l, ValueRange a) {
        linalg::YieldOp::create(nb, l, body(nb, l, a));
      });
  return SmallVector<Value>(generic.getResults());
}

namespace {

struct LowerApplySgd : OpRewritePattern<ApplySgdOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ApplySgdOp op, PatternRewriter &b) const override {
    Location loc = op.getLoc();
    Type elt = getElementTypeOrSelf(op.getParam().getType());
    Value lr = scalar(b, loc, op.getLearningRate(), elt);
    double momentum = op.getMomentum().convertToDouble();
    bool nesterov = op.getNesterov();
    SmallVector<Value> outs{op.getParam()};
    if (op.getVelocity())
      outs.push_back(op.getVelocity());
    b.replaceOp(op, updateInPlace(
                        b, loc, op.getGrad(), outs,
                        [&](OpBuilder &nb, Location l, ValueRange a) {
                          Value step = arith::MulFOp::create(nb, l, lr, a[0]);
                          if (outs.size() == 1)
                            return SmallVector<Value>{
                                arith::SubFOp::create(nb, l, a[1], step)};
                          Value m = floatConst(nb, l, elt, momentum);
                          Value v = arith::SubFOp::create(
                              nb, l, arith::MulFOp::create(nb, l, m, a[2]), step);
                          Value delta = nesterov
                                            ? arith::SubFOp::create(
                                                  nb, l, arith::MulFOp::create(nb, l, m, v), step)
                                                  .getResult()
                                            : v;
                          return SmallVector<Value>{
                              arith::AddFOp::create(nb, l, a[1], delta), v};
                        }));
    return success();
  }
};

struct LowerApplyAdam : OpRewritePattern<ApplyAdamOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ApplyAdamOp op, PatternRewriter &b) const override {
    Location loc = op.getLoc();
    Type elt = getElementTypeOrSelf(op.getParam().getType());
    Type f32 = b.getF32Type();
    double b1 = op.getBeta_1().convertToDouble(), b2 = op.getBeta_2().convertToDouble();
    double wd = op.getWeightDecay().convertToDouble();
    // alpha = lr * sqrt(1 - b2^t) / (1 - b1^t), in f32.
    Value lr32 = tensor::ExtractOp::create(b, loc, op.getLearningRate(), ValueRange{});
    Value t = tensor::ExtractOp::create(b, loc, op.getIteration(), ValueRange{});
    Value one = floatConst(b, loc, f32, 1.0);
    Value p1 = math::PowFOp::create(b, loc, floatConst(b, loc, f32, b1), t);
    Value p2 = math::PowFOp::create(b, loc, floatConst(b, loc, f32, b2), t);
    Value alpha32 = arith::DivFOp::create(
        b, loc,
        arith::MulFOp::create(b, loc, lr32,
                              math::SqrtOp::create(b, loc, arith::SubFOp::create(b, loc, one, p2))),
        arith::SubFOp::create(b, loc, one, p1));
    Value alpha = convertScalar(b, loc, alpha32, elt, false);
    Value decay = convertScalar(
        b, loc, arith::MulFOp::create(b, loc, lr32, floatConst(b, loc, f32, wd)), elt, false);
    b.replaceOp(op, updateInPlace(
                        b, loc, op.getGrad(), {op.getParam(), op.getM(), op.getV()},
                        [&](OpBuilder &nb, Location l, ValueRange a) {
                          auto k = [&](double v) { return floatConst(nb, l, elt, v); };
                          Value g = a[0], p = a[1];
                          if (wd > 0.0)
                            p = arith::SubFOp::create(nb, l, p, arith::MulFOp::create(nb, l, decay, p));
                          Value m = arith::AddFOp::create(
                              nb, l, a[2],
                              arith::MulFOp::create(nb, l, arith::SubFOp::create(nb, l, g, a[2]), k(1 - b1)));
                          Value g2 = arith::MulFOp::create(nb, l, g, g);
                          Value v = arith::AddFOp::create(
                              nb, l, a[3],
                              arith::MulFOp::create(nb, l, arith::SubFOp::create(nb, l, g2, a[3]), k(1 - b2)));
                          Value denom = arith::AddFOp::create(
                              nb, l, math::SqrtOp::create(nb, l, v),
                              k(op.getEpsilon().convertToDouble()));
                          Value upd = arith::DivFOp::create(
                              nb, l, arith::MulFOp::create(nb, l, alpha, m), denom);
                          return SmallVector<Value>{arith::SubFOp::create(nb, l, p, upd), m, v};
                        }));
    return success();
  }
};

struct LowerApplyRmsprop : OpRewritePattern<ApplyRmspropOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ApplyRmspropOp op,
                                PatternRewriter &b) const override {
    Location loc = op.getLoc();
    Type elt = getElementTypeOrSelf(op.getParam().getType());
    Value lr = scalar(b, loc, op.getLearningRate(), elt);
    double rho = op.getRho().convertToDouble();
    double momentum = op.getMomentum().convertToDouble();
    double eps = op.getEpsilon().convertToDouble();
    SmallVector<Value> outs{op.getParam(), op.getMs()};
    if (op.getMom())
      outs.push_back(op.getMom());
    b.replaceOp(op, updateInPlace(
                        b, loc, op.getGrad(), outs,
                        [&](OpBuilder &nb, Location l, ValueRange a) {
                          auto k = [&](double v) { return floatConst(nb, l, elt, v); };
                          Value g = a[0];
                          Value ms = arith::AddFOp::create(
                              nb, l, arith::MulFOp::create(nb, l, k(rho), a[2]),
                              arith::MulFOp::create(nb, l, k(1 - rho),
                                                    arith::MulFOp::create(nb, l, g, g)));
                          Value inc = arith::DivFOp::create(
                              nb, l, arith::MulFOp::create(nb, l, lr, g),
                              math::SqrtOp::create(nb, l, arith::AddFOp::create(nb, l, ms, k(eps))));
                          if (outs.size() == 2)
                            return SmallVector<Value>{arith::SubFOp::create(nb, l, a[1], inc), ms};
                          Value mom = arith::AddFOp::create(
                              nb, l, arith::MulFOp::create(nb, l, k(momentum), a[3]), inc);
                          return SmallVector<Value>{arith::SubFOp::create(nb, l, a[1], mom), ms, mom};
                        }));
    return success();
  }
};

} // namespace

void weir::populateLowerOptimizersPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerApplySgd, LowerApplyAdam, LowerApplyRmsprop>(
      patterns.getContext());
}
