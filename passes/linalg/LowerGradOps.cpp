//===- LowerGradOps.cpp - backward-graph weir ops to linalg --------------===//
//
// One pattern per op that weir-differentiate emits (the loss gradients live
// with the losses, in LowerLosses.cpp, the pool gradients in
// LowerPoolGrads.cpp). Matrix products become plain
// linalg.matmul on explicitly transposed operands, so the contraction
// recipes of weir-vectorize-contractions apply to the backward pass too.
// Gradients of windowed ops are gathers: each input position sums the
// windows that cover it, so no scatter is needed.
//
//===----------------------------------------------------------------------===//
#include "dialect/ShapeFns.h"
#include "dialect/WeirOps.h"
#include "passes/linalg/FilterGradConv.h"
#include "passes/linalg/LinalgBuilders.h"
#include "passes/Transforms.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

#include <cmath>

using namespace mlir;
using namespace weir;
using namespace weir::lowering;


/// The rank-2 transpose of `v`, as a generic (weir-vectorize-contractions
/// tiles it into short rows; a whole-tensor vector transpose would unroll).
static Value transpose2D(OpBuilder &b, Location loc, Value v) {
  auto t = typeOf(v);
  auto type = RankedTensorType::get({t.getDimSize(1), t.getDimSize(0)},
                                    t.getElementType());
  MLIRContext *ctx = b.getContext();
  AffineMap swap = AffineMap::get(
      2, 0, {getAffineDimExpr(1, ctx), getAffineDimExpr(0, ctx)}, ctx);
  SmallVector<Value> dyn;
  if (type.isDynamicDim(0))
    dyn.push_back(tensor::DimOp::create(b, loc, v, 1));
  if (type.isDynamicDim(1))
    dyn.push_back(tensor::DimOp::create(b, loc, v, 0));
  Value init = tensor::EmptyOp::create(b, loc, type.getShape(),
                                       type.getElementType(), dyn);
  return linalg::GenericOp::create(
             b, loc, TypeRange{type}, ValueRange{v}, ValueRange{init},
             ArrayRef<AffineMap>{swap, b.getMultiDimIdentityMap(2)},
             ArrayRef<utils::IteratorType>{utils::IteratorType::parallel,
                                           utils::IteratorType::parallel},
             [](OpBuilder &nb, Location l, ValueRange a) {
               linalg::YieldOp::create(nb, l, a[0]);
             })
      .getResult(0);
}

namespace {

// matmul: linalg.matmul when the contraction recipe applies (a static
// right-hand side whose reduction 8 divides); otherwise a generic whose
// innermost loop runs along the output row (the j of a row
// out[i, :] += a[i, k] * b[k, :]), which weir-vectorize-contractions tiles
// to one vector per row. A transposed left operand is read in place (down
// its columns); a transposed right operand (a parameter) is transposed
// once.
struct LowerMatmul : OpRewritePattern<MatmulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MatmulOp op, PatternRewriter &b) const override {
    Location loc = op.getLoc();
    Value a = op.getA();
    Value k = op.getTransposeB() ? transpose2D(b, loc, op.getB()) : op.getB();
    auto type = typeOf(op.getOutput());
    // 16-bit floats accumulate in f32 and round once.
    Type accElt = accumulatorElement(type.getElementType());
    auto accType = type.clone(accElt);
    auto kType = typeOf(k);
    bool transposeA = op.getTransposeA();
    Value init = zeroTensor(b, loc, accType, transposeA ? k : a);
    if (!transposeA && kType.hasStaticShape() && kType.getDimSize(0) % 8 == 0) {
      Value product = linalg::MatmulOp::create(b, loc, TypeRange{accType},
                                               ValueRange{a, k}, ValueRange{init})
                          .getResult(0);
      b.replaceOp(op, convertFloats(b, loc, product, type.getElementType()));
      return success();
    }
    MLIRContext *ctx = b.getContext();
    // dims (i, k, j): the output row out[i, :] stays in L1 (or registers)
    // while k runs; a transposed `a` is [k, i] and read down a column.
    AffineExpr d0 = getAffineDimExpr(0, ctx), d1 = getAffineDimExpr(1, ctx),
               d2 = getAffineDimExpr(2, ctx);
    AffineExpr i = d0, kk = d1;
    AffineMap aMap = AffineMap::get(3, 0, transposeA ? ArrayRef<AffineExpr>{kk, i}
                                                     : ArrayRef<AffineExpr>{i, kk}, ctx);
    AffineMap bMap = AffineMap::get(3, 0, {kk, d2}, ctx);
    AffineMap outMap = AffineMap::get(3, 0, {i, d2}, ctx);
    auto par = utils::IteratorType::parallel, red = utils::IteratorType::reduction;
    SmallVector<utils::IteratorType> iters{par, red, par};
    Value product =
        linalg::GenericOp::create(
            b, loc, TypeRange{accType}, ValueRange{a, k}, ValueRange{init},
            ArrayRef<AffineMap>{aMap, bMap, outMap}, iters,
            [&](OpBuilder &nb, Location l, ValueRange v) {
              Value p = arith::MulFOp::create(
                  nb, l, convertScalar(nb, l, v[0], accElt, false),
                  convertScalar(nb, l, v[1], accElt, false));
              linalg::YieldOp::create(
                  nb, l, arith::AddFOp::create(nb, l, v[2], p).getResult());
            })
            .getResult(0);
    b.replaceOp(op, convertFloats(b, loc, product, type.getElementType()));
    return success();
  }
};

struct LowerReduceSum : OpRewritePattern<ReduceSumOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReduceSumOp op,
                                PatternRewriter &b) const override {
    Location loc = op.getLoc();
    auto in = typeOf(op.getInput());
    auto type = typeOf(op.getOutput());
    MLIRContext *ctx = b.getContext();
    unsigned rank = in.getRank();
    SmallVector<AffineExpr> kept;
    SmallVector<utils::IteratorType> iters;
    for (unsigned i = 0; i < rank; ++i) {
      bool reduced = llvm::is_contained(op.getAxes(), int64_t(i));
      iters.push_back(reduced ? utils::IteratorType::reduction
                              : utils::IteratorType::parallel);
      if (!reduced)
        kept.push_back(getAffineDimExpr(i, ctx));
    }
    // 16-bit floats accumulate in f32 and round once.
    Type accElt = accumulatorElement(type.getElementType());
    Value init = zeroTensor(b, loc, type.clone(accElt), op.getInput());
    Value sum =
        linalg::GenericOp::create(
            b, loc, TypeRange{init.getType()}, ValueRange{op.getInput()},
            ValueRange{init},
            ArrayRef<AffineMap>{b.getMultiDimIdentityMap(rank),
                                AffineMap::get(rank, 0, kept, ctx)},
            iters,
            [&](OpBuilder &nb, Location l, ValueRange a) {
              Value x = convertScalar(nb, l, a[0], accElt, false);
              linalg::YieldOp::create(
                  nb, l, arith::AddFOp::create(nb, l, x, a[1]).getResult());
            })
            .getResult(0);
    b.replaceOp(op, convertFloats(b, loc, sum, type.getElementType()));
    return success();
  }
};

struct LowerMul : OpRewritePattern<MulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MulOp op, PatternRewriter &b) const override {
    b.replaceOp(op, mapElements(b, op.getLoc(), typeOf(op.getOutput()),
                                {op.getLhs(), op.getRhs()}, {},
                                [](OpBuilder &nb, Location l, ValueRange a) {
                                  return arith::MulFOp::create(nb, l, a[0], a[1])
                                      .getResult();
                                }));
    return success();
  }
};

// mul_scalar: the 0-d scale is read once, outside the elementwise loop.
struct LowerMulScalar : OpRewritePattern<MulScalarOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MulScalarOp op,
                                PatternRewriter &b) const override {
    Value scale = tensor::ExtractOp::create(b, op.getLoc(), op.getScale(),
                                            ValueRange{});
    b.replaceOp(op, mapElements(b, op.getLoc(), typeOf(op.getOutput()),
                                {op.getInput()}, {},
                                [&](OpBuilder &nb, Location l, ValueRange a) {
                                  return arith::MulFOp::create(nb, l, a[0],
                                                               scale)
                                      .getResult();
                                }));
    return success();
  }
};

struct LowerSlice : OpRewritePattern<SliceOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SliceOp op, PatternRewriter &b) const override {
    Location loc = op.getLoc();
    auto type = typeOf(op.getOutput());
    int64_t rank = type.getRank();
    SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0)), sizes,
        strides(rank, b.getIndexAttr(1));
    offsets[op.getAxis()] = b.getIndexAttr(op.getOffset());
    for (int64_t i = 0; i < rank; ++i)
      sizes.push_back(type.isDynamicDim(i)
                          ? OpFoldResult(tensor::DimOp::create(
                                b, loc, op.getInput(), i).getResult())
                          : b.getIndexAttr(type.getDimSize(i)));
    b.replaceOpWithNewOp<tensor::ExtractSliceOp>(op, type, op.getInput(),
                                                 offsets, sizes, strides);
    return success();
  }
};

// dropout_mask: a 32-bit hash (MurmurHash3's finalizer) of the key and the
// element's linear index; keep when the top 24 bits, as a uniform in
// [0, 1), are >= rate. 32-bit lanes keep the mask vectorizable.
struct LowerDropoutMask : OpRewritePattern<DropoutMaskOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(DropoutMaskOp op,
                                PatternRewriter &b) const override {
    Location loc = op.getLoc();
    auto type = typeOf(op.getOutput());
    Type elt = type.getElementType();
    double rate = op.getRate().convertToDouble();
    Type i32 = b.getI32Type();
    // key32 = low ^ high ^ salt-mix, once.
    Value key = tensor::ExtractOp::create(b, loc, op.getRng(), ValueRange{});
    key = arith::XOrIOp::create(
        b, loc, key,
        arith::ConstantOp::create(
            b, loc, b.getI64IntegerAttr(int64_t(uint64_t(op.getSalt()) * 0xD1B54A32D192ED03ull))));
    Value high = arith::ShRUIOp::create(
        b, loc, key, arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(32)));
    Value key32 = arith::TruncIOp::create(
        b, loc, i32, arith::XOrIOp::create(b, loc, key, high));
    Value mask = mapElements(
        b, loc, type, ValueRange{}, {},
        [&](OpBuilder &nb, Location l, ValueRange) -> Value {
          auto c = [&](uint32_t v) {
            return arith::ConstantOp::create(nb, l, nb.getI32IntegerAttr(int32_t(v)))
                .getResult();
          };
          // Row-major linear index (mod 2^32); only dimension 0 is dynamic.
          Value linear = c(0);
          for (int64_t i = 0; i < type.getRank(); ++i) {
            Value idx = arith::IndexCastOp::create(
                nb, l, i32, linalg::IndexOp::create(nb, l, i));
            int64_t size = type.isDynamicDim(i) ? 1 : type.getDimSize(i);
            linear = arith::AddIOp::create(
                nb, l, arith::MulIOp::create(nb, l, linear, c(uint32_t(size))), idx);
          }
          Value h = arith::XOrIOp::create(
              nb, l, key32, arith::MulIOp::create(nb, l, linear, c(0x9E3779B9u)));
          auto mix = [&](Value v, int shift, uint32_t mul) -> Value {
            Value x = arith::XOrIOp::create(
                nb, l, v, arith::ShRUIOp::create(nb, l, v, c(shift)));
            return mul ? arith::MulIOp::create(nb, l, x, c(mul)).getResult() : x;
          };
          h = mix(h, 16, 0x85EBCA6Bu);
          h = mix(h, 13, 0xC2B2AE35u);
          h = mix(h, 16, 0);
          Value top = arith::ShRUIOp::create(nb, l, h, c(8));
          Value u = arith::UIToFPOp::create(nb, l, nb.getF32Type(), top);
          Value keep = arith::CmpFOp::create(
              nb, l, arith::CmpFPredicate::OGE, u,
              floatConst(nb, l, nb.getF32Type(), rate * double(1 << 24)));
          return arith::SelectOp::create(nb, l, keep,
                                         floatConst(nb, l, elt, 1.0 / (1.0 - rate)),
                                         floatConst(nb, l, elt, 0.0));
        },
        op.getLike());
    b.replaceOp(op, mask);
    return success();
  }
};

/// One spatial axis of a strided convolution's input gradient, split by
/// phase: the inputs i with (i + top) = q*s + r meet only the kernel taps
/// kh = r + m*s, at outputs q - m. For phase r that is a stride-1
/// correlation of the output gradient with the `taps` taps r, r+s, ...
/// (reversed), producing `count` inputs from index `first` on, every s-th.
struct Phase {
  int64_t taps = 0;  ///< ceil((K - r) / s); 0: no tap reaches this phase
  int64_t q0 = 0;    ///< the first q (output-gradient row) of the phase
  int64_t count = 0; ///< inputs in the phase
  int64_t first = 0; ///< the first input index, q0*s + r - top
  int64_t padRight = 0; ///< zeros the gradient needs after its end
};

Phase phaseOf(int64_t r, int64_t kernel, int64_t stride, int64_t top,
              int64_t input, int64_t output) {
  Phase p;
  p.taps = r < kernel ? (kernel - r + stride - 1) / stride : 0;
  // q from ceil((top - r) / s) (top >= 0 and r < s keep it >= 0) to
  // floor((input - 1 + top - r) / s).
  p.q0 = (top - r + stride - 1) / stride;
  int64_t q1 = (input - 1 + top - r) / stride;
  p.count = std::max<int64_t>(0, q1 - p.q0 + 1);
  p.first = p.q0 * stride + r - top;
  p.padRight = std::max<int64_t>(0, q1 + 1 - output);
  return p;
}

// conv2d_backprop_input with strides and no dilation: one stride-1
// convolution per phase pair (rh, rw) of the undilated output gradient
// with the sub-kernel of that phase's taps, rotated and its channel axes
// swapped, inserted into the input gradient every s-th row and column. No
// multiply-add meets an inserted zero, where the dilated form below spends
// (s^2 - 1)/s^2 of its work on them.
LogicalResult lowerStridedBackpropInput(Conv2DBackpropInputOp op,
                                        PatternRewriter &b) {
  Location loc = op.getLoc();
  auto dxType = typeOf(op.getInputGrad());
  auto dyType = typeOf(op.getOutputGrad());
  auto kType = typeOf(op.getKernel());
  Type elt = dxType.getElementType();
  ArrayRef<int64_t> s = op.getStrides();
  int64_t k[2] = {kType.getDimSize(0), kType.getDimSize(1)};
  int64_t c = kType.getDimSize(2), f = kType.getDimSize(3);
  int64_t in[2] = {dxType.getDimSize(1), dxType.getDimSize(2)};
  int64_t out[2] = {dyType.getDimSize(1), dyType.getDimSize(2)};
  int64_t top[2] = {
      windowPadding(in[0], k[0], s[0], 1, op.getPadding()).first,
      windowPadding(in[1], k[1], s[1], 1, op.getPadding()).first};
  SmallVector<Phase> phases[2];
  int64_t maxTaps[2] = {0, 0}, padRight[2] = {0, 0};
  for (int axis = 0; axis < 2; ++axis)
    for (int64_t r = 0; r < s[axis]; ++r) {
      Phase p = phaseOf(r, k[axis], s[axis], top[axis], in[axis], out[axis]);
      phases[axis].push_back(p);
      maxTaps[axis] = std::max(maxTaps[axis], p.taps);
      padRight[axis] = std::max(padRight[axis], p.padRight);
    }
  // The gradient, padded once for every phase: maxTaps - 1 zeros before
  // (phase r starts maxTaps - taps later), what the last phase reads after.
  Value zero = arith::ConstantOp::create(b, loc, b.getFloatAttr(elt, 0.0));
  SmallVector<OpFoldResult> low{b.getIndexAttr(0), b.getIndexAttr(maxTaps[0] - 1),
                                b.getIndexAttr(maxTaps[1] - 1), b.getIndexAttr(0)};
  SmallVector<OpFoldResult> high{b.getIndexAttr(0), b.getIndexAttr(padRight[0]),
                                 b.getIndexAttr(padRight[1]), b.getIndexAttr(0)};
  int64_t paddedH = maxTaps[0] - 1 + out[0] + padRight[0];
  int64_t paddedW = maxTaps[1] - 1 + out[1] + padRight[1];
  Value dy = tensor::PadOp::create(
      b, loc, RankedTensorType::get({dyType.getDimSize(0), paddedH, paddedW, f}, elt),
      op.getOutputGrad(), low, high, zero);
  Value batch = tensor::DimOp::create(b, loc, op.getOutputGrad(), 0);
  Value dx = zeroTensor(b, loc, dxType, op.getOutputGrad());
  MLIRContext *ctx = b.getContext();
  AffineExpr y = getAffineDimExpr(0, ctx), x = getAffineDimExpr(1, ctx),
             fo = getAffineDimExpr(2, ctx), ci = getAffineDimExpr(3, ctx);
  int64_t ones[2] = {1, 1};
  for (int64_t rh = 0; rh < s[0]; ++rh)
    for (int64_t rw = 0; rw < s[1]; ++rw) {
      const Phase &ph = phases[0][rh], &pw = phases[1][rw];
      if (ph.taps == 0 || pw.taps == 0 || ph.count == 0 || pw.count == 0)
        continue; // no tap reaches these inputs: their gradient is 0
      // sub[y, x, f, c] = kernel[rh + (taps-1-y)*s, rw + (taps-1-x)*s, c, f]
      auto subType = RankedTensorType::get({ph.taps, pw.taps, f, c}, elt);
      AffineMap sub = AffineMap::get(
          4, 0,
          {(ph.taps - 1 - y) * s[0] + rh, (pw.taps - 1 - x) * s[1] + rw, ci, fo},
          ctx);
      Value kernel = mapElements(
          b, loc, subType, op.getKernel(), {sub},
          [](OpBuilder &, Location, ValueRange a) { return a[0]; });
      // The gradient rows this phase reads: from q0 on, shifted by the
      // taps it has fewer than the first phase.
      int64_t rows = ph.count + ph.taps - 1, cols = pw.count + pw.taps - 1;
      SmallVector<OpFoldResult> offsets{
          b.getIndexAttr(0), b.getIndexAttr(maxTaps[0] - ph.taps + ph.q0),
          b.getIndexAttr(maxTaps[1] - pw.taps + pw.q0), b.getIndexAttr(0)};
      SmallVector<OpFoldResult> sizes{batch, b.getIndexAttr(rows),
                                      b.getIndexAttr(cols), b.getIndexAttr(f)};
      SmallVector<OpFoldResult> unit(4, b.getIndexAttr(1));
      Value window = tensor::ExtractSliceOp::create(
          b, loc,
          RankedTensorType::get({dyType.getDimSize(0), rows, cols, f}, elt), dy,
          offsets, sizes, unit);
      auto partType =
          RankedTensorType::get({dxType.getDimSize(0), ph.count, pw.count, c}, elt);
      Value init = zeroTensor(b, loc, partType, op.getOutputGrad());
      Value part = linalg::Conv2DNhwcHwcfOp::create(
                       b, loc, TypeRange{partType}, ValueRange{window, kernel},
                       ValueRange{init}, b.getI64VectorAttr(ones),
                       b.getI64VectorAttr(ones))
                       .getResult(0);
      SmallVector<OpFoldResult> at{b.getIndexAttr(0), b.getIndexAttr(ph.first),
                                   b.getIndexAttr(pw.first), b.getIndexAttr(0)};
      SmallVector<OpFoldResult> partSizes{batch, b.getIndexAttr(ph.count),
                                          b.getIndexAttr(pw.count), b.getIndexAttr(c)};
      SmallVector<OpFoldResult> every{b.getIndexAttr(1), b.getIndexAttr(s[0]),
                                      b.getIndexAttr(s[1]), b.getIndexAttr(1)};
      dx = tensor::InsertSliceOp::create(b, loc, part, dx, at, partSizes, every);
    }
  b.replaceOp(op, dx);
  return success();
}

/// A convolution backprop on 16-bit floats: the same op on f32 copies of
/// its operands, rounded once at the end (the f32 op then lowers by the
/// patterns below). Products of the backward pass so accumulate in f32.
template <typename OpT>
struct WidenConvBackprop : OpRewritePattern<OpT> {
  using OpRewritePattern<OpT>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpT op, PatternRewriter &b) const override {
    auto type = typeOf(op->getResult(0));
    Type elt = type.getElementType();
    Type accElt = accumulatorElement(elt);
    if (accElt == elt)
      return failure();
    Location loc = op.getLoc();
    SmallVector<Value> wide;
    for (Value v : op->getOperands())
      wide.push_back(CastOp::create(b, loc, typeOf(v).clone(accElt), v,
                                    TypeAttr::get(accElt)));
    Operation *f32 = b.clone(*op);
    f32->setOperands(wide);
    f32->getResult(0).setType(type.clone(accElt));
    b.replaceOpWithNewOp<CastOp>(op, type, f32->getResult(0),
                                 TypeAttr::get(elt));
    return success();
  }
};

// conv2d_backprop_input: a stride-1 convolution of the output gradient,
// dilated by the strides and padded, with the kernel rotated by 180 degrees
// and its channel axes swapped. With strides (and no dilation), the phase
// split above instead.
struct LowerConvBackpropInput : OpRewritePattern<Conv2DBackpropInputOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(Conv2DBackpropInputOp op,
                                PatternRewriter &b) const override {
    if ((op.getStrides()[0] > 1 || op.getStrides()[1] > 1) &&
        op.getDilation()[0] == 1 && op.getDilation()[1] == 1)
      return lowerStridedBackpropInput(op, b);
    Location loc = op.getLoc();
    auto dxType = typeOf(op.getInputGrad());
    auto dyType = typeOf(op.getOutputGrad());
    auto kType = typeOf(op.getKernel());
    Type elt = dxType.getElementType();
    ArrayRef<int64_t> s = op.getStrides(), d = op.getDilation();
    int64_t kh = kType.getDimSize(0), kw = kType.getDimSize(1);
    int64_t c = kType.getDimSize(2), f = kType.getDimSize(3);
    int64_t ih = dxType.getDimSize(1), iw = dxType.getDimSize(2);
    int64_t oh = dyType.getDimSize(1), ow = dyType.getDimSize(2);
    int64_t top = windowPadding(ih, kh, s[0], d[0], op.getPadding()).first;
    int64_t left = windowPadding(iw, kw, s[1], d[1], op.getPadding()).first;
    int64_t lh = (oh - 1) * s[0] + 1, lw = (ow - 1) * s[1] + 1;
    int64_t padTop = (kh - 1) * d[0] - top, padLeft = (kw - 1) * d[1] - left;
    int64_t padBottom = ih + (kh - 1) * d[0] - padTop - lh;
    int64_t padRight = iw + (kw - 1) * d[1] - padLeft - lw;
    if (padTop < 0 || padLeft < 0 || padBottom < 0 || padRight < 0)
      return op.emitOpError("this stride and padding combination is not "
                            "supported by the CPU lowering yet");
    // Zero tensor of the padded, dilated size; the gradient goes in with
    // the strides.
    auto bigType = RankedTensorType::get(
        {dyType.getDimSize(0), padTop + lh + padBottom, padLeft + lw + padRight, f},
        elt);
    Value big = zeroTensor(b, loc, bigType, op.getOutputGrad());
    Value batch = tensor::DimOp::create(b, loc, op.getOutputGrad(), 0);
    SmallVector<OpFoldResult> offsets{b.getIndexAttr(0), b.getIndexAttr(padTop),
                                      b.getIndexAttr(padLeft), b.getIndexAttr(0)};
    SmallVector<OpFoldResult> sizes{batch, b.getIndexAttr(oh),
                                    b.getIndexAttr(ow), b.getIndexAttr(f)};
    SmallVector<OpFoldResult> strides{b.getIndexAttr(1), b.getIndexAttr(s[0]),
                                      b.getIndexAttr(s[1]), b.getIndexAttr(1)};
    big = tensor::InsertSliceOp::create(b, loc, op.getOutputGrad(), big,
                                        offsets, sizes, strides);
    // rotated[y, x, f, c] = kernel[kh-1-y, kw-1-x, c, f]
    MLIRContext *ctx = b.getContext();
    auto rotType = RankedTensorType::get({kh, kw, f, c}, elt);
    AffineExpr y = getAffineDimExpr(0, ctx), x = getAffineDimExpr(1, ctx),
               fo = getAffineDimExpr(2, ctx), ci = getAffineDimExpr(3, ctx);
    AffineMap rot = AffineMap::get(4, 0, {kh - 1 - y, kw - 1 - x, ci, fo}, ctx);
    Value rotated = mapElements(
        b, loc, rotType, op.getKernel(), {rot},
        [](OpBuilder &, Location, ValueRange a) { return a[0]; });
    Value init = zeroTensor(b, loc, dxType, op.getOutputGrad());
    int64_t ones[2] = {1, 1};
    b.replaceOp(op, linalg::Conv2DNhwcHwcfOp::create(
                        b, loc, TypeRange{dxType}, ValueRange{big, rotated},
                        ValueRange{init}, b.getI64VectorAttr(ones),
                        b.getI64VectorAttr(d))
                        .getResult(0));
    return success();
  }
};

// conv2d_backprop_filter: dk[y, x, c, f] = sum over (n, oy, ox) of
// xpad[n, oy*s + y*d, ox*s + x*d, c] * dy[n, oy, ox, f], as one generic.
struct LowerConvBackpropFilter : OpRewritePattern<Conv2DBackpropFilterOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(Conv2DBackpropFilterOp op,
                                PatternRewriter &b) const override {
    Location loc = op.getLoc();
    auto dkType = typeOf(op.getKernelGrad());
    Type elt = dkType.getElementType();
    ArrayRef<int64_t> s = op.getStrides(), d = op.getDilation();
    int64_t kh = dkType.getDimSize(0), kw = dkType.getDimSize(1);
    int64_t window[2] = {kh, kw};
    Value x = padSpatial(b, loc, op.getInput(), window, s, d, op.getPadding(),
                         b.getFloatAttr(elt, 0.0));
    // One generic for the whole gradient; each target lowers it its own
    // way (passes/linalg/FilterGradConv.h).
    FilterGradConv conv;
    conv.input = x;
    conv.outputGrad = op.getOutputGrad();
    conv.init = zeroTensor(b, loc, dkType, x);
    llvm::copy(s, conv.strides);
    llvm::copy(d, conv.dilations);
    Value dk = buildFilterGradConv(b, loc, conv).getResult(0);
    b.replaceOp(op, dk);
    return success();
  }
};

/// An activation gradient lowered by a scalar formula of (value, dy).
template <typename OpT>
struct LowerActivationGrad : OpRewritePattern<OpT> {
  using Formula = Value (*)(OpBuilder &, Location, Value, Value, OpT);
  LowerActivationGrad(MLIRContext *ctx, Formula f)
      : OpRewritePattern<OpT>(ctx), f(f) {}
  LogicalResult matchAndRewrite(OpT op, PatternRewriter &b) const override {
    b.replaceOp(op, mapElements(b, op.getLoc(), typeOf(op.getInputGrad()),
                                {op.getValue(), op.getOutputGrad()}, {},
                                [&](OpBuilder &nb, Location l, ValueRange a) {
                                  return f(nb, l, a[0], a[1], op);
                                }));
    return success();
  }
  Formula f;
};

// relu: dy where y > 0
static Value reluGrad(OpBuilder &b, Location l, Value y, Value dy, ReluGradOp) {
  Value zero = floatConst(b, l, y.getType(), 0.0);
  Value pos = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, y, zero);
  return arith::SelectOp::create(b, l, pos, dy, zero);
}
// sigmoid: dy * y * (1 - y)
static Value sigmoidGrad(OpBuilder &b, Location l, Value y, Value dy,
                         SigmoidGradOp) {
  Value one = floatConst(b, l, y.getType(), 1.0);
  Value d = arith::MulFOp::create(b, l, y, arith::SubFOp::create(b, l, one, y));
  return arith::MulFOp::create(b, l, dy, d);
}
// tanh: dy * (1 - y^2)
static Value tanhGrad(OpBuilder &b, Location l, Value y, Value dy, TanhGradOp) {
  Value one = floatConst(b, l, y.getType(), 1.0);
  Value d = arith::SubFOp::create(b, l, one, arith::MulFOp::create(b, l, y, y));
  return arith::MulFOp::create(b, l, dy, d);
}
// gelu, from x: Phi(x) + x phi(x) exactly; the derivative of the tanh form
// with `approximate`.
static Value geluGrad(OpBuilder &b, Location l, Value x, Value dy,
                      GeluGradOp op) {
  Type t = x.getType();
  auto k = [&](double v) { return floatConst(b, l, t, v); };
  Value half = k(0.5), one = k(1.0);
  Value x2 = arith::MulFOp::create(b, l, x, x);
  Value d;
  if (op.getApproximate()) {
    double c = std::sqrt(2.0 / M_PI);
    Value poly = arith::MulFOp::create(
        b, l, k(c),
        arith::AddFOp::create(b, l, x,
                              arith::MulFOp::create(b, l, k(0.044715),
                                                    arith::MulFOp::create(b, l, x2, x))));
    Value th = math::TanhOp::create(b, l, poly);
    Value dpoly = arith::MulFOp::create(
        b, l, k(c), arith::AddFOp::create(b, l, one,
                                          arith::MulFOp::create(b, l, k(3 * 0.044715), x2)));
    Value sech2 = arith::SubFOp::create(b, l, one, arith::MulFOp::create(b, l, th, th));
    Value left = arith::MulFOp::create(b, l, half, arith::AddFOp::create(b, l, one, th));
    Value right = arith::MulFOp::create(
        b, l, arith::MulFOp::create(b, l, half, x),
        arith::MulFOp::create(b, l, sech2, dpoly));
    d = arith::AddFOp::create(b, l, left, right);
  } else {
    Value phiCdf = arith::MulFOp::create(
        b, l, half,
        arith::AddFOp::create(b, l, one,
                              math::ErfOp::create(b, l, arith::MulFOp::create(b, l, x, k(M_SQRT1_2)))));
    Value pdf = arith::MulFOp::create(
        b, l, k(1.0 / std::sqrt(2.0 * M_PI)),
        math::ExpOp::create(b, l, arith::MulFOp::create(b, l, k(-0.5), x2)));
    d = arith::AddFOp::create(b, l, phiCdf, arith::MulFOp::create(b, l, x, pdf));
  }
  return arith::MulFOp::create(b, l, dy, d);
}

// softmax_grad along the last axis: y * (dy - sum(dy * y)).
struct LowerSoftmaxGrad : OpRewritePattern<SoftmaxGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SoftmaxGradOp op,
                                PatternRewriter &b) const override {
    Location loc = op.getLoc();
    auto type = typeOf(op.getInputGrad());
    unsigned rank = type.getRank();
    MLIRContext *ctx = b.getContext();
    SmallVector<int64_t> rowShape(type.getShape().drop_back());
    SmallVector<AffineExpr> keep;
    for (unsigned i = 0; i + 1 < rank; ++i)
      keep.push_back(getAffineDimExpr(i, ctx));
    auto rowType = RankedTensorType::get(rowShape, type.getElementType());
    AffineMap id = b.getMultiDimIdentityMap(rank);
    AffineMap row = AffineMap::get(rank, 0, keep, ctx);
    SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
    iters.back() = utils::IteratorType::reduction;
    Value init = zeroTensor(b, loc, rowType, op.getValue());
    Value dot = linalg::GenericOp::create(
                    b, loc, TypeRange{rowType},
                    ValueRange{op.getValue(), op.getOutputGrad()}, ValueRange{init},
                    ArrayRef<AffineMap>{id, id, row}, iters,
                    [](OpBuilder &nb, Location l, ValueRange a) {
                      Value p = arith::MulFOp::create(nb, l, a[0], a[1]);
                      linalg::YieldOp::create(
                          nb, l, arith::AddFOp::create(nb, l, a[2], p).getResult());
                    })
                    .getResult(0);
    b.replaceOp(op, mapElements(b, loc, type,
                                {op.getValue(), op.getOutputGrad(), dot},
                                {id, id, row},
                                [](OpBuilder &nb, Location l, ValueRange a) {
                                  Value d = arith::SubFOp::create(nb, l, a[1], a[2]);
                                  return arith::MulFOp::create(nb, l, a[0], d).getResult();
                                }));
    return success();
  }
};

} // namespace

void weir::populateLowerGradOpsPatterns(RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<WidenConvBackprop<Conv2DBackpropInputOp>,
               WidenConvBackprop<Conv2DBackpropFilterOp>>(ctx, /*benefit=*/2);
  patterns.add<LowerMatmul, LowerReduceSum, LowerMul, LowerMulScalar, LowerSlice,
               LowerDropoutMask, LowerConvBackpropInput,
               LowerConvBackpropFilter, LowerSoftmaxGrad>(ctx);
  populateLowerPoolGradsPatterns(patterns);
  patterns.add<LowerActivationGrad<ReluGradOp>>(ctx, reluGrad);
  patterns.add<LowerActivationGrad<SigmoidGradOp>>(ctx, sigmoidGrad);
  patterns.add<LowerActivationGrad<TanhGradOp>>(ctx, tanhGrad);
  patterns.add<LowerActivationGrad<GeluGradOp>>(ctx, geluGrad);
}
