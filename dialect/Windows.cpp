//===- Windows.cpp - the size arithmetic of sliding windows --------------===//
//
// Convolution and pooling windows (docs/spec.md, "Windows"), as ShapeFns.h
// declares them: the shape rules, the lowering and the unit tests use these
// very formulas.
//
//===----------------------------------------------------------------------===//
#include "dialect/ShapeFns.h"

#include "mlir/IR/BuiltinTypes.h"

#include <algorithm>

using namespace mlir;
using namespace weir;

int64_t weir::effectiveWindow(int64_t size, int64_t dilation) {
  return (size - 1) * dilation + 1;
}

int64_t weir::windowOutputSize(int64_t input, int64_t size, int64_t stride,
                               int64_t dilation, Padding padding) {
  if (ShapedType::isDynamic(input))
    return ShapedType::kDynamic;
  if (padding == Padding::same)
    return (input + stride - 1) / stride;
  int64_t span = input - effectiveWindow(size, dilation);
  return span < 0 ? 0 : span / stride + 1;
}

std::pair<int64_t, int64_t> weir::windowPadding(int64_t input, int64_t size,
                                                int64_t stride,
                                                int64_t dilation,
                                                Padding padding) {
  if (padding == Padding::valid)
    return {0, 0};
  int64_t out = windowOutputSize(input, size, stride, dilation, padding);
  int64_t total = std::max<int64_t>(
      (out - 1) * stride + effectiveWindow(size, dilation) - input, 0);
  return {total / 2, total - total / 2};
}
