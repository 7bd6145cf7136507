//===- Frontend.h - the .weir model-description language -------*- C++ -*-===//
//
// Parses a .weir file into a module of the weir dialect. Every op carries
// the FileLineColLoc of the source text it came from. Errors are reported
// as MLIR diagnostics at that location (a SourceMgrDiagnosticHandler prints
// them with the source line and a caret); a malformed file never crashes or
// hangs the parser.
//
//===----------------------------------------------------------------------===//
#ifndef WEIR_FRONTEND_FRONTEND_H
#define WEIR_FRONTEND_FRONTEND_H

#include "frontend/SearchSpace.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

namespace llvm {
class SourceMgr;
} // namespace llvm

namespace weir {

/// Parses the main buffer of `sourceMgr` as a .weir file. Returns null after
/// reporting at least one error. The context must have the weir and func
/// dialects loaded or loadable. Search-space calls (frontend/SearchSpace.h)
/// take their value in `values` or their default; `space`, when given,
/// receives them.
mlir::OwningOpRef<mlir::ModuleOp>
parseWeirSource(llvm::SourceMgr &sourceMgr, mlir::MLIRContext *context,
                const HyperValues *values = nullptr,
                SearchSpace *space = nullptr);

} // namespace weir

#endif // WEIR_FRONTEND_FRONTEND_H
