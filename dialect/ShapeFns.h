//===- ShapeFns.h - window arithmetic shared by shape rules and lowering -*- C++ -*-===//
//
// The size arithmetic of sliding windows (convolution and pooling), kept
// apart from the ops so that lowering and unit tests use the very same
// formulas as the verifier. Spec: docs/spec.md, "Windows".
//
//===----------------------------------------------------------------------===//
#ifndef WEIR_DIALECT_SHAPEFNS_H
#define WEIR_DIALECT_SHAPEFNS_H

#include "dialect/WeirDialect.h"

#include <cstdint>
#include <utility>

namespace weir {

/// Extent of a window of `size` taps spaced `dilation` apart.
int64_t effectiveWindow(int64_t size, int64_t dilation);

/// Output length along one spatial axis, or ShapedType::kDynamic when
/// `input` is dynamic. For `valid`, returns 0 or less when the window does
/// not fit; callers reject that.
int64_t windowOutputSize(int64_t input, int64_t size, int64_t stride,
                         int64_t dilation, Padding padding);

/// (before, after) padding along one axis for `same`, as TensorFlow does:
/// the odd element goes after. Zero for `valid`.
std::pair<int64_t, int64_t> windowPadding(int64_t input, int64_t size,
                                          int64_t stride, int64_t dilation,
                                          Padding padding);

} // namespace weir

#endif // WEIR_DIALECT_SHAPEFNS_H
