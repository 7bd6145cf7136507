//===- AugmentOps.cpp - shape rules of the image augmentation ops --------===//
//
// The constraints cited here (augment_c*) are defined in docs/spec.md,
// "Augmentation". Every op keeps the input's type but random_crop, whose
// window sets the spatial size.
//
//===----------------------------------------------------------------------===//
#include "dialect/WeirOps.h"

#include <cstdio>

using namespace mlir;
using namespace weir;

using Shapes = SmallVectorImpl<ShapedTypeComponents>;

/// augment_c1 and augment_c2, shared by every op: a rank-4 (NHWC) input,
/// and the training operands `key` and `offset` given together.
static LogicalResult checkCommon(Value input, Value key, Value offset,
                                 EmitFn emitError) {
  auto type = cast<TensorType>(input.getType());
  // augment_c1: NHWC images.
  if (type.hasRank() && type.getRank() != 4)
    return emitError() << "expects NHWC images (rank 4), got " << type;
  // augment_c2: key and offset together.
  if (static_cast<bool>(key) != static_cast<bool>(offset))
    return emitError() << "takes both key and offset, or neither";
  return success();
}

/// A number as a user wrote it: 0.5, not 5.000000e-01.
static std::string num(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", v);
  return buffer;
}

/// augment_c3: a (lower, upper) pair with lower <= upper, both in
/// [min, max] (`openMin`: min itself excluded).
static LogicalResult checkFactor(ArrayRef<double> f, StringRef name,
                                 double min, double max, bool openMin,
                                 EmitFn emitError) {
  if (f.size() != 2)
    return emitError() << name << " must be a (lower, upper) pair, got "
                       << f.size() << " values";
  bool inRange = llvm::all_of(f, [&](double v) {
    return (openMin ? v > min : v >= min) && v <= max;
  });
  if (!inRange || !(f[0] <= f[1]))
    return emitError() << name << " must have " << num(min)
                       << (openMin ? " < " : " <= ") << "lower <= upper <= "
                       << num(max) << ", got [" << num(f[0]) << ", "
                       << num(f[1]) << "]";
  return success();
}

static LogicalResult sameAsInput(Value input, Shapes &shapes) {
  shapes.emplace_back(cast<ShapedType>(input.getType()));
  return success();
}

LogicalResult RandomFlipOp::inferShape(Adaptor a, EmitFn emitError,
                                       Shapes &shapes) {
  if (failed(checkCommon(a.getInput(), a.getKey(), a.getOffset(), emitError)))
    return failure();
  return sameAsInput(a.getInput(), shapes);
}

LogicalResult RandomRotationOp::inferShape(Adaptor a, EmitFn emitError,
                                           Shapes &shapes) {
  if (failed(checkCommon(a.getInput(), a.getKey(), a.getOffset(), emitError)) ||
      failed(checkFactor(a.getFactor(), "factor", -1, 1, false, emitError)))
    return failure();
  return sameAsInput(a.getInput(), shapes);
}

LogicalResult RandomZoomOp::inferShape(Adaptor a, EmitFn emitError,
                                       Shapes &shapes) {
  if (failed(checkCommon(a.getInput(), a.getKey(), a.getOffset(), emitError)) ||
      failed(checkFactor(a.getHeightFactor(), "height_factor", -1, 1, true,
                         emitError)))
    return failure();
  if (auto w = a.getWidthFactor();
      w && failed(checkFactor(*w, "width_factor", -1, 1, true, emitError)))
    return failure();
  return sameAsInput(a.getInput(), shapes);
}

LogicalResult RandomTranslationOp::inferShape(Adaptor a, EmitFn emitError,
                                              Shapes &shapes) {
  if (failed(checkCommon(a.getInput(), a.getKey(), a.getOffset(), emitError)) ||
      failed(checkFactor(a.getHeightFactor(), "height_factor", -1, 1, false,
                         emitError)) ||
      failed(checkFactor(a.getWidthFactor(), "width_factor", -1, 1, false,
                         emitError)))
    return failure();
  return sameAsInput(a.getInput(), shapes);
}

LogicalResult RandomCropOp::inferShape(Adaptor a, EmitFn emitError,
                                       Shapes &shapes) {
  if (failed(checkCommon(a.getInput(), a.getKey(), a.getOffset(), emitError)))
    return failure();
  int64_t height = static_cast<int64_t>(a.getHeight());
  int64_t width = static_cast<int64_t>(a.getWidth());
  // augment_c4: a positive window.
  if (height < 1 || width < 1)
    return emitError() << "window must be positive, got " << height << "x"
                       << width;
  auto type = cast<TensorType>(a.getInput().getType());
  if (!type.hasRank()) {
    shapes.emplace_back(type.getElementType());
    return success();
  }
  // augment_c5: the window's size is the result's [N, height, width, C].
  shapes.emplace_back(
      ArrayRef<int64_t>{type.getDimSize(0), height, width, type.getDimSize(3)},
      type.getElementType());
  return success();
}

LogicalResult RandomContrastOp::inferShape(Adaptor a, EmitFn emitError,
                                           Shapes &shapes) {
  if (failed(checkCommon(a.getInput(), a.getKey(), a.getOffset(), emitError)) ||
      failed(checkFactor(a.getFactor(), "factor", 0, 1, false, emitError)))
    return failure();
  // augment_c6: value_range is (low, high) with low < high.
  ArrayRef<double> range = a.getValueRange();
  if (range.size() != 2 || !(range[0] < range[1]))
    return emitError() << "value_range must be (low, high) with low < high";
  return sameAsInput(a.getInput(), shapes);
}
