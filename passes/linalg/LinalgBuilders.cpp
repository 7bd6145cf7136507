//===- LinalgBuilders.cpp - small builders the weir-to-linalg patterns share -===//
#include "passes/linalg/LinalgBuilders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

namespace weir::lowering {

Value emptyTensor(OpBuilder &b, Location loc, RankedTensorType type,
                  Value like) {
  SmallVector<Value> dynamic;
  for (int64_t i = 0; i < type.getRank(); ++i)
    if (type.isDynamicDim(i))
      dynamic.push_back(tensor::DimOp::create(b, loc, like, 0));
  return tensor::EmptyOp::create(b, loc, type.getShape(),
                                 type.getElementType(), dynamic);
}

Value filledTensor(OpBuilder &b, Location loc, RankedTensorType type,
                   Value like, TypedAttr value) {
  Value empty = emptyTensor(b, loc, type, like);
  Value scalar = arith::ConstantOp::create(b, loc, value);
  return linalg::FillOp::create(b, loc, scalar, empty).getResult(0);
}

Value zeroTensor(OpBuilder &b, Location loc, RankedTensorType type,
                 Value like) {
  return filledTensor(b, loc, type, like,
                      b.getFloatAttr(type.getElementType(), 0.0));
}

Value padSpatial(OpBuilder &b, Location loc, Value input,
                 ArrayRef<int64_t> window, ArrayRef<int64_t> strides,
                 ArrayRef<int64_t> dilation, Padding padding,
                 TypedAttr padValue) {
  auto type = cast<RankedTensorType>(input.getType());
  auto [top, bottom] = windowPadding(type.getDimSize(1), window[0], strides[0],
                                     dilation[0], padding);
  auto [left, right] = windowPadding(type.getDimSize(2), window[1], strides[1],
                                     dilation[1], padding);
  if (top == 0 && bottom == 0 && left == 0 && right == 0)
    return input;
  SmallVector<int64_t> shape(type.getShape());
  shape[1] += top + bottom;
  shape[2] += left + right;
  SmallVector<OpFoldResult> low{b.getIndexAttr(0), b.getIndexAttr(top),
                                b.getIndexAttr(left), b.getIndexAttr(0)};
  SmallVector<OpFoldResult> high{b.getIndexAttr(0), b.getIndexAttr(bottom),
                                 b.getIndexAttr(right), b.getIndexAttr(0)};
  Value pad = arith::ConstantOp::create(b, loc, padValue);
  return tensor::PadOp::create(b, loc, type.clone(shape), input, low, high,
                               pad);
}

bool windowsTile(RankedTensorType x, ArrayRef<int64_t> pool,
                 ArrayRef<int64_t> strides, Padding padding) {
  if (pool != strides)
    return false;
  auto [top, bottom] = windowPadding(x.getDimSize(1), pool[0], strides[0], 1, padding);
  auto [left, right] = windowPadding(x.getDimSize(2), pool[1], strides[1], 1, padding);
  return top == 0 && bottom == 0 && left == 0 && right == 0;
}

Value mapElements(OpBuilder &b, Location loc, RankedTensorType type,
                  ValueRange inputs, ArrayRef<AffineMap> maps, BodyFn body,
                  Value like) {
  unsigned rank = type.getRank();
  SmallVector<AffineMap> indexing(maps);
  if (indexing.empty())
    indexing.assign(inputs.size(),
                    b.getMultiDimIdentityMap(rank));
  indexing.push_back(b.getMultiDimIdentityMap(rank));
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  Value init = emptyTensor(b, loc, type, like ? like : inputs.front());
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{type}, inputs, ValueRange{init}, indexing, iterators,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        Value out = body(nb, nloc, args.drop_back());
        linalg::YieldOp::create(nb, nloc, out);
      });
  return generic.getResult(0);
}

AffineMap lastAxisMap(MLIRContext *ctx, unsigned rank) {
  return AffineMap::get(rank, 0, getAffineDimExpr(rank - 1, ctx));
}

Value convertScalar(OpBuilder &b, Location loc, Value v, Type to,
                    bool fromUnsigned) {
  Type from = v.getType();
  if (from == to)
    return v;
  auto fromInt = dyn_cast<IntegerType>(from);
  auto toInt = dyn_cast<IntegerType>(to);
  auto fromFloat = dyn_cast<FloatType>(from);
  auto toFloat = dyn_cast<FloatType>(to);
  if (fromInt && toFloat)
    return fromUnsigned ? arith::UIToFPOp::create(b, loc, to, v).getResult()
                        : arith::SIToFPOp::create(b, loc, to, v).getResult();
  if (fromFloat && toFloat) {
    // bf16 <-> f16: through f32, which holds both exactly.
    if (fromFloat.getWidth() == toFloat.getWidth())
      v = arith::ExtFOp::create(b, loc, b.getF32Type(), v);
    if (cast<FloatType>(v.getType()).getWidth() < toFloat.getWidth())
      return arith::ExtFOp::create(b, loc, to, v);
    return arith::TruncFOp::create(b, loc, to, v);
  }
  Type signlessTo = b.getIntegerType(cast<IntegerType>(to).getWidth());
  if (fromFloat)
    return cast<IntegerType>(to).isUnsigned()
               ? arith::FPToUIOp::create(b, loc, signlessTo, v).getResult()
               : arith::FPToSIOp::create(b, loc, signlessTo, v).getResult();
  unsigned fw = fromInt.getWidth(), tw = toInt.getWidth();
  if (fw == tw)
    return v;
  if (fw > tw)
    return arith::TruncIOp::create(b, loc, signlessTo, v);
  return fromUnsigned ? arith::ExtUIOp::create(b, loc, signlessTo, v).getResult()
                      : arith::ExtSIOp::create(b, loc, signlessTo, v).getResult();
}

Value toSignless(OpBuilder &b, Location loc, Value v) {
  auto type = cast<RankedTensorType>(v.getType());
  auto intType = dyn_cast<IntegerType>(type.getElementType());
  if (!intType || intType.isSignless())
    return v;
  return tensor::BitcastOp::create(
      b, loc, type.clone(b.getIntegerType(intType.getWidth())), v);
}

Value fromSignless(OpBuilder &b, Location loc, Value v, Type originalType) {
  if (v.getType() == originalType)
    return v;
  return tensor::BitcastOp::create(b, loc, originalType, v);
}

Value floatConst(OpBuilder &b, Location loc, Type type, double value) {
  return arith::ConstantOp::create(b, loc, b.getFloatAttr(type, value));
}

Type accumulatorElement(Type elt) {
  if (elt.isBF16() || elt.isF16())
    return Float32Type::get(elt.getContext());
  return elt;
}

Value convertFloats(OpBuilder &b, Location loc, Value v,
                    Type elt) {
  RankedTensorType type = typeOf(v);
  if (type.getElementType() == elt)
    return v;
  return mapElements(b, loc, type.clone(elt), v, {},
                     [&](OpBuilder &nb, Location l, ValueRange a) {
                       return convertScalar(nb, l, a[0], elt, false);
                     });
}

} // namespace weir::lowering

RankedTensorType weir::lowering::typeOf(Value v) {
  return cast<RankedTensorType>(v.getType());
}

TypedAttr weir::lowering::lowestValue(Type elt) {
  auto ft = cast<FloatType>(elt);
  return FloatAttr::get(ft, APFloat::getInf(ft.getFloatSemantics(), true));
}
