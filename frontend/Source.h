//===- Source.h - source positions to MLIR locations and diagnostics -*- C++ -*-===//
#ifndef WEIR_FRONTEND_SOURCE_H
#define WEIR_FRONTEND_SOURCE_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Location.h"
#include "llvm/Support/SourceMgr.h"

namespace weir::frontend {

/// The buffer being compiled: turns SMLocs into FileLineColLocs (line and
/// column of the byte, both from 1) and starts diagnostics there.
class Source {
public:
  Source(const llvm::SourceMgr &sourceMgr, unsigned bufferId,
         mlir::MLIRContext *context)
      : sourceMgr(sourceMgr), bufferId(bufferId), context(context),
        identifier(mlir::StringAttr::get(
            context,
            sourceMgr.getMemoryBuffer(bufferId)->getBufferIdentifier())) {}

  llvm::StringRef buffer() const {
    return sourceMgr.getMemoryBuffer(bufferId)->getBuffer();
  }
  mlir::MLIRContext *getContext() const { return context; }

  mlir::Location loc(llvm::SMLoc at) const {
    auto [line, col] = sourceMgr.getLineAndColumn(at, bufferId);
    return mlir::FileLineColLoc::get(identifier, line, col);
  }
  unsigned line(llvm::SMLoc at) const {
    return sourceMgr.getLineAndColumn(at, bufferId).first;
  }
  mlir::InFlightDiagnostic error(llvm::SMLoc at) const {
    return mlir::emitError(loc(at));
  }
  mlir::InFlightDiagnostic warning(llvm::SMLoc at) const {
    return mlir::emitWarning(loc(at));
  }

private:
  const llvm::SourceMgr &sourceMgr;
  unsigned bufferId;
  mlir::MLIRContext *context;
  mlir::StringAttr identifier;
};

} // namespace weir::frontend

#endif // WEIR_FRONTEND_SOURCE_H
