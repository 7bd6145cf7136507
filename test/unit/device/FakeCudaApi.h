// A recording fake of the CUDA driver, cuBLAS and cuDNN: a CudaApi table
// whose functions log their name and key arguments, keep "device" memory on
// the host, and compute GEMMs and transposes for real (column-major).
#pragma once

#include "runtime/device/CudaApi.h"

#include <map>
#include <string>
#include <vector>

namespace weir::device::fake {

struct Call {
  std::string name; ///< without the _v2 suffix: "cuMemAlloc"
  std::string args; ///< "bytes=1024", key arguments only
};

/// One process-wide fake (the table holds plain function pointers).
struct FakeCuda {
  static FakeCuda &get();
  /// Clears the log and the knobs; live fake allocations are kept.
  void reset();
  /// The table, every part filled.
  cuda::CudaApi api() const;

  std::vector<Call> calls;
  /// Names in order, optionally only those starting with `prefix`.
  std::vector<std::string> names(const std::string &prefix = "") const;
  int count(const std::string &name) const;
  /// The first call named `name`, or null.
  const Call *find(const std::string &name) const;
  /// Index of the first call named `name` at or after `from`; -1 if none.
  int indexOf(const std::string &name, size_t from = 0) const;

  // Knobs.
  cuda::CUresult initResult = cuda::CUDA_SUCCESS;
  int deviceCount = 1;

  // What cudnnConvolutionForward saw as the filter (the transposed KRSC
  // copy), captured when it ran.
  std::vector<float> lastFilter;
  int filterDims[4] = {0, 0, 0, 0}; ///< k, c, h, w from cudnnSetFilter4d
};

} // namespace weir::device::fake
