//===- Frontend.cpp - placeholder until the .weir parser lands -----------===//
#include "frontend/Frontend.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/Support/SourceMgr.h"

using namespace mlir;

OwningOpRef<ModuleOp> weir::parseWeirSource(llvm::SourceMgr &sourceMgr,
                                            MLIRContext *context) {
  auto *buffer = sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID());
  emitError(FileLineColLoc::get(context, buffer->getBufferIdentifier(), 1, 1))
      << "the .weir front end is not built yet";
  return {};
}
