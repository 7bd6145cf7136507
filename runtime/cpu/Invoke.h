//===- Invoke.h - call compiled entry points with HostTensors -*- C++ -*-===//
//
// Compiled models expose each entry point as a packed function
// `void(void **args)`: args[0] points to the result memref descriptor and
// args[1..] to the argument descriptors (the C interface of MLIR's LLVM
// lowering, packed). This file builds descriptors over HostTensors, calls
// such a function, splits the batch over threads, and takes ownership of
// the result. It does not depend on MLIR, so an AOT library loader can use
// it as well as the JIT.
//
//===----------------------------------------------------------------------===//
#ifndef WEIR_RUNTIME_CPU_INVOKE_H
#define WEIR_RUNTIME_CPU_INVOKE_H

#include "runtime/HostTensor.h"
#include "runtime/Status.h"
#include "runtime/ThreadPool.h"

#include <string>
#include <vector>

namespace weir {

using PackedFunction = void (*)(void **);

/// Compiled code allocates its intermediates with malloc on every call.
/// glibc serves large blocks with fresh mmaps by default, so each call would
/// page-fault its buffers in again; this raises the thresholds once per
/// process so freed blocks are reused.
void configureAllocatorForCompiledCode();

/// How the runtime treats compiled code of a target other than the CPU.
/// Code compiled for CUDA returns managed buffers (released by the device,
/// not free) and may still be running when it returns (the host waits for
/// the device before reading its results). Process-wide; the defaults are
/// the CPU's: `free` and nothing.
struct CompiledCodeHooks {
  void (*releaseResult)(void *) = nullptr;
  Status (*afterCall)() = nullptr;
};
void setCompiledCodeHooks(CompiledCodeHooks hooks);

/// Calls `fn` with `args` as memrefs (read, not written) and returns its
/// single memref result, of `resultDType` and shape `resultShape`, where -1
/// in dimension 0 means the batch: dimension 0 of the first `numBatched`
/// arguments. A result without a batch (a scalar loss, a static shape)
/// comes from one call on the whole arguments. Otherwise, with a `pool` of
/// more than one thread, the batch is split into
/// contiguous slices run concurrently on views of the inputs (examples are
/// independent in inference, so this is exact). `name` is for messages.
Result<HostTensor> invokeBatched(PackedFunction fn, const std::string &name,
                                 const std::vector<const HostTensor *> &args,
                                 size_t numBatched, DType resultDType,
                                 std::vector<int64_t> resultShape,
                                 ThreadPool *pool);

/// An argument: the whole tensor, or the rows [begin, end) of dimension 0.
struct ArgView {
  const HostTensor *tensor;
  int64_t begin = 0;
  int64_t end = -1; ///< -1: the whole tensor.
};

/// Calls `fn`, which may return several memrefs, with `args`, and stores
/// result i into `*results[i]`, which must already have the shape and dtype
/// the function returns (a mismatch is an error naming `name`). A returned
/// buffer that is the destination itself (an update in place) is left as
/// it is; one inside an argument is copied and not freed; any other is
/// copied and freed.
Status invokePacked(PackedFunction fn, const std::string &name,
                    const std::vector<ArgView> &args,
                    const std::vector<HostTensor *> &results);

} // namespace weir

#endif // WEIR_RUNTIME_CPU_INVOKE_H
