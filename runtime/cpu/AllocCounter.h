// AllocCounter: the bytes that JIT-compiled CPU code holds in buffers. The
// JIT resolves the code's malloc, aligned_alloc and free to these
// wrappers, which count the usable size of each block (malloc_usable_size)
// and keep the peak. Code-wide, not per call or thread: reset, run one
// call, read the peak. What the memory plan (passes/MemoryPlan.h)
// predicts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace weir {

struct AllocCounts {
  int64_t current = 0; ///< bytes allocated by compiled code and not freed
  int64_t peak = 0;    ///< the most `current` reached since the reset
  int64_t allocations = 0;
};

/// Starts counting from zero.
void resetAllocCounts();
AllocCounts allocCounts();

/// The symbols that route compiled code's malloc, aligned_alloc and free
/// through the counter, for JitExecutable::create.
std::vector<std::pair<std::string, void *>> countingAllocatorSymbols();

} // namespace weir
