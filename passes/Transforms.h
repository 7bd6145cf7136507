//===- Transforms.h - weir transforms as library functions -----*- C++ -*-===//
//
// The passes in Passes.td are thin wrappers over these functions, which the
// driver and other transforms may call directly.
//
//===----------------------------------------------------------------------===//
#ifndef WEIR_PASSES_TRANSFORMS_H
#define WEIR_PASSES_TRANSFORMS_H

#include "mlir/Support/LLVM.h"

namespace mlir {
class ModuleOp;
namespace func {
class FuncOp;
} // namespace func
} // namespace mlir

namespace weir {

/// Refines the result types of the weir ops in `func`, then its signature.
/// Reports, and fails, at the first op whose operands break its shape rule.
mlir::LogicalResult inferShapes(mlir::func::FuncOp func);

struct ModelCheckOptions {
  bool warnUnusedParameters = true;
};

/// Checks the whole-model constraints model_c1..model_c3 (docs/spec.md).
/// Fails if an error was reported; warnings alone succeed.
mlir::LogicalResult verifyModel(mlir::ModuleOp module,
                                const ModelCheckOptions &options);

} // namespace weir

#endif // WEIR_PASSES_TRANSFORMS_H
