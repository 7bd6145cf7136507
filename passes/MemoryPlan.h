//===- MemoryPlan.h - the buffers of a bufferized function, over time -*- C++ -*-===//
//
// After bufferization and deallocation (weir-cpu-buffer-pipeline), every
// buffer a function makes is a memref.alloc and, unless it is returned, a
// memref.dealloc. Walking the ops in order with the batch size given gives
// the bytes live after each op: the peak, and the buffers live at it, each
// with the layer its location names (dialect/Layers.h). Allocations inside
// loops and other regions count while their region runs. What `weir
// summary --memory` prints; the runtime's allocation counter measures the
// same thing (runtime/cpu/AllocCounter.h).
//
//===----------------------------------------------------------------------===//
#ifndef WEIR_PASSES_MEMORYPLAN_H
#define WEIR_PASSES_MEMORYPLAN_H

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <cstdint>
#include <string>
#include <vector>

namespace weir {

struct PlannedBuffer {
  int64_t bytes = 0;
  std::string type;     ///< "memref<64x32x32x16xf32>", the batch substituted
  std::string layer;    ///< the layer that made it, or "" when none is named
  std::string location; ///< file:line:col, or ""
};

struct MemoryPlan {
  std::string function;
  /// The most bytes the function's own buffers hold at once.
  int64_t peakBytes = 0;
  /// Every byte it allocates, summed (what it would hold if nothing were
  /// freed before it returns).
  int64_t allocatedBytes = 0;
  int64_t buffers = 0;
  /// The bytes of its arguments (the batch, parameters and slots), which
  /// the caller holds.
  int64_t argumentBytes = 0;
  /// The buffers live at the peak, largest first (the function's own; a
  /// nested region's at its own peak).
  std::vector<PlannedBuffer> atPeak;
  /// Sizes that could not be computed (counted as 0).
  int64_t unknownSizes = 0;
};

/// The plan of `func` when its dynamic batch dimensions are `batch`.
MemoryPlan planMemory(mlir::func::FuncOp func, int64_t batch);

} // namespace weir

#endif // WEIR_PASSES_MEMORYPLAN_H
