//===- LinalgBuilders.h - small builders the weir-to-linalg patterns share -*- C++ -*-===//
#ifndef WEIR_PASSES_LINALGBUILDERS_H
#define WEIR_PASSES_LINALGBUILDERS_H

#include "dialect/ShapeFns.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Builders.h"

namespace weir::lowering {

using BodyFn = llvm::function_ref<mlir::Value(mlir::OpBuilder &,
                                              mlir::Location, mlir::ValueRange)>;

/// An uninitialized tensor of `type`, whose dynamic dimensions (only the
/// batch, dimension 0, may be dynamic) are read from dimension 0 of `like`.
mlir::Value emptyTensor(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::RankedTensorType type, mlir::Value like);

/// A tensor of `type` filled with `value`.
mlir::Value filledTensor(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::RankedTensorType type, mlir::Value like,
                         mlir::TypedAttr value);

/// An all-parallel linalg.generic producing `type`: input i is read through
/// `maps[i]` (identity when `maps` is empty), and `body` computes the output
/// element from the input elements. The batch size comes from `like`
/// (default: the first input).
mlir::Value mapElements(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::RankedTensorType type, mlir::ValueRange inputs,
                        llvm::ArrayRef<mlir::AffineMap> maps, BodyFn body,
                        mlir::Value like = nullptr);

/// The map that broadcasts a vector along the last axis of a rank-`rank`
/// iteration space: (d0, ..., dn-1) -> (dn-1).
mlir::AffineMap lastAxisMap(mlir::MLIRContext *ctx, unsigned rank);

/// The scalar conversion that weir.cast performs from `from` to `to`
/// (`fromUnsigned` when the source is a `ui` type, already made signless).
mlir::Value convertScalar(mlir::OpBuilder &b, mlir::Location loc,
                          mlir::Value v, mlir::Type to, bool fromUnsigned);

/// linalg and arith work on signless integers: these bitcast a tensor of
/// `ui`/`si` integers to signless and back. Pairs cancel under canonicalize.
mlir::Value toSignless(mlir::OpBuilder &b, mlir::Location loc, mlir::Value v);
mlir::Value fromSignless(mlir::OpBuilder &b, mlir::Location loc, mlir::Value v,
                         mlir::Type originalType);

/// A zero-filled tensor of the float type `type` (batch size from `like`).
mlir::Value zeroTensor(mlir::OpBuilder &b, mlir::Location loc,
                       mlir::RankedTensorType type, mlir::Value like);

/// Pads the H and W axes of an NHWC tensor with `padValue` as a window of
/// `window` with `strides`, `dilation` and Keras `padding` needs (nothing
/// for `valid`); returns `input` when no padding is needed.
mlir::Value padSpatial(mlir::OpBuilder &b, mlir::Location loc,
                       mlir::Value input, llvm::ArrayRef<int64_t> window,
                       llvm::ArrayRef<int64_t> strides,
                       llvm::ArrayRef<int64_t> dilation, Padding padding,
                       mlir::TypedAttr padValue);

/// Whether the windows of a pool (`pool`, `strides`, `padding`) over the
/// NHWC type `x` tile it: strides equal to the pool size and no padding.
bool windowsTile(mlir::RankedTensorType x, llvm::ArrayRef<int64_t> pool,
                 llvm::ArrayRef<int64_t> strides, Padding padding);

/// The element type that products and sums of `elt` accumulate in: f32
/// for the 16-bit floats (bf16, f16), `elt` itself otherwise.
mlir::Type accumulatorElement(mlir::Type elt);

/// The float tensor `v` with every element converted to the float type
/// `elt` (rounded to nearest even when narrower); `v` when it has it.
mlir::Value convertFloats(mlir::OpBuilder &b, mlir::Location loc,
                          mlir::Value v, mlir::Type elt);

/// A float constant of type `type`.
mlir::Value floatConst(mlir::OpBuilder &b, mlir::Location loc, mlir::Type type,
                       double value);

/// The ranked tensor type of `v` (every value the lowering sees has one).
mlir::RankedTensorType typeOf(mlir::Value v);

/// -inf of the float type `elt`: the identity of a max.
mlir::TypedAttr lowestValue(mlir::Type elt);

} // namespace weir::lowering

#endif // WEIR_PASSES_LINALGBUILDERS_H
