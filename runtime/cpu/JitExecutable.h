//===- JitExecutable.h - run LLVM-dialect modules through the MLIR JIT -*- C++ -*-===//
//
// The CPU device's executable: an LLVM-dialect module (from
// weir-cpu-lowering-pipeline) compiled in process by the MLIR
// ExecutionEngine at -O3 for the host CPU. Entry points take memrefs
// through their C interface; the caller passes HostTensors and gets the
// result back as a HostTensor. Errors are returned as values.
//
//===----------------------------------------------------------------------===//
#ifndef WEIR_RUNTIME_CPU_JITEXECUTABLE_H
#define WEIR_RUNTIME_CPU_JITEXECUTABLE_H

#include "runtime/HostTensor.h"
#include "runtime/Status.h"
#include "runtime/ThreadPool.h"
#include "runtime/cpu/Invoke.h"

#include <memory>
#include <string>
#include <vector>

namespace mlir {
class ExecutionEngine;
class ModuleOp;
} // namespace mlir

namespace weir {

/// Sets, once per process, the LLVM code-generator options Weir's modules
/// are compiled with (by the JIT and by AOT objects alike):
/// `-combiner-store-merging=false`. The DAG combiner's merging of
/// consecutive stores compares each store with the others of its chain,
/// and the unrolled vector code of a training step has long chains: it was
/// the largest single cost of ResNet-20's compile (its step compiled in
/// 36.6 s with it, 28.4 s without; the same bits, the same throughput).
/// The stores it would merge are already vectors.
/// LLVM's options are global: a process that embeds Weir shares them.
void configureLlvmCodegen();

class JitExecutable {
public:
  /// JIT-compiles `llvmModule` (LLVM dialect only). The module's context
  /// must have the builtin and LLVM translation interfaces registered.
  /// `symbols` resolves functions the module calls that the process does
  /// not export (the CUDA runtime entry points of runtime/device).
  static Result<std::unique_ptr<JitExecutable>>
  create(mlir::ModuleOp llvmModule,
         const std::vector<std::pair<std::string, void *>> &symbols = {});
  ~JitExecutable();

  /// Calls `function` through its `_mlir_ciface_` wrapper with `args` as
  /// memrefs (read, not written) and returns its single memref result, of
  /// `resultDType` and shape `resultShape`, where -1 in dimension 0 means
  /// the batch: dimension 0 of the first `numBatched` arguments.
  ///
  /// With `threads` > 1 the batch is split into that many contiguous slices
  /// run concurrently, each a call on views of the inputs (no copies).
  /// Examples are independent in inference, so this is exact; it is how the
  /// CPU device uses several cores today.
  Result<HostTensor> call(const std::string &function,
                          const std::vector<const HostTensor *> &args,
                          size_t numBatched, DType resultDType,
                          std::vector<int64_t> resultShape,
                          unsigned threads = 1);

  /// The packed entry point of `function` (its C interface wrapper), for
  /// invokePacked.
  Result<PackedFunction> lookup(const std::string &function);

private:
  explicit JitExecutable(std::unique_ptr<mlir::ExecutionEngine> engine);
  std::unique_ptr<mlir::ExecutionEngine> engine_;
  /// Created on the first call with more than one thread; reused.
  std::unique_ptr<ThreadPool> pool_;
};

} // namespace weir

#endif // WEIR_RUNTIME_CPU_JITEXECUTABLE_H
