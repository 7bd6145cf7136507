//===- LowerAugment.cpp - the image augmentation ops to linalg -----------===//
//
// One pattern per op. Without key and offset an op is its inference form:
// the identity (random_crop: a centered crop, resized). With them, one
// small linalg.generic over the batch draws each image's parameters from
// the counter-based hash of docs/spec.md ("Augmentation"), once per image,
// and a second one computes every output pixel: the spatial ops are
// gathers (tensor.extract at the source coordinate of the inverse affine
// map, bilinear or nearest, with Keras' fill modes), contrast a per-image
// mean followed by an elementwise map.
//
//===----------------------------------------------------------------------===//
#include "dialect/WeirOps.h"
#include "passes/linalg/LinalgBuilders.h"
#include "passes/Transforms.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <cmath>

using namespace mlir;
using namespace weir;
using namespace weir::lowering;

namespace {

Value i64Const(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(v));
}
Value i32Const(OpBuilder &b, Location loc, uint32_t v) {
  return arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(int32_t(v)));
}

/// The float type the coordinates and draws are computed in: f64 for f64
/// images, f32 otherwise.
Type computeType(Value images) {
  Type elt = typeOf(images).getElementType();
  return elt.isF64() ? elt : Float32Type::get(elt.getContext());
}

Value convertFloat(OpBuilder &b, Location loc, Value v, Type to) {
  Type from = v.getType();
  if (from == to)
    return v;
  if (cast<FloatType>(from).getWidth() < cast<FloatType>(to).getWidth())
    return arith::ExtFOp::create(b, loc, to, v);
  return arith::TruncFOp::create(b, loc, to, v);
}

/// The 32-bit key of one op in one step: the step key mixed with the op's
/// salt (its seed), as dropout_mask does.
Value opKey(OpBuilder &b, Location loc, Value key, std::optional<int64_t> seed) {
  Value k = tensor::ExtractOp::create(b, loc, key, ValueRange{});
  k = arith::XOrIOp::create(
      b, loc, k,
      i64Const(b, loc, int64_t(uint64_t(seed.value_or(0)) * 0xD1B54A32D192ED03ull)));
  Value high = arith::ShRUIOp::create(b, loc, k, i64Const(b, loc, 32));
  return arith::TruncIOp::create(b, loc, b.getI32Type(),
                                 arith::XOrIOp::create(b, loc, k, high));
}

/// u in [0, 1) for draw `d` (0 or 1) of the example with global index
/// `example` (i64): MurmurHash3's finalizer of key32 ^ (2 * example + d) *
/// golden ratio, top 24 bits.
Value uniform(OpBuilder &b, Location l, Value key32, Value example, int d,
              Type ft) {
  Value counter = arith::AddIOp::create(
      b, l, arith::MulIOp::create(b, l, example, i64Const(b, l, 2)),
      i64Const(b, l, d));
  counter = arith::TruncIOp::create(b, l, b.getI32Type(), counter);
  Value h = arith::XOrIOp::create(
      b, l, key32, arith::MulIOp::create(b, l, counter, i32Const(b, l, 0x9E3779B9u)));
  auto mix = [&](Value v, int shift, uint32_t mul) -> Value {
    Value x = arith::XOrIOp::create(
        b, l, v, arith::ShRUIOp::create(b, l, v, i32Const(b, l, shift)));
    return mul ? arith::MulIOp::create(b, l, x, i32Const(b, l, mul)).getResult() : x;
  };
  h = mix(h, 16, 0x85EBCA6Bu);
  h = mix(h, 13, 0xC2B2AE35u);
  h = mix(h, 16, 0);
  Value top = arith::ShRUIOp::create(b, l, h, i32Const(b, l, 8));
  Value u = arith::UIToFPOp::create(b, l, ft, top);
  return arith::MulFOp::create(b, l, u, floatConst(b, l, ft, std::ldexp(1.0, -24)));
}

/// lo + u * (hi - lo).
Value between(OpBuilder &b, Location l, Value u, double lo, double hi) {
  Type ft = u.getType();
  return arith::AddFOp::create(
      b, l, floatConst(b, l, ft, lo),
      arith::MulFOp::create(b, l, u, floatConst(b, l, ft, hi - lo)));
}

/// What a per-example body sees: the builder, the location, the example's
/// global index (i64) and the draws it may take.
struct Example {
  OpBuilder &b;
  Location loc;
  Value key32, global;
  Type ft;
  Value draw(int d) const { return uniform(b, loc, key32, global, d, ft); }
};
using ExampleFn = llvm::function_ref<SmallVector<Value>(const Example &)>;

/// `types.size()` tensors [N] (one value per example of `images`), computed
/// by `fn` once per image.
SmallVector<Value> perExample(OpBuilder &b, Location loc, Value images,
                              Value key, Value offset,
                              std::optional<int64_t> seed,
                              ArrayRef<Type> types, ExampleFn fn) {
  Value key32 = opKey(b, loc, key, seed);
  Value first = tensor::ExtractOp::create(b, loc, offset, ValueRange{});
  int64_t n = typeOf(images).getDimSize(0);
  SmallVector<Type> resultTypes;
  SmallVector<Value> inits;
  for (Type t : types) {
    auto rt = RankedTensorType::get({n}, t);
    resultTypes.push_back(rt);
    inits.push_back(emptyTensor(b, loc, rt, images));
  }
  SmallVector<AffineMap> maps(types.size(), b.getMultiDimIdentityMap(1));
  Type ft = computeType(images);
  auto generic = linalg::GenericOp::create(
      b, loc, resultTypes, ValueRange{}, inits, maps,
      ArrayRef<utils::IteratorType>{utils::IteratorType::parallel},
      [&](OpBuilder &nb, Location l, ValueRange) {
        Value idx = arith::IndexCastOp::create(
            nb, l, nb.getI64Type(), linalg::IndexOp::create(nb, l, 0));
        Value global = arith::AddIOp::create(nb, l, first, idx);
        linalg::YieldOp::create(nb, l, fn(Example{nb, l, key32, global, ft}));
      });
  return SmallVector<Value>(generic.getResults());
}

/// The map (n, h, w, c) -> (n) reading a per-example tensor.
AffineMap batchMap(MLIRContext *ctx) {
  return AffineMap::get(4, 0, getAffineDimExpr(0, ctx));
}

/// linalg.index `dim` as i64.
Value indexI64(OpBuilder &b, Location l, unsigned dim) {
  return arith::IndexCastOp::create(b, l, b.getI64Type(),
                                    linalg::IndexOp::create(b, l, dim));
}

Value toIndex(OpBuilder &b, Location l, Value v) {
  return arith::IndexCastOp::create(b, l, b.getIndexType(), v);
}

/// Reads images[n, y, x, c] (y, x i64, in range) as `ft`.
Value readPixel(OpBuilder &b, Location l, Value images, Value y, Value x,
                Type ft) {
  Value v = tensor::ExtractOp::create(
      b, l, images,
      ValueRange{linalg::IndexOp::create(b, l, 0), toIndex(b, l, y),
                 toIndex(b, l, x), linalg::IndexOp::create(b, l, 3)});
  return convertFloat(b, l, v, ft);
}

/// An integer index along an axis of `size`, mapped into it by the fill
/// mode; `valid` is set (constant mode only) to whether it was inside.
Value fixIndex(OpBuilder &b, Location l, Value i, int64_t size, FillMode mode,
               Value &valid) {
  auto clamp = [&](Value v) {
    return arith::MinSIOp::create(
        b, l, arith::MaxSIOp::create(b, l, v, i64Const(b, l, 0)),
        i64Const(b, l, size - 1));
  };
  auto positiveMod = [&](Value v, int64_t m) -> Value {
    Value r = arith::RemSIOp::create(b, l, v, i64Const(b, l, m));
    Value neg = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, r,
                                      i64Const(b, l, 0));
    return arith::SelectOp::create(
        b, l, neg, arith::AddIOp::create(b, l, r, i64Const(b, l, m)), r);
  };
  switch (mode) {
  case FillMode::reflect: {
    // Half-sample symmetric: (d c b a | a b c d | d c b a).
    Value m = positiveMod(i, 2 * size);
    Value back = arith::CmpIOp::create(b, l, arith::CmpIPredicate::sge, m,
                                       i64Const(b, l, size));
    return arith::SelectOp::create(
        b, l, back, arith::SubIOp::create(b, l, i64Const(b, l, 2 * size - 1), m),
        m);
  }
  case FillMode::wrap:
    return positiveMod(i, size);
  case FillMode::nearest:
    return clamp(i);
  case FillMode::constant: {
    Value ge = arith::CmpIOp::create(b, l, arith::CmpIPredicate::sge, i,
                                     i64Const(b, l, 0));
    Value lt = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, i,
                                     i64Const(b, l, size));
    Value inside = arith::AndIOp::create(b, l, ge, lt);
    valid = valid ? arith::AndIOp::create(b, l, valid, inside).getResult()
                  : inside;
    return clamp(i);
  }
  }
  llvm_unreachable("fill mode");
}

/// Samples images[n, ys, xs, c] at the real coordinates (ys, xs).
Value sample(OpBuilder &b, Location l, Value images, Value ys, Value xs,
             FillMode mode, Interpolation interp, double fillValue) {
  Type ft = ys.getType();
  auto type = typeOf(images);
  int64_t h = type.getDimSize(1), w = type.getDimSize(2);
  Value fill = floatConst(b, l, ft, fillValue);
  auto read = [&](Value yi, Value xi) -> Value {
    Value valid;
    Value y = fixIndex(b, l, yi, h, mode, valid);
    Value x = fixIndex(b, l, xi, w, mode, valid);
    Value v = readPixel(b, l, images, y, x, ft);
    return valid ? arith::SelectOp::create(b, l, valid, v, fill).getResult() : v;
  };
  auto toInt = [&](Value f) {
    return arith::FPToSIOp::create(b, l, b.getI64Type(), f).getResult();
  };
  if (interp == Interpolation::nearest)
    // Ties round away from zero, as jax's map_coordinates.
    return read(toInt(math::RoundOp::create(b, l, ys)),
                toInt(math::RoundOp::create(b, l, xs)));
  Value y0f = math::FloorOp::create(b, l, ys);
  Value x0f = math::FloorOp::create(b, l, xs);
  Value fy = arith::SubFOp::create(b, l, ys, y0f);
  Value fx = arith::SubFOp::create(b, l, xs, x0f);
  Value one = floatConst(b, l, ft, 1.0);
  Value gy = arith::SubFOp::create(b, l, one, fy);
  Value gx = arith::SubFOp::create(b, l, one, fx);
  Value y0 = toInt(y0f), x0 = toInt(x0f);
  Value y1 = arith::AddIOp::create(b, l, y0, i64Const(b, l, 1));
  Value x1 = arith::AddIOp::create(b, l, x0, i64Const(b, l, 1));
  auto mul = [&](Value a, Value c) { return arith::MulFOp::create(b, l, a, c).getResult(); };
  auto add = [&](Value a, Value c) { return arith::AddFOp::create(b, l, a, c).getResult(); };
  Value top = add(mul(gx, read(y0, x0)), mul(fx, read(y0, x1)));
  Value bottom = add(mul(gx, read(y1, x0)), mul(fx, read(y1, x1)));
  return add(mul(gy, top), mul(fy, bottom));
}

/// The affine ops: per example, (a0, a1, a2, b0, b1, b2) mapping an output
/// pixel (x, y) to its source (a0 x + a1 y + a2, b0 x + b1 y + b2), then the
/// gather.
template <typename OpT>
Value affineTransform(PatternRewriter &b, OpT op, ExampleFn coefficients) {
  Location loc = op.getLoc();
  Value images = op.getInput();
  auto type = typeOf(images);
  Type ft = computeType(images);
  SmallVector<Type> types(6, ft);
  SmallVector<Value> coef = perExample(b, loc, images, op.getKey(),
                                       op.getOffset(), op.getSeed(), types,
                                       coefficients);
  SmallVector<AffineMap> maps(6, batchMap(b.getContext()));
  FillMode mode = op.getFillMode();
  Interpolation interp = op.getInterpolation();
  double fillValue = op.getFillValue().convertToDouble();
  return mapElements(
      b, loc, type, coef, maps,
      [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
        Value y = arith::SIToFPOp::create(nb, l, ft, indexI64(nb, l, 1));
        Value x = arith::SIToFPOp::create(nb, l, ft, indexI64(nb, l, 2));
        auto affine = [&](Value p, Value q, Value r) -> Value {
          Value s = arith::AddFOp::create(
              nb, l, arith::MulFOp::create(nb, l, p, x),
              arith::MulFOp::create(nb, l, q, y));
          return arith::AddFOp::create(nb, l, s, r);
        };
        Value xs = affine(a[0], a[1], a[2]);
        Value ys = affine(a[3], a[4], a[5]);
        Value v = sample(nb, l, images, ys, xs, mode, interp, fillValue);
        return convertFloat(nb, l, v, type.getElementType());
      },
      images);
}

/// An augmentation without its training operands (the inference form) is
/// the identity; with them, rewriteTraining lowers it.
template <typename OpT>
struct LowerTrainingOnly : OpRewritePattern<OpT> {
  using OpRewritePattern<OpT>::OpRewritePattern;
  virtual LogicalResult rewriteTraining(OpT op, PatternRewriter &b) const = 0;
  LogicalResult matchAndRewrite(OpT op, PatternRewriter &b) const final {
    if (!op.getKey()) {
      b.replaceOp(op, op.getInput());
      return success();
    }
    return rewriteTraining(op, b);
  }
};

/// The image center (x, y) of an NHWC type, as Keras' transforms use it.
std::pair<double, double> centerOf(RankedTensorType type) {
  return {(type.getDimSize(2) - 1) / 2.0, (type.getDimSize(1) - 1) / 2.0};
}

// random_flip: out[n, y, x, c] = in[n, y' , x', c], y' = H - 1 - y when the
// image's draw flips it vertically, likewise x'.
struct LowerRandomFlip : LowerTrainingOnly<RandomFlipOp> {
  using LowerTrainingOnly::LowerTrainingOnly;
  LogicalResult rewriteTraining(RandomFlipOp op,
                                PatternRewriter &b) const override {
    Location loc = op.getLoc();
    Value images = op.getInput();
    auto type = typeOf(images);
    Type i1 = b.getI1Type();
    SmallVector<Value> flip = perExample(
        b, loc, images, op.getKey(), op.getOffset(), op.getSeed(), {i1},
        [&](const Example &e) -> SmallVector<Value> {
          // Keras: uniform <= 0.5.
          return {arith::CmpFOp::create(e.b, e.loc, arith::CmpFPredicate::OLE,
                                        e.draw(0), floatConst(e.b, e.loc, e.ft, 0.5))};
        });
    FlipMode mode = op.getMode();
    bool vertical = mode != FlipMode::horizontal;
    bool horizontal = mode != FlipMode::vertical;
    Value out = mapElements(
        b, loc, type, flip, {batchMap(b.getContext())},
        [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
          auto axis = [&](unsigned dim, bool flips) -> Value {
            Value i = indexI64(nb, l, dim);
            if (!flips)
              return i;
            Value mirrored = arith::SubIOp::create(
                nb, l, i64Const(nb, l, type.getDimSize(dim) - 1), i);
            return arith::SelectOp::create(nb, l, a[0], mirrored, i);
          };
          Value v = tensor::ExtractOp::create(
              nb, l, images,
              ValueRange{linalg::IndexOp::create(nb, l, 0),
                         toIndex(nb, l, axis(1, vertical)),
                         toIndex(nb, l, axis(2, horizontal)),
                         linalg::IndexOp::create(nb, l, 3)});
          return v;
        },
        images);
    b.replaceOp(op, out);
    return success();
  }
};

// random_rotation: angle = (lower + u (upper - lower)) 2 pi about
// ((W - 1) / 2, (H - 1) / 2).
struct LowerRandomRotation : LowerTrainingOnly<RandomRotationOp> {
  using LowerTrainingOnly::LowerTrainingOnly;
  LogicalResult rewriteTraining(RandomRotationOp op,
                                PatternRewriter &b) const override {
    auto type = typeOf(op.getInput());
    // Named values: the lambdas below capture them.
    std::pair<double, double> center = centerOf(type);
    double cx = center.first, cy = center.second;
    ArrayRef<double> f = op.getFactor();
    Value out = affineTransform(b, op, [&](const Example &e) -> SmallVector<Value> {
      OpBuilder &nb = e.b;
      Location l = e.loc;
      Value turns = between(nb, l, e.draw(0), f[0], f[1]);
      Value angle = arith::MulFOp::create(nb, l, turns, floatConst(nb, l, e.ft, 2 * M_PI));
      Value c = math::CosOp::create(nb, l, angle);
      Value s = math::SinOp::create(nb, l, angle);
      auto k = [&](double v) { return floatConst(nb, l, e.ft, v); };
      auto mul = [&](Value a, Value x) { return arith::MulFOp::create(nb, l, a, x).getResult(); };
      auto sub = [&](Value a, Value x) { return arith::SubFOp::create(nb, l, a, x).getResult(); };
      auto add = [&](Value a, Value x) { return arith::AddFOp::create(nb, l, a, x).getResult(); };
      Value negS = arith::NegFOp::create(nb, l, s);
      // a2 = cx - cx cos + cy sin, b2 = cy - cx sin - cy cos (Keras).
      Value a2 = add(sub(k(cx), mul(k(cx), c)), mul(k(cy), s));
      Value b2 = sub(sub(k(cy), mul(k(cx), s)), mul(k(cy), c));
      return {c, negS, a2, s, c, b2};
    });
    b.replaceOp(op, out);
    return success();
  }
};

// random_zoom: zy = 1 + u0 over height_factor, zx = 1 + u1 over
// width_factor (or zy); source = center + z (output - center).
struct LowerRandomZoom : LowerTrainingOnly<RandomZoomOp> {
  using LowerTrainingOnly::LowerTrainingOnly;
  LogicalResult rewriteTraining(RandomZoomOp op,
                                PatternRewriter &b) const override {
    auto type = typeOf(op.getInput());
    // Named values: the lambdas below capture them.
    std::pair<double, double> center = centerOf(type);
    double cx = center.first, cy = center.second;
    ArrayRef<double> hf = op.getHeightFactor();
    std::optional<ArrayRef<double>> wf = op.getWidthFactor();
    Value out = affineTransform(b, op, [&](const Example &e) -> SmallVector<Value> {
      OpBuilder &nb = e.b;
      Location l = e.loc;
      Value zy = between(nb, l, e.draw(0), 1 + hf[0], 1 + hf[1]);
      Value zx = wf ? between(nb, l, e.draw(1), 1 + (*wf)[0], 1 + (*wf)[1]) : zy;
      auto k = [&](double v) { return floatConst(nb, l, e.ft, v); };
      auto offset = [&](double center, Value z) -> Value {
        return arith::MulFOp::create(nb, l, k(center),
                                     arith::SubFOp::create(nb, l, k(1.0), z));
      };
      return {zx, k(0), offset(cx, zx), k(0), zy, offset(cy, zy)};
    });
    b.replaceOp(op, out);
    return success();
  }
};

// random_translation: the image moves by (u1 W, u0 H); source = output -
// shift.
struct LowerRandomTranslation : LowerTrainingOnly<RandomTranslationOp> {
  using LowerTrainingOnly::LowerTrainingOnly;
  LogicalResult rewriteTraining(RandomTranslationOp op,
                                PatternRewriter &b) const override {
    auto type = typeOf(op.getInput());
    double h = type.getDimSize(1), w = type.getDimSize(2);
    ArrayRef<double> hf = op.getHeightFactor(), wf = op.getWidthFactor();
    Value out = affineTransform(b, op, [&](const Example &e) -> SmallVector<Value> {
      OpBuilder &nb = e.b;
      Location l = e.loc;
      auto k = [&](double v) { return floatConst(nb, l, e.ft, v); };
      Value dy = arith::MulFOp::create(nb, l, between(nb, l, e.draw(0), hf[0], hf[1]), k(h));
      Value dx = arith::MulFOp::create(nb, l, between(nb, l, e.draw(1), wf[0], wf[1]), k(w));
      return {k(1), k(0), arith::NegFOp::create(nb, l, dx), k(0), k(1),
              arith::NegFOp::create(nb, l, dy)};
    });
    b.replaceOp(op, out);
    return success();
  }
};

/// Keras' inference window of random_crop: the largest centered window of
/// the target aspect ratio, as (top, left, height, width).
std::array<int64_t, 4> centeredWindow(int64_t h, int64_t w, int64_t th,
                                      int64_t tw) {
  int64_t ch = static_cast<int64_t>(double(w * th) / tw);
  ch = std::max<int64_t>(std::min(h, ch), 1);
  int64_t cw = static_cast<int64_t>(double(h * tw) / th);
  cw = std::max<int64_t>(std::min(w, cw), 1);
  return {static_cast<int64_t>(double(h - ch) / 2),
          static_cast<int64_t>(double(w - cw) / 2), ch, cw};
}

// random_crop: in training on an image larger than the window in both
// axes, a window at (floor(u0 (H - height + 1)), floor(u1 (W - width + 1)))
// per image; otherwise Keras' inference form, the centered window resized
// with half-pixel bilinear sampling.
struct LowerRandomCrop : OpRewritePattern<RandomCropOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(RandomCropOp op,
                                PatternRewriter &b) const override {
    Location loc = op.getLoc();
    Value images = op.getInput();
    auto in = typeOf(images);
    auto out = typeOf(op.getOutput());
    int64_t h = in.getDimSize(1), w = in.getDimSize(2);
    int64_t th = op.getHeight(), tw = op.getWidth();
    if (op.getKey() && h > th && w > tw) {
      Type i64 = b.getI64Type();
      SmallVector<Value> start = perExample(
          b, loc, images, op.getKey(), op.getOffset(), op.getSeed(), {i64, i64},
          [&](const Example &e) -> SmallVector<Value> {
            auto pick = [&](int d, int64_t range) -> Value {
              Value f = arith::MulFOp::create(e.b, e.loc, e.draw(d),
                                              floatConst(e.b, e.loc, e.ft, double(range)));
              Value i = arith::FPToSIOp::create(e.b, e.loc, e.b.getI64Type(), f);
              return arith::MinSIOp::create(e.b, e.loc, i, i64Const(e.b, e.loc, range - 1));
            };
            return {pick(0, h - th + 1), pick(1, w - tw + 1)};
          });
      SmallVector<AffineMap> maps(2, batchMap(b.getContext()));
      b.replaceOp(op, mapElements(
                          b, loc, out, start, maps,
                          [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
                            Value y = arith::AddIOp::create(nb, l, indexI64(nb, l, 1), a[0]);
                            Value x = arith::AddIOp::create(nb, l, indexI64(nb, l, 2), a[1]);
                            return tensor::ExtractOp::create(
                                nb, l, images,
                                ValueRange{linalg::IndexOp::create(nb, l, 0),
                                           toIndex(nb, l, y), toIndex(nb, l, x),
                                           linalg::IndexOp::create(nb, l, 3)});
                          },
                          images));
      return success();
    }
    std::array<int64_t, 4> window = centeredWindow(h, w, th, tw);
    int64_t top = window[0], left = window[1], ch = window[2], cw = window[3];
    if (ch == th && cw == tw) {
      Value n = tensor::DimOp::create(b, loc, images, 0);
      SmallVector<OpFoldResult> offsets{b.getIndexAttr(0), b.getIndexAttr(top),
                                        b.getIndexAttr(left), b.getIndexAttr(0)};
      SmallVector<OpFoldResult> sizes{n, b.getIndexAttr(th), b.getIndexAttr(tw),
                                      b.getIndexAttr(in.getDimSize(3))};
      SmallVector<OpFoldResult> strides(4, b.getIndexAttr(1));
      b.replaceOpWithNewOp<tensor::ExtractSliceOp>(op, out, images, offsets,
                                                   sizes, strides);
      return success();
    }
    Type ft = computeType(images);
    b.replaceOp(op, mapElements(
                        b, loc, out, ValueRange{}, {},
                        [&](OpBuilder &nb, Location l, ValueRange) -> Value {
                          // source = (i + 0.5) * crop / target - 0.5, clamped
                          // into the window; bilinear between its neighbours.
                          auto axis = [&](unsigned dim, int64_t crop, int64_t target,
                                          int64_t start, Value &i0, Value &i1) {
                            Value i = arith::SIToFPOp::create(nb, l, ft, indexI64(nb, l, dim));
                            Value s = arith::SubFOp::create(
                                nb, l,
                                arith::MulFOp::create(
                                    nb, l, arith::AddFOp::create(nb, l, i, floatConst(nb, l, ft, 0.5)),
                                    floatConst(nb, l, ft, double(crop) / target)),
                                floatConst(nb, l, ft, 0.5));
                            s = arith::MinimumFOp::create(
                                nb, l, arith::MaximumFOp::create(nb, l, s, floatConst(nb, l, ft, 0)),
                                floatConst(nb, l, ft, crop - 1));
                            Value f0 = math::FloorOp::create(nb, l, s);
                            Value frac = arith::SubFOp::create(nb, l, s, f0);
                            Value j = arith::FPToSIOp::create(nb, l, nb.getI64Type(), f0);
                            i0 = arith::AddIOp::create(nb, l, j, i64Const(nb, l, start));
                            i1 = arith::AddIOp::create(
                                nb, l,
                                arith::MinSIOp::create(nb, l,
                                                       arith::AddIOp::create(nb, l, j, i64Const(nb, l, 1)),
                                                       i64Const(nb, l, crop - 1)),
                                i64Const(nb, l, start));
                            return frac;
                          };
                          Value y0, y1, x0, x1;
                          Value fy = axis(1, ch, th, top, y0, y1);
                          Value fx = axis(2, cw, tw, left, x0, x1);
                          auto lerp = [&](Value a, Value c, Value t) -> Value {
                            return arith::AddFOp::create(
                                nb, l, a,
                                arith::MulFOp::create(nb, l, t, arith::SubFOp::create(nb, l, c, a)));
                          };
                          auto px = [&](Value y, Value x) {
                            return readPixel(nb, l, images, y, x, ft);
                          };
                          Value v = lerp(lerp(px(y0, x0), px(y0, x1), fx),
                                         lerp(px(y1, x0), px(y1, x1), fx), fy);
                          return convertFloat(nb, l, v, out.getElementType());
                        },
                        images));
    return success();
  }
};

// random_contrast: m = mean over (h, w) per image and channel, f = 1 -
// lower + u (lower + upper) per image, out = clip((x - m) f + m, range).
struct LowerRandomContrast : LowerTrainingOnly<RandomContrastOp> {
  using LowerTrainingOnly::LowerTrainingOnly;
  LogicalResult rewriteTraining(RandomContrastOp op,
                                PatternRewriter &b) const override {
    Location loc = op.getLoc();
    Value images = op.getInput();
    auto type = typeOf(images);
    Type elt = type.getElementType();
    Type ft = computeType(images);
    MLIRContext *ctx = b.getContext();
    ArrayRef<double> f = op.getFactor();
    SmallVector<Value> factor = perExample(
        b, loc, images, op.getKey(), op.getOffset(), op.getSeed(), {ft},
        [&](const Example &e) -> SmallVector<Value> {
          return {between(e.b, e.loc, e.draw(0), 1 - f[0], 1 + f[1])};
        });
    // The channel means, [N, C], accumulated in `ft`.
    auto meanType = RankedTensorType::get({type.getDimSize(0), type.getDimSize(3)}, ft);
    Value acc = zeroTensor(b, loc, meanType, images);
    AffineMap nc = AffineMap::get(4, 0, {getAffineDimExpr(0, ctx), getAffineDimExpr(3, ctx)}, ctx);
    Value sum = linalg::GenericOp::create(
                    b, loc, TypeRange{meanType}, ValueRange{images}, ValueRange{acc},
                    ArrayRef<AffineMap>{b.getMultiDimIdentityMap(4), nc},
                    ArrayRef<utils::IteratorType>{
                        utils::IteratorType::parallel, utils::IteratorType::reduction,
                        utils::IteratorType::reduction, utils::IteratorType::parallel},
                    [&](OpBuilder &nb, Location l, ValueRange a) {
                      linalg::YieldOp::create(
                          nb, l,
                          ValueRange{arith::AddFOp::create(
                              nb, l, convertFloat(nb, l, a[0], ft), a[1])});
                    })
                    .getResult(0);
    double count = double(type.getDimSize(1) * type.getDimSize(2));
    ArrayRef<double> range = op.getValueRange();
    Value out = mapElements(
        b, loc, type, ValueRange{images, sum, factor[0]},
        {b.getMultiDimIdentityMap(4), nc, batchMap(ctx)},
        [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
          Value x = convertFloat(nb, l, a[0], ft);
          Value m = arith::DivFOp::create(nb, l, a[1], floatConst(nb, l, ft, count));
          Value y = arith::AddFOp::create(
              nb, l, arith::MulFOp::create(nb, l, arith::SubFOp::create(nb, l, x, m), a[2]), m);
          y = arith::MinimumFOp::create(
              nb, l, arith::MaximumFOp::create(nb, l, y, floatConst(nb, l, ft, range[0])),
              floatConst(nb, l, ft, range[1]));
          return convertFloat(nb, l, y, elt);
        });
    b.replaceOp(op, out);
    return success();
  }
};

} // namespace

void weir::populateLowerAugmentPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerRandomFlip, LowerRandomRotation, LowerRandomZoom,
               LowerRandomTranslation, LowerRandomCrop, LowerRandomContrast>(
      patterns.getContext());
}
