//===- LowerBatchNormTrain.cpp - training-form batch norm and its gradient ===//
//
// Both reduce over every axis but the last (the channels): a per-channel
// sum is one linalg.generic whose output map keeps only the last axis. The
// element count N = batch x spatial size is read at run time.
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

namespace {
using Term = llvm::function_ref<Value(OpBuilder &, Location, ValueRange)>;

/// sum over all axes but the last of term(elements of `inputs`), where
/// full-rank inputs are read elementwise and rank-1 ones per channel.
Value sumPerChannel(OpBuilder &b, Location loc, ValueRange inputs,
                    RankedTensorType full, Term term) {
  unsigned rank = full.getRank();
  Type elt = full.getElementType();
  auto chType = RankedTensorType::get({full.getDimSize(rank - 1)}, elt);
  Value init = filledTensor(b, loc, chType, inputs[0], b.getFloatAttr(elt, 0.0));
  SmallVector<AffineMap> maps;
  for (Value v : inputs)
    maps.push_back(cast<RankedTensorType>(v.getType()).getRank() == 1
                       ? lastAxisMap(b.getContext(), rank)
                       : b.getMultiDimIdentityMap(rank));
  maps.push_back(lastAxisMap(b.getContext(), rank));
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::reduction);
  iters.back() = utils::IteratorType::parallel;
  return linalg::GenericOp::create(
             b, loc, TypeRange{chType}, inputs, ValueRange{init}, maps, iters,
             [&](OpBuilder &nb, Location l, ValueRange a) {
               Value t = term(nb, l, a.drop_back());
               linalg::YieldOp::create(nb, l,
                                       arith::AddFOp::create(nb, l, a.back(), t).getResult());
             })
      .getResult(0);
}

/// N, the number of elements per channel, as a float.
Value countPerChannel(OpBuilder &b, Location loc, Value x) {
  auto type = cast<RankedTensorType>(x.getType());
  int64_t rest = 1;
  for (int64_t d : type.getShape().drop_front().drop_back())
    rest *= d;
  Value n = arith::MulIOp::create(b, loc, tensor::DimOp::create(b, loc, x, 0),
                                  arith::ConstantIndexOp::create(b, loc, rest));
  return arith::UIToFPOp::create(
      b, loc, type.getElementType(),
      arith::IndexCastUIOp::create(b, loc, b.getI64Type(), n));
}

/// Per channel: mean and biased variance of x.
std::pair<Value, Value> momentsPerChannel(OpBuilder &b, Location loc, Value x,
                                          Value n) {
  auto type = cast<RankedTensorType>(x.getType());
  Value sum = sumPerChannel(b, loc, x, type,
                            [](OpBuilder &, Location, ValueRange a) { return a[0]; });
  auto chType = cast<RankedTensorType>(sum.getType());
  Value mean = mapElements(b, loc, chType, sum, {},
                           [&](OpBuilder &nb, Location l, ValueRange a) {
                             return arith::DivFOp::create(nb, l, a[0], n).getResult();
                           });
  Value sq = sumPerChannel(b, loc, {x, mean}, type,
                           [](OpBuilder &nb, Location l, ValueRange a) {
                             Value d = arith::SubFOp::create(nb, l, a[0], a[1]);
                             return arith::MulFOp::create(nb, l, d, d).getResult();
                           });
  Value var = mapElements(b, loc, chType, sq, {},
                          [&](OpBuilder &nb, Location l, ValueRange a) {
                            return arith::DivFOp::create(nb, l, a[0], n).getResult();
                          });
  return {mean, var};
}

struct LowerBatchNormTrain : OpRewritePattern<BatchNormTrainOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(BatchNormTrainOp op,
                                PatternRewriter &b) const override {
    Location loc = op.getLoc();
    Value x = op.getInput();
    auto type = cast<RankedTensorType>(op.getOutput().getType());
    Type elt = type.getElementType();
    unsigned rank = type.getRank();
    double eps = op.getEpsilon().convertToDouble();
    double m = op.getMomentum().convertToDouble();
    Value n = countPerChannel(b, loc, x);
    auto [mean, var] = momentsPerChannel(b, loc, x, n);
    AffineMap id = b.getMultiDimIdentityMap(rank);
    AffineMap ch = lastAxisMap(b.getContext(), rank);
    Value y = mapElements(
        b, loc, type, {x, op.getGamma(), op.getBeta(), mean, var},
        {id, ch, ch, ch, ch}, [&](OpBuilder &nb, Location l, ValueRange a) {
          Value inv = math::RsqrtOp::create(
              nb, l, arith::AddFOp::create(nb, l, a[4], floatConst(nb, l, elt, eps)));
          Value c = arith::SubFOp::create(nb, l, a[0], a[3]);
          Value s = arith::MulFOp::create(nb, l, a[1], inv);
          return arith::AddFOp::create(nb, l, arith::MulFOp::create(nb, l, c, s), a[2])
              .getResult();
        });
    auto chType = cast<RankedTensorType>(mean.getType());
    Value newMean = mapElements(
        b, loc, chType, {op.getMovingMean(), mean}, {},
        [&](OpBuilder &nb, Location l, ValueRange a) {
          return arith::AddFOp::create(
                     nb, l, arith::MulFOp::create(nb, l, floatConst(nb, l, elt, m), a[0]),
                     arith::MulFOp::create(nb, l, floatConst(nb, l, elt, 1 - m), a[1]))
              .getResult();
        });
    // The moving variance takes the unbiased batch variance.
    Value one = floatConst(b, loc, elt, 1.0);
    Value denom = arith::MaximumFOp::create(b, loc, arith::SubFOp::create(b, loc, n, one), one);
    Value unbias = arith::DivFOp::create(b, loc, n, denom);
    Value newVar = mapElements(
        b, loc, chType, {op.getMovingVariance(), var}, {},
        [&](OpBuilder &nb, Location l, ValueRange a) {
          Value v = arith::MulFOp::create(nb, l, a[1], unbias);
          return arith::AddFOp::create(
                     nb, l, arith::MulFOp::create(nb, l, floatConst(nb, l, elt, m), a[0]),
                     arith::MulFOp::create(nb, l, floatConst(nb, l, elt, 1 - m), v))
              .getResult();
        });
    b.replaceOp(op, {y, newMean, newVar});
    return success();
  }
};

// dbeta = sum dy; dgamma = sum dy * xhat;
// dx = gamma * inv / N * (N dy - dbeta - xhat * dgamma).
struct LowerBatchNormTrainGrad : OpRewritePattern<BatchNormTrainGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(BatchNormTrainGradOp op,
                                PatternRewriter &b) const override {
    Location loc = op.getLoc();
    Value x = op.getInput(), dy = op.getOutputGrad(), gamma = op.getGamma();
    auto type = cast<RankedTensorType>(x.getType());
    Type elt = type.getElementType();
    unsigned rank = type.getRank();
    double eps = op.getEpsilon().convertToDouble();
    Value n = countPerChannel(b, loc, x);
    auto [mean, var] = momentsPerChannel(b, loc, x, n);
    auto chType = cast<RankedTensorType>(mean.getType());
    Value inv = mapElements(b, loc, chType, var, {},
                            [&](OpBuilder &nb, Location l, ValueRange a) {
                              return math::RsqrtOp::create(
                                         nb, l, arith::AddFOp::create(nb, l, a[0], floatConst(nb, l, elt, eps)))
                                  .getResult();
                            });
    auto xhat = [](OpBuilder &nb, Location l, Value xv, Value m, Value iv) {
      return arith::MulFOp::create(nb, l, arith::SubFOp::create(nb, l, xv, m), iv).getResult();
    };
    Value dbeta = sumPerChannel(b, loc, dy, type,
                                [](OpBuilder &, Location, ValueRange a) { return a[0]; });
    Value dgamma = sumPerChannel(b, loc, {dy, x, mean, inv}, type,
                                 [&](OpBuilder &nb, Location l, ValueRange a) {
                                   return arith::MulFOp::create(nb, l, a[0], xhat(nb, l, a[1], a[2], a[3])).getResult();
                                 });
    AffineMap id = b.getMultiDimIdentityMap(rank);
    AffineMap ch = lastAxisMap(b.getContext(), rank);
    Value dx = mapElements(
        b, loc, type, {dy, x, mean, inv, gamma, dbeta, dgamma},
        {id, id, ch, ch, ch, ch, ch}, [&](OpBuilder &nb, Location l, ValueRange a) {
          Value h = xhat(nb, l, a[1], a[2], a[3]);
          Value t = arith::SubFOp::create(
              nb, l,
              arith::SubFOp::create(nb, l, arith::MulFOp::create(nb, l, n, a[0]), a[5]),
              arith::MulFOp::create(nb, l, h, a[6]));
          Value k = arith::DivFOp::create(nb, l, arith::MulFOp::create(nb, l, a[4], a[3]), n);
          return arith::MulFOp::create(nb, l, k, t).getResult();
        });
    b.replaceOp(op, {dx, dgamma, dbeta});
    return success();
  }
};
} // namespace

void weir::populateLowerBatchNormTrainPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerBatchNormTrain, LowerBatchNormTrainGrad>(patterns.getContext());
}
