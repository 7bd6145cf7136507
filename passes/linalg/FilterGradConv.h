//===- FilterGradConv.h - the filter gradient of a 2-D convolution -*- C++ -*-===//
//
// weir lowers weir.conv2d_backprop_filter to one linalg.generic, target
// independent, that each target lowers its own way: the CPU pipeline splits
// it into one register-blocked contraction per kernel offset
// (weir-split-filter-grads), the CUDA pipeline calls cuDNN's backward-filter
// convolution (weir-outline-library-calls). This header builds and
// recognizes it:
//
//   dk[kh, kw, c, f] += x[n, oh*sh + kh*dh, ow*sw + kw*dw, c] * dy[n, oh, ow, f]
//
// loops (kh, kw, c, f) parallel and (n, oh, ow) reductions; x is the
// already padded NHWC input, dy the NHWC output gradient, dk HWCF.
//
//===----------------------------------------------------------------------===//
#ifndef WEIR_PASSES_FILTERGRADCONV_H
#define WEIR_PASSES_FILTERGRADCONV_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"

#include <optional>

namespace weir {

struct FilterGradConv {
  mlir::Value input, outputGrad, init; ///< x (padded), dy, dk's initial value
  int64_t strides[2] = {1, 1};
  int64_t dilations[2] = {1, 1};
};

/// Builds the generic on tensors (or buffers, with no result) from `conv`.
mlir::linalg::GenericOp buildFilterGradConv(mlir::OpBuilder &b,
                                            mlir::Location loc,
                                            const FilterGradConv &conv);

/// `op` as a filter-gradient convolution: exactly the maps, iterators and
/// multiply-add body buildFilterGradConv makes, or nothing.
std::optional<FilterGradConv> matchFilterGradConv(mlir::linalg::LinalgOp op);

} // namespace weir

#endif // WEIR_PASSES_FILTERGRADCONV_H
