//===- LowerLosses.cpp - weir loss ops to linalg -------------------------===//
//
// One pattern per loss. Cross-entropy from logits goes through a stable
// log-sum-exp (max first), never log(softmax); probabilities are clipped to
// [1e-7, 1 - 1e-7] as Keras does. Every loss is a mean over the batch (and,
// for elementwise losses, over all elements), so the batch size is read at
// run time.
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

static constexpr double kEpsilon = 1e-7;

namespace {
using Combine = llvm::function_ref<Value(OpBuilder &, Location, ValueRange,
                                         Value /*acc*/)>;

/// Reduces the [B, C] iteration space over C into a [B] tensor: `combine`
/// gets the elements of `inputs` (read through `maps`) and the accumulator,
/// which starts at `init`.
Value reduceRows(OpBuilder &b, Location loc, ValueRange inputs,
                 ArrayRef<AffineMap> maps, Value like, Type elt, double init,
                 Combine combine) {
  auto rowType = RankedTensorType::get({ShapedType::kDynamic}, elt);
  Value acc = filledTensor(b, loc, rowType, like, b.getFloatAttr(elt, init));
  SmallVector<AffineMap> indexing(maps);
  MLIRContext *ctx = b.getContext();
  indexing.push_back(AffineMap::get(2, 0, getAffineDimExpr(0, ctx)));
  return linalg::GenericOp::create(
             b, loc, TypeRange{rowType}, inputs, ValueRange{acc}, indexing,
             ArrayRef<utils::IteratorType>{utils::IteratorType::parallel,
                                           utils::IteratorType::reduction},
             [&](OpBuilder &nb, Location l, ValueRange args) {
               linalg::YieldOp::create(
                   nb, l, combine(nb, l, args.drop_back(), args.back()));
             })
      .getResult(0);
}

/// The mean of all elements of the float tensor `v` as a 0-d tensor.
Value meanAll(OpBuilder &b, Location loc, Value v) {
  auto type = cast<RankedTensorType>(v.getType());
  Type elt = type.getElementType();
  unsigned rank = type.getRank();
  auto scalarType = RankedTensorType::get({}, elt);
  Value acc = filledTensor(b, loc, scalarType, v, b.getFloatAttr(elt, 0.0));
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::reduction);
  Value sum = linalg::GenericOp::create(
                  b, loc, TypeRange{scalarType}, ValueRange{v}, ValueRange{acc},
                  ArrayRef<AffineMap>{b.getMultiDimIdentityMap(rank),
                                      AffineMap::get(rank, 0, b.getContext())},
                  iters,
                  [](OpBuilder &nb, Location l, ValueRange a) {
                    linalg::YieldOp::create(
                        nb, l, arith::AddFOp::create(nb, l, a[0], a[1]).getResult());
                  })
                  .getResult(0);
  // The element count: the batch, read at run time, times the rest.
  Value count = tensor::DimOp::create(b, loc, v, 0);
  int64_t rest = 1;
  for (int64_t d : type.getShape().drop_front())
    rest *= d;
  count = arith::MulIOp::create(
      b, loc, count, arith::ConstantIndexOp::create(b, loc, rest));
  Value n = arith::UIToFPOp::create(
      b, loc, elt, arith::IndexCastUIOp::create(b, loc, b.getI64Type(), count));
  return mapElements(b, loc, scalarType, sum, {},
                     [&](OpBuilder &nb, Location l, ValueRange a) {
                       return arith::DivFOp::create(nb, l, a[0], n).getResult();
                     },
                     sum);
}

Value clipProbability(OpBuilder &b, Location l, Value p) {
  Type t = p.getType();
  Value lo = floatConst(b, l, t, kEpsilon), hi = floatConst(b, l, t, 1 - kEpsilon);
  return arith::MinimumFOp::create(b, l, arith::MaximumFOp::create(b, l, p, lo),
                                   hi);
}

/// Per row of the [B, C] logits: max + log(sum(exp(x - max))).
Value logSumExpRows(OpBuilder &b, Location loc, Value x, Type elt) {
  MLIRContext *ctx = b.getContext();
  AffineMap id = b.getMultiDimIdentityMap(2);
  AffineMap row = AffineMap::get(2, 0, getAffineDimExpr(0, ctx));
  Value max = reduceRows(
      b, loc, x, id, x, elt, -INFINITY,
      [](OpBuilder &nb, Location l, ValueRange a, Value acc) {
        return arith::MaximumFOp::create(nb, l, a[0], acc).getResult();
      });
  Value sum = reduceRows(
      b, loc, ValueRange{x, max}, {id, row}, x, elt, 0.0,
      [](OpBuilder &nb, Location l, ValueRange a, Value acc) {
        Value e = math::ExpOp::create(nb, l, arith::SubFOp::create(nb, l, a[0], a[1]));
        return arith::AddFOp::create(nb, l, e, acc).getResult();
      });
  auto rowType = cast<RankedTensorType>(max.getType());
  return mapElements(b, loc, rowType, ValueRange{max, sum}, {},
                     [](OpBuilder &nb, Location l, ValueRange a) {
                       return arith::AddFOp::create(
                                  nb, l, a[0], math::LogOp::create(nb, l, a[1]))
                           .getResult();
                     });
}

// sparse_categorical_crossentropy: mean_b(lse_b - x[b, y_b]) from logits,
// mean_b(-log(clip(p[b, y_b]))) from probabilities.
struct LowerSparseCE : OpRewritePattern<SparseCategoricalCrossentropyOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SparseCategoricalCrossentropyOp op,
                                PatternRewriter &b) const override {
    Location loc = op.getLoc();
    Value x = op.getPrediction();
    Type elt = cast<RankedTensorType>(x.getType()).getElementType();
    Value labels = toSignless(b, loc, op.getTarget());
    bool unsignedLabels = getElementTypeOrSelf(op.getTarget().getType()).isUnsignedInteger();
    MLIRContext *ctx = b.getContext();
    AffineMap id = b.getMultiDimIdentityMap(2);
    AffineMap row = AffineMap::get(2, 0, getAffineDimExpr(0, ctx));
    // The element of each row at its label: a sum that only the label's
    // column contributes to.
    Value picked = reduceRows(
        b, loc, ValueRange{x, labels}, {id, row}, x, elt, 0.0,
        [&](OpBuilder &nb, Location l, ValueRange a, Value acc) {
          Value c = linalg::IndexOp::create(nb, l, 1);
          Value label = unsignedLabels
                            ? arith::IndexCastUIOp::create(nb, l, nb.getIndexType(), a[1]).getResult()
                            : arith::IndexCastOp::create(nb, l, nb.getIndexType(), a[1]).getResult();
          Value hit = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::eq, c, label);
          Value add = arith::AddFOp::create(nb, l, acc, a[0]);
          return arith::SelectOp::create(nb, l, hit, add, acc).getResult();
        });
    auto rowType = cast<RankedTensorType>(picked.getType());
    Value perRow;
    if (op.getFromLogits()) {
      Value lse = logSumExpRows(b, loc, x, elt);
      perRow = mapElements(b, loc, rowType, ValueRange{lse, picked}, {},
                           [](OpBuilder &nb, Location l, ValueRange a) {
                             return arith::SubFOp::create(nb, l, a[0], a[1]).getResult();
                           });
    } else {
      perRow = mapElements(b, loc, rowType, picked, {},
                           [](OpBuilder &nb, Location l, ValueRange a) {
                             Value lg = math::LogOp::create(nb, l, clipProbability(nb, l, a[0]));
                             return arith::NegFOp::create(nb, l, lg).getResult();
                           });
    }
    b.replaceOp(op, meanAll(b, loc, perRow));
    return success();
  }
};

// categorical_crossentropy: mean_b(sum_c t * (lse_b - x)) from logits,
// mean_b(-sum_c t * log(clip(p))) from probabilities.
struct LowerCategoricalCE : OpRewritePattern<CategoricalCrossentropyOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(CategoricalCrossentropyOp op,
                                PatternRewriter &b) const override {
    Location loc = op.getLoc();
    Value x = op.getPrediction(), t = op.getTarget();
    Type elt = cast<RankedTensorType>(x.getType()).getElementType();
    MLIRContext *ctx = b.getContext();
    AffineMap id = b.getMultiDimIdentityMap(2);
    AffineMap row = AffineMap::get(2, 0, getAffineDimExpr(0, ctx));
    Value perRow;
    if (op.getFromLogits()) {
      Value lse = logSumExpRows(b, loc, x, elt);
      perRow = reduceRows(b, loc, ValueRange{x, t, lse}, {id, id, row}, x, elt, 0.0,
                          [](OpBuilder &nb, Location l, ValueRange a, Value acc) {
                            Value d = arith::SubFOp::create(nb, l, a[2], a[0]);
                            Value term = arith::MulFOp::create(nb, l, a[1], d);
                            return arith::AddFOp::create(nb, l, acc, term).getResult();
                          });
    } else {
      perRow = reduceRows(b, loc, ValueRange{x, t}, {id, id}, x, elt, 0.0,
                          [](OpBuilder &nb, Location l, ValueRange a, Value acc) {
                            Value lg = math::LogOp::create(nb, l, clipProbability(nb, l, a[0]));
                            Value term = arith::MulFOp::create(nb, l, a[1], lg);
                            return arith::SubFOp::create(nb, l, acc, term).getResult();
                          });
    }
    b.replaceOp(op, meanAll(b, loc, perRow));
    return success();
  }
};

// binary_crossentropy: the mean of max(x, 0) - x t + log1p(exp(-|x|)) from
// logits, of -(t log p + (1 - t) log(1 - p)) with p clipped otherwise.
struct LowerBinaryCE : OpRewritePattern<BinaryCrossentropyOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(BinaryCrossentropyOp op,
                                PatternRewriter &b) const override {
    Location loc = op.getLoc();
    Value x = op.getPrediction(), t = op.getTarget();
    auto type = cast<RankedTensorType>(x.getType());
    bool logits = op.getFromLogits();
    Value terms = mapElements(
        b, loc, type, ValueRange{x, t}, {},
        [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
          Type ft = a[0].getType();
          Value zero = floatConst(nb, l, ft, 0.0), one = floatConst(nb, l, ft, 1.0);
          if (logits) {
            Value relu = arith::MaximumFOp::create(nb, l, a[0], zero);
            Value xt = arith::MulFOp::create(nb, l, a[0], a[1]);
            Value negAbs = arith::NegFOp::create(nb, l, math::AbsFOp::create(nb, l, a[0]));
            Value soft = math::Log1pOp::create(nb, l, math::ExpOp::create(nb, l, negAbs));
            return arith::AddFOp::create(nb, l, arith::SubFOp::create(nb, l, relu, xt), soft);
          }
          Value p = clipProbability(nb, l, a[0]);
          Value pos = arith::MulFOp::create(nb, l, a[1], math::LogOp::create(nb, l, p));
          Value negT = arith::SubFOp::create(nb, l, one, a[1]);
          Value negP = math::LogOp::create(nb, l, arith::SubFOp::create(nb, l, one, p));
          Value neg = arith::MulFOp::create(nb, l, negT, negP);
          return arith::NegFOp::create(nb, l, arith::AddFOp::create(nb, l, pos, neg));
        });
    b.replaceOp(op, meanAll(b, loc, terms));
    return success();
  }
};

// mean_squared_error: the mean of (p - t)^2.
struct LowerMSE : OpRewritePattern<MeanSquaredErrorOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MeanSquaredErrorOp op,
                                PatternRewriter &b) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getPrediction().getType());
    Value sq = mapElements(b, loc, type,
                           ValueRange{op.getPrediction(), op.getTarget()}, {},
                           [](OpBuilder &nb, Location l, ValueRange a) {
                             Value d = arith::SubFOp::create(nb, l, a[0], a[1]);
                             return arith::MulFOp::create(nb, l, d, d).getResult();
                           });
    b.replaceOp(op, meanAll(b, loc, sq));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Loss gradients and the accuracy count
//===----------------------------------------------------------------------===//

/// The number of terms a loss averages, as a float: the batch size (read at
/// run time) times `perRow` elements.
Value termCount(OpBuilder &b, Location loc, Value like, Type elt,
                int64_t perRow) {
  Value n = tensor::DimOp::create(b, loc, like, 0);
  n = arith::MulIOp::create(b, loc, n,
                            arith::ConstantIndexOp::create(b, loc, perRow));
  return arith::UIToFPOp::create(
      b, loc, elt, arith::IndexCastUIOp::create(b, loc, b.getI64Type(), n));
}

/// 1 where a probability was clipped (its gradient is zero), else 0.
Value insideClip(OpBuilder &b, Location l, Value p) {
  Type t = p.getType();
  Value lo = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGE, p,
                                   floatConst(b, l, t, kEpsilon));
  Value hi = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLE, p,
                                   floatConst(b, l, t, 1 - kEpsilon));
  return arith::AndIOp::create(b, l, lo, hi);
}

Value labelIndex(OpBuilder &b, Location l, Value label, bool isUnsigned) {
  if (isUnsigned)
    return arith::IndexCastUIOp::create(b, l, b.getIndexType(), label);
  return arith::IndexCastOp::create(b, l, b.getIndexType(), label);
}

// d/dx of mean_b(lse_b - x[b, y_b]) = (softmax(x) - onehot(y)) / B; from
// probabilities, -1 / (B p[b, y_b]) at the label where p is not clipped.
struct LowerSparseCEGrad : OpRewritePattern<SparseCategoricalCrossentropyGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SparseCategoricalCrossentropyGradOp op,
                                PatternRewriter &b) const override {
    Location loc = op.getLoc();
    Value x = op.getPrediction();
    auto type = cast<RankedTensorType>(x.getType());
    Type elt = type.getElementType();
    Value labels = toSignless(b, loc, op.getTarget());
    bool isUnsigned = getElementTypeOrSelf(op.getTarget().getType()).isUnsignedInteger();
    MLIRContext *ctx = b.getContext();
    AffineMap id = b.getMultiDimIdentityMap(2);
    AffineMap row = AffineMap::get(2, 0, getAffineDimExpr(0, ctx));
    Value n = termCount(b, loc, x, elt, 1);
    bool logits = op.getFromLogits();
    Value lse = logits ? logSumExpRows(b, loc, x, elt) : labels;
    SmallVector<Value> ins{x, labels};
    SmallVector<AffineMap> maps{id, row};
    if (logits) {
      ins.push_back(lse);
      maps.push_back(row);
    }
    b.replaceOp(op, mapElements(
                        b, loc, type, ins, maps,
                        [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
                          Value c = linalg::IndexOp::create(nb, l, 1);
                          Value hit = arith::CmpIOp::create(
                              nb, l, arith::CmpIPredicate::eq, c,
                              labelIndex(nb, l, a[1], isUnsigned));
                          Value zero = floatConst(nb, l, elt, 0.0);
                          if (logits) {
                            Value p = math::ExpOp::create(
                                nb, l, arith::SubFOp::create(nb, l, a[0], a[2]));
                            Value t = arith::SelectOp::create(
                                nb, l, hit, floatConst(nb, l, elt, 1.0), zero);
                            return arith::DivFOp::create(
                                nb, l, arith::SubFOp::create(nb, l, p, t), n);
                          }
                          Value g = arith::NegFOp::create(
                              nb, l, arith::DivFOp::create(
                                         nb, l, floatConst(nb, l, elt, 1.0),
                                         arith::MulFOp::create(nb, l, a[0], n)));
                          Value live = arith::AndIOp::create(nb, l, hit, insideClip(nb, l, a[0]));
                          return arith::SelectOp::create(nb, l, live, g, zero);
                        }));
    return success();
  }
};

// categorical: (softmax(x) * sum_c t - t) / B from logits; -t / (B p)
// where p is not clipped from probabilities.
struct LowerCategoricalCEGrad : OpRewritePattern<CategoricalCrossentropyGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(CategoricalCrossentropyGradOp op,
                                PatternRewriter &b) const override {
    Location loc = op.getLoc();
    Value x = op.getPrediction(), t = op.getTarget();
    auto type = cast<RankedTensorType>(x.getType());
    Type elt = type.getElementType();
    MLIRContext *ctx = b.getContext();
    AffineMap id = b.getMultiDimIdentityMap(2);
    AffineMap row = AffineMap::get(2, 0, getAffineDimExpr(0, ctx));
    Value n = termCount(b, loc, x, elt, 1);
    if (op.getFromLogits()) {
      Value lse = logSumExpRows(b, loc, x, elt);
      Value tsum = reduceRows(b, loc, t, id, x, elt, 0.0,
                              [](OpBuilder &nb, Location l, ValueRange a, Value acc) {
                                return arith::AddFOp::create(nb, l, a[0], acc).getResult();
                              });
      b.replaceOp(op, mapElements(b, loc, type, {x, t, lse, tsum}, {id, id, row, row},
                                  [&](OpBuilder &nb, Location l, ValueRange a) {
                                    Value p = math::ExpOp::create(
                                        nb, l, arith::SubFOp::create(nb, l, a[0], a[2]));
                                    Value d = arith::SubFOp::create(
                                        nb, l, arith::MulFOp::create(nb, l, p, a[3]), a[1]);
                                    return arith::DivFOp::create(nb, l, d, n).getResult();
                                  }));
      return success();
    }
    b.replaceOp(op, mapElements(b, loc, type, {x, t}, {},
                                [&](OpBuilder &nb, Location l, ValueRange a) {
                                  Value g = arith::NegFOp::create(
                                      nb, l, arith::DivFOp::create(
                                                 nb, l, a[1], arith::MulFOp::create(nb, l, a[0], n)));
                                  return arith::SelectOp::create(
                                             nb, l, insideClip(nb, l, a[0]), g,
                                             floatConst(nb, l, elt, 0.0))
                                      .getResult();
                                }));
    return success();
  }
};

// binary: (sigmoid(x) - t) / N from logits; ((1 - t)/(1 - p) - t/p) / N
// where p is not clipped from probabilities.
struct LowerBinaryCEGrad : OpRewritePattern<BinaryCrossentropyGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(BinaryCrossentropyGradOp op,
                                PatternRewriter &b) const override {
    Location loc = op.getLoc();
    Value x = op.getPrediction(), t = op.getTarget();
    auto type = cast<RankedTensorType>(x.getType());
    Type elt = type.getElementType();
    int64_t perRow = 1;
    for (int64_t d : type.getShape().drop_front())
      perRow *= d;
    Value n = termCount(b, loc, x, elt, perRow);
    bool logits = op.getFromLogits();
    b.replaceOp(op, mapElements(
                        b, loc, type, {x, t}, {},
                        [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
                          Value one = floatConst(nb, l, elt, 1.0);
                          if (logits) {
                            Value e = math::ExpOp::create(nb, l, arith::NegFOp::create(nb, l, a[0]));
                            Value s = arith::DivFOp::create(nb, l, one, arith::AddFOp::create(nb, l, one, e));
                            return arith::DivFOp::create(nb, l, arith::SubFOp::create(nb, l, s, a[1]), n);
                          }
                          Value p = a[0];
                          Value neg = arith::DivFOp::create(
                              nb, l, arith::SubFOp::create(nb, l, one, a[1]),
                              arith::SubFOp::create(nb, l, one, p));
                          Value pos = arith::DivFOp::create(nb, l, a[1], p);
                          Value g = arith::DivFOp::create(nb, l, arith::SubFOp::create(nb, l, neg, pos), n);
                          return arith::SelectOp::create(nb, l, insideClip(nb, l, p), g,
                                                         floatConst(nb, l, elt, 0.0));
                        }));
    return success();
  }
};

// mean squared error: 2 (p - t) / N.
struct LowerMSEGrad : OpRewritePattern<MeanSquaredErrorGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MeanSquaredErrorGradOp op,
                                PatternRewriter &b) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getPrediction().getType());
    Type elt = type.getElementType();
    int64_t perRow = 1;
    for (int64_t d : type.getShape().drop_front())
      perRow *= d;
    Value n = termCount(b, loc, op.getPrediction(), elt, perRow);
    b.replaceOp(op, mapElements(b, loc, type, {op.getPrediction(), op.getTarget()}, {},
                                [&](OpBuilder &nb, Location l, ValueRange a) {
                                  Value d = arith::SubFOp::create(nb, l, a[0], a[1]);
                                  Value two = floatConst(nb, l, elt, 2.0);
                                  return arith::DivFOp::create(
                                             nb, l, arith::MulFOp::create(nb, l, two, d), n)
                                      .getResult();
                                }));
    return success();
  }
};

/// The index of the first maximum of each row of the [B, C] tensor `x`,
/// as an i64 [B] tensor.
Value argmaxRows(OpBuilder &b, Location loc, Value x) {
  auto type = cast<RankedTensorType>(x.getType());
  Type elt = type.getElementType();
  MLIRContext *ctx = b.getContext();
  auto valType = RankedTensorType::get({ShapedType::kDynamic}, elt);
  auto idxType = RankedTensorType::get({ShapedType::kDynamic}, b.getI64Type());
  Value maxInit = filledTensor(b, loc, valType, x,
                               b.getFloatAttr(elt, APFloat::getInf(cast<FloatType>(elt).getFloatSemantics(), true)));
  Value idxInit = filledTensor(b, loc, idxType, x, b.getI64IntegerAttr(0));
  AffineMap id = b.getMultiDimIdentityMap(2);
  AffineMap row = AffineMap::get(2, 0, getAffineDimExpr(0, ctx));
  return linalg::GenericOp::create(
             b, loc, TypeRange{valType, idxType}, ValueRange{x},
             ValueRange{maxInit, idxInit}, ArrayRef<AffineMap>{id, row, row},
             ArrayRef<utils::IteratorType>{utils::IteratorType::parallel,
                                           utils::IteratorType::reduction},
             [](OpBuilder &nb, Location l, ValueRange a) {
               Value c = arith::IndexCastOp::create(
                   nb, l, nb.getI64Type(), linalg::IndexOp::create(nb, l, 1));
               Value better = arith::CmpFOp::create(nb, l, arith::CmpFPredicate::OGT, a[0], a[1]);
               linalg::YieldOp::create(
                   nb, l, ValueRange{arith::SelectOp::create(nb, l, better, a[0], a[1]),
                                     arith::SelectOp::create(nb, l, better, c, a[2])});
             })
      .getResult(1);
}

// correct_count: sum over rows of [prediction right], as a 0-d f32.
struct LowerCorrectCount : OpRewritePattern<CorrectCountOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(CorrectCountOp op,
                                PatternRewriter &b) const override {
    Location loc = op.getLoc();
    Value x = op.getPrediction();
    auto type = cast<RankedTensorType>(x.getType());
    Type tElt = getElementTypeOrSelf(op.getTarget().getType());
    Value rowsRight;
    auto flagType = RankedTensorType::get({ShapedType::kDynamic}, b.getF32Type());
    auto flag = [](OpBuilder &nb, Location l, Value c) {
      return arith::SelectOp::create(nb, l, c, floatConst(nb, l, nb.getF32Type(), 1.0),
                                     floatConst(nb, l, nb.getF32Type(), 0.0))
          .getResult();
    };
    if (isa<IntegerType>(tElt)) {
      Value labels = toSignless(b, loc, op.getTarget());
      bool isUnsigned = tElt.isUnsignedInteger();
      rowsRight = mapElements(b, loc, flagType, {argmaxRows(b, loc, x), labels}, {},
                              [&](OpBuilder &nb, Location l, ValueRange a) {
                                Value lbl = labelIndex(nb, l, a[1], isUnsigned);
                                Value p = arith::IndexCastOp::create(nb, l, nb.getIndexType(), a[0]);
                                return flag(nb, l, arith::CmpIOp::create(nb, l, arith::CmpIPredicate::eq, p, lbl));
                              });
    } else if (type.getDimSize(1) > 1) {
      rowsRight = mapElements(b, loc, flagType,
                              {argmaxRows(b, loc, x), argmaxRows(b, loc, op.getTarget())}, {},
                              [&](OpBuilder &nb, Location l, ValueRange a) {
                                return flag(nb, l, arith::CmpIOp::create(nb, l, arith::CmpIPredicate::eq, a[0], a[1]));
                              });
    } else {
      Type elt = type.getElementType();
      double threshold = op.getFromLogits() ? 0.0 : 0.5;
      Value p = tensor::CollapseShapeOp::create(b, loc, x, ArrayRef<ReassociationIndices>{{0, 1}});
      Value t = tensor::CollapseShapeOp::create(b, loc, op.getTarget(), ArrayRef<ReassociationIndices>{{0, 1}});
      rowsRight = mapElements(b, loc, flagType, {p, t}, {},
                              [&](OpBuilder &nb, Location l, ValueRange a) {
                                Value pp = arith::CmpFOp::create(nb, l, arith::CmpFPredicate::OGT, a[0], floatConst(nb, l, elt, threshold));
                                Value tt = arith::CmpFOp::create(nb, l, arith::CmpFPredicate::OGT, a[1], floatConst(nb, l, elt, 0.5));
                                return flag(nb, l, arith::CmpIOp::create(nb, l, arith::CmpIPredicate::eq, pp, tt));
                              });
    }
    auto scalarType = RankedTensorType::get({}, b.getF32Type());
    Value acc = filledTensor(b, loc, scalarType, x, b.getF32FloatAttr(0.0));
    b.replaceOp(op, linalg::GenericOp::create(
                        b, loc, TypeRange{scalarType}, ValueRange{rowsRight}, ValueRange{acc},
                        ArrayRef<AffineMap>{b.getMultiDimIdentityMap(1),
                                            AffineMap::get(1, 0, b.getContext())},
                        ArrayRef<utils::IteratorType>{utils::IteratorType::reduction},
                        [](OpBuilder &nb, Location l, ValueRange a) {
                          linalg::YieldOp::create(nb, l, arith::AddFOp::create(nb, l, a[0], a[1]).getResult());
                        })
                        .getResult(0));
    return success();
  }
};
} // namespace

void weir::populateLowerLossesPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerSparseCE, LowerCategoricalCE, LowerBinaryCE, LowerMSE,
               LowerSparseCEGrad, LowerCategoricalCEGrad, LowerBinaryCEGrad,
               LowerMSEGrad, LowerCorrectCount>(
      patterns.getContext());
}
