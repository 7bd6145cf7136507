//===- Compiler.h - a model through the pipelines, up to a stage -*- C++ -*-===//
//
// The compiler half of Weir's API: what `weir compile` does, for any
// caller. A Session (api/Session.h) holds the model; compileToStage runs the
// named pipelines on it in their order, up to the requested stage, and
// writes that stage: IR text, PTX, a cubin or fatbin, an object file, or a
// shared library that the AOT loader runs.
//
//===----------------------------------------------------------------------===//
#ifndef WEIR_API_COMPILER_H
#define WEIR_API_COMPILER_H

#include "runtime/Status.h"
#include "runtime/cpu/AotLibrary.h"

#include "mlir/Support/LogicalResult.h"

#include <string>
#include <vector>

namespace mlir {
class ModuleOp;
} // namespace mlir

namespace weir {

class Session;

struct CompileRequest {
  /// The last stage. CPU: weir, pipeline (the placement of every data
  /// pipeline stage, then the module), train (with the training functions),
  /// linalg, llvm, obj, lib. CUDA: weir, linalg, gpu, nvvm, ptx, cubin,
  /// obj, jit (the host code JIT-loaded, every runtime call resolved).
  std::string emit = "weir";
  /// cpu or cuda.
  std::string target = "cpu";
  /// The model function a library exports (default: the first).
  std::string function;
  /// The GPU architectures kernels are compiled for.
  std::vector<std::string> cudaArchs = {"sm_80", "sm_90"};
  /// Where the stage is written; "-" is stdout (text stages only).
  std::string output = "-";
};

/// Checks `request` before anything is compiled: the stage exists for the
/// target, binary stages go to a file, chips are sm_NN. The error lists
/// what is available.
Status checkCompileRequest(const CompileRequest &request);

/// Runs `session`'s module through the pipelines up to the requested stage
/// and writes it. Diagnostics print as they happen; the Status says which
/// step failed.
Status compileToStage(Session &session, const CompileRequest &request);

/// Writes the LLVM-dialect `module` as a shared library that the AOT loader
/// (runtime/cpu/AotLibrary.h) runs: the code, plus `weir_manifest` and
/// `weir_entry` for `manifest.function`.
mlir::LogicalResult emitSharedLibrary(mlir::ModuleOp module,
                                      const ModelManifest &manifest,
                                      const std::string &path);

/// Writes the LLVM-dialect `module` as a native object file for this host.
mlir::LogicalResult emitObjectFile(mlir::ModuleOp module,
                                   const std::string &path);

} // namespace weir

#endif // WEIR_API_COMPILER_H
