//===- LowerToLinalg.cpp - weir ops to linalg, tensor, arith and math ----===//
//
// One pattern per op. Results are static but for the batch (model_c1), so
// every pattern builds fixed-size linalg ops whose batch size is read from
// an operand. Dropout is the identity here: this lowering serves inference;
// the training step (weir-build-train-step) lowers it before this pass runs.
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

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
namespace weir {
#define GEN_PASS_DEF_LOWERTOLINALG
#include "passes/Passes.h.inc"
} // namespace weir
#pragma GCC diagnostic pop

using namespace mlir;
using namespace weir;
using namespace weir::lowering;

/// Max pooling whose windows tile the input (strides == pool size, no
/// padding): the input viewed as [N, OH, s0, OW, s1, C], one slice per
/// window position, and an elementwise max of the slices, which vectorizes
/// along the channels (a pooling op with a dynamic batch stays scalar).
/// Null when the windows do not tile the input.
static Value maxOfTilingWindows(OpBuilder &b, Location loc, Value input,
                                RankedTensorType type, ArrayRef<int64_t> pool,
                                ArrayRef<int64_t> strides, Padding padding) {
  if (!windowsTile(typeOf(input), pool, strides, padding))
    return nullptr;
  int64_t oh = type.getDimSize(1), ow = type.getDimSize(2), c = type.getDimSize(3);
  Value batch = tensor::DimOp::create(b, loc, input, 0);
  SmallVector<Value> positions;
  for (int64_t ky = 0; ky < pool[0]; ++ky)
    for (int64_t kx = 0; kx < pool[1]; ++kx) {
      SmallVector<OpFoldResult> offsets{b.getIndexAttr(0), b.getIndexAttr(ky),
                                        b.getIndexAttr(kx), b.getIndexAttr(0)};
      SmallVector<OpFoldResult> sizes{batch, b.getIndexAttr(oh), b.getIndexAttr(ow),
                                      b.getIndexAttr(c)};
      SmallVector<OpFoldResult> steps{b.getIndexAttr(1), b.getIndexAttr(pool[0]),
                                      b.getIndexAttr(pool[1]), b.getIndexAttr(1)};
      positions.push_back(tensor::ExtractSliceOp::create(b, loc, type, input,
                                                         offsets, sizes, steps));
    }
  return mapElements(b, loc, type, positions, {},
                     [](OpBuilder &nb, Location l, ValueRange a) {
                       Value m = a[0];
                       for (Value v : a.drop_front())
                         m = arith::MaximumFOp::create(nb, l, m, v);
                       return m;
                     });
}

static DenseIntElementsAttr pairAttr(OpBuilder &b, ArrayRef<int64_t> values) {
  return b.getI64VectorAttr(values);
}

namespace {

//===----------------------------------------------------------------------===//
// Layers
//===----------------------------------------------------------------------===//

// dense: out = bias broadcast to [B, N] (or 0), then matmul accumulates.
// 16-bit floats accumulate in f32 (the matmul extends its operands) and
// round once at the end.
struct LowerDense : OpRewritePattern<DenseOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(DenseOp op, PatternRewriter &b) const override {
    Location loc = op.getLoc();
    auto type = typeOf(op.getOutput());
    auto accType = type.clone(accumulatorElement(type.getElementType()));
    Value init;
    if (Value bias = op.getBias())
      init = mapElements(b, loc, accType, bias, lastAxisMap(b.getContext(), 2),
                         [&](OpBuilder &nb, Location l, ValueRange a) {
                           return convertScalar(nb, l, a[0],
                                                accType.getElementType(), false);
                         },
                         op.getInput());
    else
      init = filledTensor(b, loc, accType, op.getInput(),
                          b.getFloatAttr(accType.getElementType(), 0.0));
    Value product = linalg::MatmulOp::create(
                        b, loc, TypeRange{accType},
                        ValueRange{op.getInput(), op.getKernel()},
                        ValueRange{init})
                        .getResult(0);
    b.replaceOp(op, convertFloats(b, loc, product, type.getElementType()));
    return success();
  }
};

// conv2d: pad for `same`, bias broadcast as the accumulator, NHWC/HWCF conv.
struct LowerConv2D : OpRewritePattern<Conv2DOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(Conv2DOp op,
                                PatternRewriter &b) const override {
    Location loc = op.getLoc();
    auto type = typeOf(op.getOutput());
    Type elt = type.getElementType();
    auto kType = typeOf(op.getKernel());
    int64_t window[2] = {kType.getDimSize(0), kType.getDimSize(1)};
    Value input =
        padSpatial(b, loc, op.getInput(), window, op.getStrides(),
                   op.getDilation(), op.getPadding(), b.getFloatAttr(elt, 0.0));
    // 16-bit floats accumulate in f32 and round once, as dense does.
    auto accType = type.clone(accumulatorElement(elt));
    Value init;
    if (Value bias = op.getBias())
      init = mapElements(b, loc, accType, bias, lastAxisMap(b.getContext(), 4),
                         [&](OpBuilder &nb, Location l, ValueRange a) {
                           return convertScalar(nb, l, a[0],
                                                accType.getElementType(), false);
                         },
                         op.getInput());
    else
      init = filledTensor(b, loc, accType, op.getInput(),
                          b.getFloatAttr(accType.getElementType(), 0.0));
    Value conv = linalg::Conv2DNhwcHwcfOp::create(
                     b, loc, TypeRange{accType},
                     ValueRange{input, op.getKernel()}, ValueRange{init},
                     pairAttr(b, op.getStrides()), pairAttr(b, op.getDilation()))
                     .getResult(0);
    b.replaceOp(op, convertFloats(b, loc, conv, elt));
    return success();
  }
};

// max_pool2d: pad with -inf for `same`, max over the window.
struct LowerMaxPool : OpRewritePattern<MaxPool2DOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MaxPool2DOp op,
                                PatternRewriter &b) const override {
    Location loc = op.getLoc();
    auto type = typeOf(op.getOutput());
    Type elt = type.getElementType();
    SmallVector<int64_t> strides = op.getEffectiveStrides();
    if (Value tiled = maxOfTilingWindows(b, loc, op.getInput(), type,
                                         op.getPoolSize(), strides,
                                         op.getPadding())) {
      b.replaceOp(op, tiled);
      return success();
    }
    int64_t ones[2] = {1, 1};
    Value input = padSpatial(b, loc, op.getInput(), op.getPoolSize(), strides,
                             ones, op.getPadding(), lowestValue(elt));
    Value init = filledTensor(b, loc, type, op.getInput(), lowestValue(elt));
    Value window = tensor::EmptyOp::create(b, loc, op.getPoolSize(), elt);
    b.replaceOp(op, linalg::PoolingNhwcMaxOp::create(
                        b, loc, TypeRange{type}, ValueRange{input, window},
                        ValueRange{init}, pairAttr(b, strides),
                        pairAttr(b, ones))
                        .getResult(0));
    return success();
  }
};

// avg_pool2d: zero-pad, sum over the window, then divide by the number of
// positions inside the input (a constant per output position).
struct LowerAvgPool : OpRewritePattern<AvgPool2DOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AvgPool2DOp op,
                                PatternRewriter &b) const override {
    Location loc = op.getLoc();
    auto type = typeOf(op.getOutput());
    auto inType = typeOf(op.getInput());
    Type elt = type.getElementType();
    SmallVector<int64_t> strides = op.getEffectiveStrides();
    ArrayRef<int64_t> pool = op.getPoolSize();
    int64_t ones[2] = {1, 1};
    Value input = padSpatial(b, loc, op.getInput(), pool, strides, ones,
                             op.getPadding(), b.getFloatAttr(elt, 0.0));
    Value init = filledTensor(b, loc, type, op.getInput(), b.getFloatAttr(elt, 0.0));
    Value window = tensor::EmptyOp::create(b, loc, pool, elt);
    Value sum = linalg::PoolingNhwcSumOp::create(
                    b, loc, TypeRange{type}, ValueRange{input, window},
                    ValueRange{init}, pairAttr(b, strides), pairAttr(b, ones))
                    .getResult(0);
    // Reciprocal of the count of in-bounds window positions, per (y, x).
    int64_t oh = type.getDimSize(1), ow = type.getDimSize(2);
    int64_t ih = inType.getDimSize(1), iw = inType.getDimSize(2);
    int64_t top = windowPadding(ih, pool[0], strides[0], 1, op.getPadding()).first;
    int64_t left = windowPadding(iw, pool[1], strides[1], 1, op.getPadding()).first;
    SmallVector<double> scale;
    for (int64_t y = 0; y < oh; ++y)
      for (int64_t x = 0; x < ow; ++x) {
        int64_t y0 = y * strides[0] - top, x0 = x * strides[1] - left;
        int64_t rows = std::min(y0 + pool[0], ih) - std::max<int64_t>(y0, 0);
        int64_t cols = std::min(x0 + pool[1], iw) - std::max<int64_t>(x0, 0);
        scale.push_back(1.0 / double(rows * cols));
      }
    auto scaleType = RankedTensorType::get({oh, ow}, elt);
    SmallVector<Attribute> scaleAttrs;
    for (double s : scale)
      scaleAttrs.push_back(b.getFloatAttr(elt, s));
    Value scales = arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(scaleType, scaleAttrs));
    MLIRContext *ctx = b.getContext();
    AffineMap id = b.getMultiDimIdentityMap(4);
    AffineMap hw = AffineMap::get(4, 0, {getAffineDimExpr(1, ctx), getAffineDimExpr(2, ctx)}, ctx);
    b.replaceOp(op, mapElements(b, loc, type, {sum, scales}, {id, hw},
                                [](OpBuilder &nb, Location l, ValueRange a) {
                                  return arith::MulFOp::create(nb, l, a[0], a[1])
                                      .getResult();
                                }));
    return success();
  }
};

// global_avg_pool2d: sum over H and W, scaled by 1 / (H * W).
struct LowerGlobalAvgPool : OpRewritePattern<GlobalAvgPool2DOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GlobalAvgPool2DOp op,
                                PatternRewriter &b) const override {
    Location loc = op.getLoc();
    auto inType = typeOf(op.getInput());
    Type elt = inType.getElementType();
    auto flatType = RankedTensorType::get(
        {inType.getDimSize(0), inType.getDimSize(3)}, elt);
    MLIRContext *ctx = b.getContext();
    Value init = filledTensor(b, loc, flatType, op.getInput(), b.getFloatAttr(elt, 0.0));
    AffineMap in = b.getMultiDimIdentityMap(4);
    AffineMap out = AffineMap::get(
        4, 0, {getAffineDimExpr(0, ctx), getAffineDimExpr(3, ctx)}, ctx);
    auto par = utils::IteratorType::parallel, red = utils::IteratorType::reduction;
    Value sum = linalg::GenericOp::create(
                    b, loc, TypeRange{flatType}, ValueRange{op.getInput()},
                    ValueRange{init}, ArrayRef<AffineMap>{in, out},
                    ArrayRef<utils::IteratorType>{par, red, red, par},
                    [](OpBuilder &nb, Location l, ValueRange a) {
                      linalg::YieldOp::create(
                          nb, l, arith::AddFOp::create(nb, l, a[0], a[1]).getResult());
                    })
                    .getResult(0);
    double inv = 1.0 / double(inType.getDimSize(1) * inType.getDimSize(2));
    Value mean = mapElements(b, loc, flatType, sum, {},
                             [&](OpBuilder &nb, Location l, ValueRange a) {
                               return arith::MulFOp::create(
                                          nb, l, a[0], floatConst(nb, l, elt, inv))
                                   .getResult();
                             });
    if (op.getKeepdims())
      mean = tensor::ExpandShapeOp::create(
          b, loc, op.getOutput().getType(), mean,
          ArrayRef<ReassociationIndices>{{0, 1, 2}, {3}});
    b.replaceOp(op, mean);
    return success();
  }
};

// batch_norm (inference): (x - mean) * gamma / sqrt(var + eps) + beta.
struct LowerBatchNorm : OpRewritePattern<BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(BatchNormOp op,
                                PatternRewriter &b) const override {
    Location loc = op.getLoc();
    auto type = typeOf(op.getOutput());
    Type elt = type.getElementType();
    unsigned rank = type.getRank();
    AffineMap id = b.getMultiDimIdentityMap(rank);
    AffineMap ch = lastAxisMap(b.getContext(), rank);
    double eps = op.getEpsilon().convertToDouble();
    b.replaceOp(op, mapElements(
                        b, loc, type,
                        {op.getInput(), op.getGamma(), op.getBeta(),
                         op.getMean(), op.getVariance()},
                        {id, ch, ch, ch, ch},
                        [&](OpBuilder &nb, Location l, ValueRange a) {
                          Value ve = arith::AddFOp::create(
                              nb, l, a[4], floatConst(nb, l, elt, eps));
                          Value inv = math::RsqrtOp::create(nb, l, ve);
                          Value c = arith::SubFOp::create(nb, l, a[0], a[3]);
                          Value s = arith::MulFOp::create(nb, l, a[1], inv);
                          Value y = arith::MulFOp::create(nb, l, c, s);
                          return arith::AddFOp::create(nb, l, y, a[2]).getResult();
                        }));
    return success();
  }
};

// dropout: the identity outside the training step.
struct LowerDropout : OpRewritePattern<DropoutOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(DropoutOp op,
                                PatternRewriter &b) const override {
    b.replaceOp(op, op.getInput());
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Structure
//===----------------------------------------------------------------------===//

/// Reshapes each example of `input` to `target` ([N, ...] row-major): first
/// to [N, P] by collapsing (or expanding [N] to [N, 1]), then to `target`.
static Value reshapeExamples(OpBuilder &b, Location loc, Value input,
                             RankedTensorType target) {
  if (input.getType() == target)
    return input;
  Value v = toSignless(b, loc, input);
  Type elt = typeOf(v).getElementType();
  RankedTensorType signlessTarget = target.clone(elt);
  int64_t rank = typeOf(v).getRank();
  if (rank == 1) {
    v = tensor::ExpandShapeOp::create(
        b, loc, RankedTensorType::get({typeOf(v).getDimSize(0), 1}, elt), v,
        ArrayRef<ReassociationIndices>{{0, 1}});
  } else if (rank > 2) {
    ReassociationIndices rest;
    for (int64_t i = 1; i < rank; ++i)
      rest.push_back(i);
    v = tensor::CollapseShapeOp::create(
        b, loc, v, ArrayRef<ReassociationIndices>{{0}, rest});
  }
  if (signlessTarget.getRank() > 2) {
    ReassociationIndices rest;
    for (int64_t i = 1; i < signlessTarget.getRank(); ++i)
      rest.push_back(i);
    v = tensor::ExpandShapeOp::create(
        b, loc, signlessTarget, v, ArrayRef<ReassociationIndices>{{0}, rest});
  }
  return fromSignless(b, loc, v, target);
}

struct LowerFlatten : OpRewritePattern<FlattenOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(FlattenOp op,
                                PatternRewriter &b) const override {
    b.replaceOp(op, reshapeExamples(b, op.getLoc(), op.getInput(),
                                    typeOf(op.getOutput())));
    return success();
  }
};

struct LowerReshape : OpRewritePattern<ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReshapeOp op,
                                PatternRewriter &b) const override {
    b.replaceOp(op, reshapeExamples(b, op.getLoc(), op.getInput(),
                                    typeOf(op.getOutput())));
    return success();
  }
};

struct LowerAdd : OpRewritePattern<AddOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AddOp op, PatternRewriter &b) const override {
    b.replaceOp(op, mapElements(b, op.getLoc(), typeOf(op.getOutput()),
                                op.getInputs(), {},
                                [](OpBuilder &nb, Location l, ValueRange a) {
                                  Value sum = a[0];
                                  for (Value v : a.drop_front())
                                    sum = arith::AddFOp::create(nb, l, sum, v);
                                  return sum;
                                }));
    return success();
  }
};

// concat: each operand inserted at its offset along the axis.
struct LowerConcat : OpRewritePattern<ConcatOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ConcatOp op,
                                PatternRewriter &b) const override {
    Location loc = op.getLoc();
    auto type = typeOf(op.getOutput());
    Type original = type;
    int64_t rank = type.getRank();
    int64_t axis = static_cast<int64_t>(op.getAxis());
    if (axis < 0)
      axis += rank;
    SmallVector<Value> inputs;
    for (Value v : op.getInputs())
      inputs.push_back(toSignless(b, loc, v));
    type = type.clone(typeOf(inputs[0]).getElementType());
    Value acc = emptyTensor(b, loc, type, inputs[0]);
    Value batch = tensor::DimOp::create(b, loc, inputs[0], 0);
    int64_t offset = 0;
    for (Value v : inputs) {
      auto vt = typeOf(v);
      SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0)), sizes,
          strides(rank, b.getIndexAttr(1));
      offsets[axis] = b.getIndexAttr(offset);
      for (int64_t i = 0; i < rank; ++i)
        sizes.push_back(vt.isDynamicDim(i) ? OpFoldResult(batch)
                                           : b.getIndexAttr(vt.getDimSize(i)));
      acc = tensor::InsertSliceOp::create(b, loc, v, acc, offsets, sizes, strides);
      offset += vt.getDimSize(axis);
    }
    b.replaceOp(op, fromSignless(b, loc, acc, original));
    return success();
  }
};

/// Converts every element of `input` to `elt`, as weir.cast does.
static Value convertElements(OpBuilder &b, Location loc, Value input,
                             RankedTensorType resultType) {
  auto srcElt = typeOf(input).getElementType();
  bool fromUnsigned = srcElt.isUnsignedInteger();
  Type dstElt = resultType.getElementType();
  Value src = toSignless(b, loc, input);
  Type signlessDst = dstElt;
  if (auto it = dyn_cast<IntegerType>(dstElt))
    signlessDst = b.getIntegerType(it.getWidth());
  auto signlessType = resultType.clone(signlessDst);
  Value out = mapElements(b, loc, signlessType, src, {},
                          [&](OpBuilder &nb, Location l, ValueRange a) {
                            return convertScalar(nb, l, a[0], dstElt, fromUnsigned);
                          });
  return fromSignless(b, loc, out, resultType);
}

struct LowerCast : OpRewritePattern<CastOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(CastOp op, PatternRewriter &b) const override {
    b.replaceOp(op, convertElements(b, op.getLoc(), op.getInput(),
                                    typeOf(op.getOutput())));
    return success();
  }
};

// rescale: convert to the float type, then x * scale + offset.
struct LowerRescale : OpRewritePattern<RescaleOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(RescaleOp op,
                                PatternRewriter &b) const override {
    Location loc = op.getLoc();
    auto type = typeOf(op.getOutput());
    Type elt = type.getElementType();
    bool fromUnsigned = typeOf(op.getInput()).getElementType().isUnsignedInteger();
    double scale = op.getScale().convertToDouble();
    double offset = op.getOffset().convertToDouble();
    Value src = toSignless(b, loc, op.getInput());
    b.replaceOp(op, mapElements(b, loc, type, src, {},
                                [&](OpBuilder &nb, Location l, ValueRange a) {
                                  Value x = convertScalar(nb, l, a[0], elt, fromUnsigned);
                                  Value y = arith::MulFOp::create(
                                      nb, l, x, floatConst(nb, l, elt, scale));
                                  if (offset == 0.0)
                                    return y;
                                  return arith::AddFOp::create(
                                             nb, l, y, floatConst(nb, l, elt, offset))
                                      .getResult();
                                }));
    return success();
  }
};

struct DropParameter : OpRewritePattern<ParameterOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ParameterOp op,
                                PatternRewriter &b) const override {
    b.eraseOp(op);
    return success();
  }
};

// The training configuration has been read by weir-build-train-step.
struct DropTrainConfig : OpRewritePattern<TrainConfigOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TrainConfigOp op,
                                PatternRewriter &b) const override {
    b.eraseOp(op);
    return success();
  }
};

} // namespace

void weir::populateLowerToLinalgPatterns(RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<LowerDense, LowerConv2D, LowerMaxPool, LowerAvgPool,
               LowerGlobalAvgPool, LowerBatchNorm, LowerDropout, LowerFlatten,
               LowerReshape, LowerAdd, LowerConcat, LowerCast, LowerRescale,
               DropParameter, DropTrainConfig>(ctx);
  populateLowerActivationsPatterns(patterns);
  populateLowerLossesPatterns(patterns);
  populateLowerGradOpsPatterns(patterns);
  populateLowerOptimizersPatterns(patterns);
  populateLowerBatchNormTrainPatterns(patterns);
  populateLowerAugmentPatterns(patterns);
}

/// linalg and arith work on signless integers: an unsigned or signed integer
/// argument becomes signless at the boundary (same bits, so callers pass the
/// same buffer), with a bitcast back for the weir ops that read it.
static void makeIntegerArgumentsSignless(func::FuncOp func) {
  if (func.isExternal())
    return;
  Block &entry = func.getBody().front();
  OpBuilder b(func.getContext());
  b.setInsertionPointToStart(&entry);
  for (BlockArgument arg : entry.getArguments()) {
    auto type = dyn_cast<RankedTensorType>(arg.getType());
    auto it = type ? dyn_cast<IntegerType>(type.getElementType()) : nullptr;
    if (!it || it.isSignless())
      continue;
    arg.setType(type.clone(b.getIntegerType(it.getWidth())));
    auto cast = tensor::BitcastOp::create(b, arg.getLoc(), type, arg);
    arg.replaceAllUsesExcept(cast, cast);
  }
  func.setType(FunctionType::get(func.getContext(), entry.getArgumentTypes(),
                                 func.getResultTypes()));
}

LogicalResult weir::lowerToLinalg(ModuleOp root) {
  MLIRContext *ctx = root->getContext();
  for (auto func : root.getOps<func::FuncOp>())
    makeIntegerArgumentsSignless(func);
  ConversionTarget target(*ctx);
  target.addLegalDialect<arith::ArithDialect, linalg::LinalgDialect,
                         math::MathDialect, tensor::TensorDialect>();
  target.addIllegalDialect<WeirDialect>();
  target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
  RewritePatternSet patterns(ctx);
  populateLowerToLinalgPatterns(patterns);
  return applyPartialConversion(root, target, std::move(patterns));
}

namespace {
struct LowerToLinalgPass
    : weir::impl::LowerToLinalgBase<LowerToLinalgPass> {
  void runOnOperation() override {
    if (failed(lowerToLinalg(getOperation())))
      signalPassFailure();
  }
};
} // namespace
