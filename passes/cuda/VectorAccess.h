//===- VectorAccess.h - how a GPU kernel loads its operands -*- C++ -*-===//
//
// The analysis behind weir-linalg-to-gpu's 128-bit loads: which vector
// width an elementwise linalg.generic allows, how each operand is read at
// that width, and whether a buffer is aligned for it.
//
//===----------------------------------------------------------------------===//
#ifndef WEIR_PASSES_CUDA_VECTORACCESS_H
#define WEIR_PASSES_CUDA_VECTORACCESS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"

namespace weir::cuda {

/// What each operand of an elementwise generic does in the vector kernel.
enum class Access { Vector, Broadcast };

/// Whether `buffer` (a memref) can be read `w` elements at a time with
/// aligned vector loads: unit innermost stride, other strides multiples of
/// `w`, and an offset that keeps the 16-byte alignment of its base.
bool isVectorAligned(mlir::Value buffer, int64_t w);

/// The vector width of an elementwise generic under `vectorBits`-bit
/// loads, with each operand's access appended to `accesses`; 1 (scalar)
/// when the innermost dimension cannot be vectorized.
int64_t chooseWidth(mlir::linalg::GenericOp op, int64_t vectorBits,
                    llvm::SmallVectorImpl<Access> &accesses);

} // namespace weir::cuda

#endif // WEIR_PASSES_CUDA_VECTORACCESS_H
