//===- LowerActivations.cpp - activations and softmax to linalg ----------===//
//
// Each elementwise activation is one elementwise linalg op with a scalar
// formula; softmax subtracts the max along its axis before exp, then
// divides by the sum.
//
//===----------------------------------------------------------------------===//
#include "dialect/ShapeFns.h"
#include "dialect/WeirOps.h"
#include "passes/linalg/LinalgBuilders.h"
#include "passes/Passes.h"
#include "passes/Transforms.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace weir;
using namespace weir::lowering;

namespace {
//===----------------------------------------------------------------------===//
// Activations
//===----------------------------------------------------------------------===//

/// An elementwise op lowered by a scalar formula.
template <typename OpT>
struct LowerUnary : OpRewritePattern<OpT> {
  using Formula = Value (*)(OpBuilder &, Location, Value, OpT);
  LowerUnary(MLIRContext *ctx, Formula f) : OpRewritePattern<OpT>(ctx), f(f) {}
  LogicalResult matchAndRewrite(OpT op, PatternRewriter &b) const override {
    b.replaceOp(op, mapElements(b, op.getLoc(), typeOf(op.getOutput()),
                                op.getInput(), {},
                                [&](OpBuilder &nb, Location l, ValueRange a) {
                                  return f(nb, l, a[0], op);
                                }));
    return success();
  }
  Formula f;
};

// relu(x) = max(x, 0)
static Value relu(OpBuilder &b, Location l, Value x, ReluOp) {
  return arith::MaximumFOp::create(b, l, x, floatConst(b, l, x.getType(), 0.0));
}
// sigmoid(x) = 1 / (1 + exp(-x))
static Value sigmoid(OpBuilder &b, Location l, Value x, SigmoidOp) {
  Value one = floatConst(b, l, x.getType(), 1.0);
  Value e = math::ExpOp::create(b, l, arith::NegFOp::create(b, l, x));
  return arith::DivFOp::create(b, l, one, arith::AddFOp::create(b, l, one, e));
}
// tanh(x)
static Value tanhFn(OpBuilder &b, Location l, Value x, TanhOp) {
  return math::TanhOp::create(b, l, x);
}
// gelu(x) = x * Phi(x), exactly or with the tanh approximation
static Value gelu(OpBuilder &b, Location l, Value x, GeluOp op) {
  Type t = x.getType();
  Value half = floatConst(b, l, t, 0.5), one = floatConst(b, l, t, 1.0);
  Value inner;
  if (op.getApproximate()) {
    Value x3 = arith::MulFOp::create(b, l, x, arith::MulFOp::create(b, l, x, x));
    Value poly = arith::AddFOp::create(
        b, l, x, arith::MulFOp::create(b, l, floatConst(b, l, t, 0.044715), x3));
    inner = math::TanhOp::create(
        b, l, arith::MulFOp::create(
                  b, l, floatConst(b, l, t, std::sqrt(2.0 / M_PI)), poly));
  } else {
    inner = math::ErfOp::create(
        b, l, arith::MulFOp::create(b, l, x, floatConst(b, l, t, M_SQRT1_2)));
  }
  Value phi = arith::MulFOp::create(b, l, half,
                                    arith::AddFOp::create(b, l, one, inner));
  return arith::MulFOp::create(b, l, x, phi);
}

// softmax: max-reduce, exp(x - max), sum-reduce, divide; along any axis.
struct LowerSoftmax : OpRewritePattern<SoftmaxOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SoftmaxOp op,
                                PatternRewriter &b) const override {
    Location loc = op.getLoc();
    auto type = typeOf(op.getOutput());
    Type elt = type.getElementType();
    int64_t rank = type.getRank();
    int64_t axis = static_cast<int64_t>(op.getAxis());
    if (axis < 0)
      axis += rank;
    MLIRContext *ctx = b.getContext();
    SmallVector<int64_t> reducedShape;
    SmallVector<AffineExpr> keep;
    for (int64_t i = 0; i < rank; ++i)
      if (i != axis) {
        reducedShape.push_back(type.getDimSize(i));
        keep.push_back(getAffineDimExpr(i, ctx));
      }
    auto reducedType = RankedTensorType::get(reducedShape, elt);
    AffineMap id = b.getMultiDimIdentityMap(rank);
    AffineMap drop = AffineMap::get(rank, 0, keep, ctx);
    SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
    iters[axis] = utils::IteratorType::reduction;
    // The batch size of the reduced tensor: it keeps dimension 0 unless the
    // axis is 0, in which case nothing there is dynamic.
    auto reduce = [&](Value in, TypedAttr initValue, auto combine) {
      Value init = filledTensor(b, loc, reducedType, op.getInput(), initValue);
      return linalg::GenericOp::create(
                 b, loc, TypeRange{reducedType}, ValueRange{in},
                 ValueRange{init}, ArrayRef<AffineMap>{id, drop}, iters,
                 [&](OpBuilder &nb, Location l, ValueRange a) {
                   linalg::YieldOp::create(nb, l, combine(nb, l, a[0], a[1]));
                 })
          .getResult(0);
    };
    Value max = reduce(op.getInput(), lowestValue(elt),
                       [](OpBuilder &nb, Location l, Value x, Value acc) {
                         return arith::MaximumFOp::create(nb, l, x, acc).getResult();
                       });
    Value exps = mapElements(b, loc, type, {op.getInput(), max}, {id, drop},
                             [](OpBuilder &nb, Location l, ValueRange a) {
                               return math::ExpOp::create(
                                          nb, l, arith::SubFOp::create(nb, l, a[0], a[1]))
                                   .getResult();
                             });
    Value sum = reduce(exps, b.getFloatAttr(elt, 0.0),
                       [](OpBuilder &nb, Location l, Value x, Value acc) {
                         return arith::AddFOp::create(nb, l, x, acc).getResult();
                       });
    b.replaceOp(op, mapElements(b, loc, type, {exps, sum}, {id, drop},
                                [](OpBuilder &nb, Location l, ValueRange a) {
                                  return arith::DivFOp::create(nb, l, a[0], a[1])
                                      .getResult();
                                }));
    return success();
  }
};

// Parameters carry no code; by now weir-lift-parameters has replaced every
// load_param with a function argument.
} // namespace

void weir::populateLowerActivationsPatterns(RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<LowerSoftmax>(ctx);
  patterns.add<LowerUnary<ReluOp>>(ctx, relu);
  patterns.add<LowerUnary<SigmoidOp>>(ctx, sigmoid);
  patterns.add<LowerUnary<TanhOp>>(ctx, tanhFn);
  patterns.add<LowerUnary<GeluOp>>(ctx, gelu);
}
