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

#include <memory>
#include <string>
#include <vector>

namespace mlir {
class ExecutionEngine;
class ModuleOp;
} // namespace mlir

namespace weir {

class JitExecutable {
public:
  /// JIT-compiles `llvmModule` (LLVM dialect only). The module's context
  /// must have the builtin and LLVM translation interfaces registered.
  static Result<std::unique_ptr<JitExecutable>> create(mlir::ModuleOp llvmModule);
  ~JitExecutable();

  /// Calls `function` through its `_mlir_ciface_` wrapper with `args` as
  /// memrefs, and returns its single memref result, a `resultDType` tensor
  /// of rank `resultRank`. The arguments are read, not written.
  Result<HostTensor> call(const std::string &function,
                          const std::vector<const HostTensor *> &args,
                          DType resultDType, int64_t resultRank);

private:
  explicit JitExecutable(std::unique_ptr<mlir::ExecutionEngine> engine);
  std::unique_ptr<mlir::ExecutionEngine> engine_;
};

} // namespace weir

#endif // WEIR_RUNTIME_CPU_JITEXECUTABLE_H
