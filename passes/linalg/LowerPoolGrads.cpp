//===- LowerPoolGrads.cpp - gradients of the pooling ops to linalg -------===//
//
// Pools whose windows tile the input (strides == pool size, no padding)
// work on the input viewed as [N, OH, s0, OW, s1, C] with elementwise
// kernels over the window positions, which vectorize along the channels.
// Other pools gather, at each input position, over the windows covering it
// (tensor.extract at computed indices; these stay scalar).
//
//===----------------------------------------------------------------------===//
#include "dialect/ShapeFns.h"
#include "dialect/WeirOps.h"
#include "passes/linalg/LinalgBuilders.h"
#include "passes/Transforms.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace weir;
using namespace weir::lowering;

namespace {

/// The gradient of a pooling op at each input position: the sum over the
/// (kh, kw) window offsets whose window (oy, ox) covers the position and
/// for which `take(nb, l, oy, ox, windowIndex)` returns the contribution.
/// The window axes come from a [KH, KW] dummy operand, as linalg pooling
/// ops do.
using TakeFn = llvm::function_ref<Value(OpBuilder &, Location, Value /*oy*/,
                                        Value /*ox*/, Value /*window index*/)>;
static Value gatherWindows(OpBuilder &b, Location loc, RankedTensorType dxType,
                           Value like, ArrayRef<int64_t> pool,
                           ArrayRef<int64_t> strides, int64_t top, int64_t left,
                           int64_t oh, int64_t ow, TakeFn take) {
  MLIRContext *ctx = b.getContext();
  Type elt = dxType.getElementType();
  Value window = tensor::EmptyOp::create(b, loc, pool, elt);
  auto e = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  // dims (n, ih, iw, ky, kx, c): channels innermost, so the gathers of a
  // tile read contiguous channel vectors.
  AffineMap winMap = AffineMap::get(6, 0, {e(3), e(4)}, ctx);
  AffineMap outMap = AffineMap::get(6, 0, {e(0), e(1), e(2), e(5)}, ctx);
  auto par = utils::IteratorType::parallel, red = utils::IteratorType::reduction;
  Value init = zeroTensor(b, loc, dxType, like);
  return linalg::GenericOp::create(
             b, loc, TypeRange{dxType}, ValueRange{window}, ValueRange{init},
             ArrayRef<AffineMap>{winMap, outMap},
             ArrayRef<utils::IteratorType>{par, par, par, red, red, par},
             [&](OpBuilder &nb, Location l, ValueRange a) {
               auto ci = [&](int64_t v) {
                 return arith::ConstantIndexOp::create(nb, l, v).getResult();
               };
               Value zero = ci(0);
               // Window origin along one axis: o = (i + pad - k) / stride,
               // valid when exact and in [0, n).
               auto origin = [&](Value i, Value k, int64_t pad, int64_t stride,
                                 int64_t n, Value &valid) {
                 Value p = arith::SubIOp::create(
                     nb, l, arith::AddIOp::create(nb, l, i, ci(pad)), k);
                 Value o = arith::DivSIOp::create(nb, l, p, ci(stride));
                 Value exact = arith::CmpIOp::create(
                     nb, l, arith::CmpIPredicate::eq,
                     arith::RemSIOp::create(nb, l, p, ci(stride)), zero);
                 Value nonNeg = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::sge, p, zero);
                 Value below = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::slt, o, ci(n));
                 valid = arith::AndIOp::create(
                     nb, l, arith::AndIOp::create(nb, l, exact, nonNeg), below);
                 return arith::SelectOp::create(nb, l, valid, o, zero).getResult();
               };
               Value ky = linalg::IndexOp::create(nb, l, 3);
               Value kx = linalg::IndexOp::create(nb, l, 4);
               Value vy, vx;
               Value oy = origin(linalg::IndexOp::create(nb, l, 1), ky, top,
                                 strides[0], oh, vy);
               Value ox = origin(linalg::IndexOp::create(nb, l, 2), kx, left,
                                 strides[1], ow, vx);
               Value widx = arith::AddIOp::create(
                   nb, l, arith::MulIOp::create(nb, l, ky, ci(pool[1])), kx);
               Value v = take(nb, l, oy, ox, widx);
               Value ok = arith::AndIOp::create(nb, l, vy, vx);
               Value contrib = arith::SelectOp::create(
                   nb, l, ok, v, floatConst(nb, l, elt, 0.0));
               linalg::YieldOp::create(
                   nb, l, arith::AddFOp::create(nb, l, a[1], contrib).getResult());
             })
      .getResult(0);
}

/// Pools whose windows tile the input (strides == pool size, no padding):
/// each input position below [OH * s, OW * s] lies in exactly one window,
/// so the gradient is computed on the input viewed as
/// [N, OH, s0, OW, s1, C] with plain (vectorizable) indexing, then
/// collapsed and zero-padded for rows and columns no window covers.
/// `value(nb, l, args, ky, kx)` gets the block arguments of the inputs
/// `perWindow` (each [N, OH, OW, C]) and returns the gradient element.
using WindowValueFn = llvm::function_ref<Value(OpBuilder &, Location, ValueRange,
                                               Value /*ky*/, Value /*kx*/)>;
static Value tiledPoolGrad(OpBuilder &b, Location loc, RankedTensorType dxType,
                           Value like, ValueRange perWindow,
                           ArrayRef<int64_t> pool, WindowValueFn value) {
  MLIRContext *ctx = b.getContext();
  auto wType = cast<RankedTensorType>(perWindow[0].getType());
  int64_t oh = wType.getDimSize(1), ow = wType.getDimSize(2),
          c = wType.getDimSize(3);
  Type elt = dxType.getElementType();
  auto bigType = RankedTensorType::get(
      {dxType.getDimSize(0), oh, pool[0], ow, pool[1], c}, elt);
  auto e = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  AffineMap win = AffineMap::get(6, 0, {e(0), e(1), e(3), e(5)}, ctx);
  SmallVector<AffineMap> maps(perWindow.size(), win);
  Value big = mapElements(b, loc, bigType, perWindow, maps,
                          [&](OpBuilder &nb, Location l, ValueRange a) {
                            return value(nb, l, a, linalg::IndexOp::create(nb, l, 2),
                                         linalg::IndexOp::create(nb, l, 4));
                          },
                          like);
  auto coveredType = RankedTensorType::get(
      {dxType.getDimSize(0), oh * pool[0], ow * pool[1], c}, elt);
  Value dx = tensor::CollapseShapeOp::create(
      b, loc, coveredType, big,
      ArrayRef<ReassociationIndices>{{0}, {1, 2}, {3, 4}, {5}});
  int64_t bottom = dxType.getDimSize(1) - oh * pool[0];
  int64_t right = dxType.getDimSize(2) - ow * pool[1];
  if (bottom || right) {
    SmallVector<OpFoldResult> low(4, b.getIndexAttr(0));
    SmallVector<OpFoldResult> high{b.getIndexAttr(0), b.getIndexAttr(bottom),
                                   b.getIndexAttr(right), b.getIndexAttr(0)};
    dx = tensor::PadOp::create(
        b, loc, dxType, dx, low, high,
        Value(arith::ConstantOp::create(b, loc, b.getFloatAttr(elt, 0.0))));
  }
  return dx;
}

/// The window positions of a pool whose windows tile the input: for each
/// (ky, kx) in row-major order, the [N, OH, OW, C] slice of the input seen
/// as [N, OH, s0, OW, s1, C] (rows and columns no window covers dropped).
static SmallVector<Value> tiledWindowPositions(OpBuilder &b, Location loc,
                                               Value x, RankedTensorType outType,
                                               ArrayRef<int64_t> pool) {
  auto xType = typeOf(x);
  Type elt = xType.getElementType();
  int64_t oh = outType.getDimSize(1), ow = outType.getDimSize(2),
          c = xType.getDimSize(3);
  Value batch = tensor::DimOp::create(b, loc, x, 0);
  if (oh * pool[0] != xType.getDimSize(1) || ow * pool[1] != xType.getDimSize(2)) {
    SmallVector<OpFoldResult> zero(4, b.getIndexAttr(0));
    SmallVector<OpFoldResult> sizes{batch, b.getIndexAttr(oh * pool[0]),
                                    b.getIndexAttr(ow * pool[1]), b.getIndexAttr(c)};
    SmallVector<OpFoldResult> ones(4, b.getIndexAttr(1));
    x = tensor::ExtractSliceOp::create(
        b, loc, xType.clone({xType.getDimSize(0), oh * pool[0], ow * pool[1], c}), x,
        zero, sizes, ones);
  }
  x = tensor::ExpandShapeOp::create(
      b, loc, RankedTensorType::get({xType.getDimSize(0), oh, pool[0], ow, pool[1], c}, elt),
      x, ArrayRef<ReassociationIndices>{{0}, {1, 2}, {3, 4}, {5}});
  SmallVector<Value> positions;
  for (int64_t ky = 0; ky < pool[0]; ++ky)
    for (int64_t kx = 0; kx < pool[1]; ++kx) {
      SmallVector<OpFoldResult> offsets{b.getIndexAttr(0), b.getIndexAttr(0),
                                        b.getIndexAttr(ky), b.getIndexAttr(0),
                                        b.getIndexAttr(kx), b.getIndexAttr(0)};
      SmallVector<OpFoldResult> sizes{batch, b.getIndexAttr(oh), b.getIndexAttr(1),
                                      b.getIndexAttr(ow), b.getIndexAttr(1),
                                      b.getIndexAttr(c)};
      SmallVector<OpFoldResult> ones(6, b.getIndexAttr(1));
      positions.push_back(tensor::ExtractSliceOp::create(
          b, loc, outType.clone(elt), x, offsets, sizes, ones));
    }
  return positions;
}

/// The index (as i32) of the first maximum among the elements `a`.
static Value firstMaxIndex(OpBuilder &nb, Location l, ValueRange a) {
  Value best = a[0];
  Value index = arith::ConstantOp::create(nb, l, nb.getI32IntegerAttr(0));
  for (unsigned i = 1; i < a.size(); ++i) {
    Value better = arith::CmpFOp::create(nb, l, arith::CmpFPredicate::OGT, a[i], best);
    best = arith::SelectOp::create(nb, l, better, a[i], best);
    index = arith::SelectOp::create(
        nb, l, better, arith::ConstantOp::create(nb, l, nb.getI32IntegerAttr(i)), index);
  }
  return index;
}

// max_pool2d_grad: first the window index of each window's first maximum,
// then each input position gathers dy from the windows it won.
struct LowerMaxPoolGrad : OpRewritePattern<MaxPool2DGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MaxPool2DGradOp op,
                                PatternRewriter &b) const override {
    Location loc = op.getLoc();
    auto xType = typeOf(op.getInput());
    auto dyType = typeOf(op.getOutputGrad());
    auto idxType = dyType.clone(b.getI32Type());
    Type elt = xType.getElementType();
    ArrayRef<int64_t> pool = op.getPoolSize(), s = op.getStrides();
    Value dy = op.getOutputGrad();
    // The gradient goes to window position `w` where the winner index is w.
    auto routed = [&](OpBuilder &nb, Location l, Value won, Value w, Value g) {
      Value wi = arith::IndexCastOp::create(nb, l, nb.getI32Type(), w);
      Value hit = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::eq, won, wi);
      return arith::SelectOp::create(nb, l, hit, g, floatConst(nb, l, elt, 0.0))
          .getResult();
    };
    if (windowsTile(xType, pool, s, op.getPadding())) {
      Value winner = mapElements(b, loc, idxType,
                                 tiledWindowPositions(b, loc, op.getInput(), dyType, pool),
                                 {}, firstMaxIndex);
      b.replaceOp(op, tiledPoolGrad(
                          b, loc, xType, op.getInput(), {winner, dy}, pool,
                          [&](OpBuilder &nb, Location l, ValueRange a, Value ky,
                              Value kx) {
                            Value w = arith::AddIOp::create(
                                nb, l, arith::MulIOp::create(
                                           nb, l, ky, arith::ConstantIndexOp::create(nb, l, pool[1])),
                                kx);
                            return routed(nb, l, a[0], w, a[1]);
                          }));
      return success();
    }
    // Overlapping or padded windows: the argmax reduces over each window of
    // the input padded with -inf, then every input position gathers from
    // the windows covering it.
    auto lowest = b.getFloatAttr(elt, APFloat::getInf(cast<FloatType>(elt).getFloatSemantics(), true));
    int64_t ones[2] = {1, 1};
    Value x = padSpatial(b, loc, op.getInput(), pool, s, ones, op.getPadding(), lowest);
    int64_t top = windowPadding(xType.getDimSize(1), pool[0], s[0], 1, op.getPadding()).first;
    int64_t left = windowPadding(xType.getDimSize(2), pool[1], s[1], 1, op.getPadding()).first;
    MLIRContext *ctx = b.getContext();
    auto e = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
    // dims (n, oy, ox, ky, kx, c)
    AffineMap xMap = AffineMap::get(
        6, 0, {e(0), e(1) * s[0] + e(3), e(2) * s[1] + e(4), e(5)}, ctx);
    AffineMap winMap = AffineMap::get(6, 0, {e(3), e(4)}, ctx);
    AffineMap outMap = AffineMap::get(6, 0, {e(0), e(1), e(2), e(5)}, ctx);
    auto par = utils::IteratorType::parallel, red = utils::IteratorType::reduction;
    Value maxInit = filledTensor(b, loc, dyType, dy, lowest);
    Value idxInit = filledTensor(b, loc, idxType, dy, b.getI32IntegerAttr(0));
    Value window = tensor::EmptyOp::create(b, loc, pool, elt);
    Value winner = linalg::GenericOp::create(
        b, loc, TypeRange{dyType, idxType}, ValueRange{x, window},
        ValueRange{maxInit, idxInit}, ArrayRef<AffineMap>{xMap, winMap, outMap, outMap},
        ArrayRef<utils::IteratorType>{par, par, par, red, red, par},
        [&](OpBuilder &nb, Location l, ValueRange a) {
          Value ky = linalg::IndexOp::create(nb, l, 3);
          Value kx = linalg::IndexOp::create(nb, l, 4);
          Value w = arith::AddIOp::create(
              nb, l, arith::MulIOp::create(nb, l, ky,
                                           arith::ConstantIndexOp::create(nb, l, pool[1])),
              kx);
          Value wi = arith::IndexCastOp::create(nb, l, nb.getI32Type(), w);
          Value better = arith::CmpFOp::create(nb, l, arith::CmpFPredicate::OGT, a[0], a[2]);
          linalg::YieldOp::create(
              nb, l, ValueRange{arith::SelectOp::create(nb, l, better, a[0], a[2]),
                                arith::SelectOp::create(nb, l, better, wi, a[3])});
        }).getResult(1);
    b.replaceOp(op, gatherWindows(
                        b, loc, xType, op.getInput(), pool, s, top, left,
                        dyType.getDimSize(1), dyType.getDimSize(2),
                        [&](OpBuilder &nb, Location l, Value oy, Value ox, Value w) {
                          Value n = linalg::IndexOp::create(nb, l, 0);
                          Value c = linalg::IndexOp::create(nb, l, 5);
                          Value won = tensor::ExtractOp::create(nb, l, winner, ValueRange{n, oy, ox, c});
                          Value g = tensor::ExtractOp::create(nb, l, dy, ValueRange{n, oy, ox, c});
                          return routed(nb, l, won, w, g);
                        }));
    return success();
  }
};

// avg_pool2d_grad: each input position gathers dy / count of every window
// covering it (count = the window's positions inside the input).
struct LowerAvgPoolGrad : OpRewritePattern<AvgPool2DGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AvgPool2DGradOp op,
                                PatternRewriter &b) const override {
    Location loc = op.getLoc();
    auto xType = typeOf(op.getInput());
    auto dyType = typeOf(op.getOutputGrad());
    Type elt = xType.getElementType();
    ArrayRef<int64_t> pool = op.getPoolSize(), s = op.getStrides();
    int64_t ih = xType.getDimSize(1), iw = xType.getDimSize(2);
    int64_t oh = dyType.getDimSize(1), ow = dyType.getDimSize(2);
    int64_t top = windowPadding(ih, pool[0], s[0], 1, op.getPadding()).first;
    int64_t left = windowPadding(iw, pool[1], s[1], 1, op.getPadding()).first;
    SmallVector<Attribute> scale;
    for (int64_t y = 0; y < oh; ++y)
      for (int64_t x = 0; x < ow; ++x) {
        int64_t y0 = y * s[0] - top, x0 = x * s[1] - left;
        int64_t rows = std::min(y0 + pool[0], ih) - std::max<int64_t>(y0, 0);
        int64_t cols = std::min(x0 + pool[1], iw) - std::max<int64_t>(x0, 0);
        scale.push_back(b.getFloatAttr(elt, 1.0 / double(rows * cols)));
      }
    Value scales = arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(RankedTensorType::get({oh, ow}, elt), scale));
    Value dy = op.getOutputGrad();
    if (windowsTile(xType, pool, s, op.getPadding())) {
      double inv = 1.0 / double(pool[0] * pool[1]);
      b.replaceOp(op, tiledPoolGrad(
                          b, loc, xType, op.getInput(), {dy}, pool,
                          [&](OpBuilder &nb, Location l, ValueRange a, Value, Value) {
                            return arith::MulFOp::create(nb, l, a[0], floatConst(nb, l, elt, inv))
                                .getResult();
                          }));
      return success();
    }
    b.replaceOp(op, gatherWindows(
                        b, loc, xType, op.getInput(), pool, s, top, left, oh, ow,
                        [&](OpBuilder &nb, Location l, Value oy, Value ox, Value) {
                          Value n = linalg::IndexOp::create(nb, l, 0);
                          Value c = linalg::IndexOp::create(nb, l, 5);
                          Value g = tensor::ExtractOp::create(nb, l, dy, ValueRange{n, oy, ox, c});
                          Value k = tensor::ExtractOp::create(nb, l, scales, ValueRange{oy, ox});
                          return arith::MulFOp::create(nb, l, g, k).getResult();
                        }));
    return success();
  }
};

} // namespace

void weir::populateLowerPoolGradsPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerMaxPoolGrad, LowerAvgPoolGrad>(patterns.getContext());
}
