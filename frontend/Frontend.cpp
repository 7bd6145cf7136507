//===- Frontend.cpp - parseWeirSource: lex, parse, build, verify ---------===//
#include "frontend/Frontend.h"
#include "frontend/Builder.h"
#include "frontend/Parser.h"

#include "dialect/WeirOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/Support/SourceMgr.h"

using namespace mlir;

OwningOpRef<ModuleOp> weir::parseWeirSource(llvm::SourceMgr &sourceMgr,
                                            MLIRContext *context,
                                            const HyperValues *values,
                                            SearchSpace *space) {
  context->loadDialect<WeirDialect, func::FuncDialect>();
  // An op the user did not write is no help under a .weir line: while
  // building, diagnostics leave out the generic form of the op.
  bool printOp = context->shouldPrintOpOnDiagnostic();
  context->printOpOnDiagnostic(false);
  llvm::scope_exit restore(
      [&] { context->printOpOnDiagnostic(printOp); });
  frontend::Source source(sourceMgr, sourceMgr.getMainFileID(), context);
  FailureOr<frontend::File> file = frontend::parseFile(source);
  if (failed(file) ||
      failed(frontend::resolveSearchSpace(source, *file, values, space)))
    return {};
  OwningOpRef<ModuleOp> module =
      ModuleOp::create(source.loc(llvm::SMLoc::getFromPointer(
          source.buffer().data())));
  if (failed(frontend::ModuleBuilder(source, *module).build(*file)))
    return {};
  // Every op was verified as it was built; this checks what ties them
  // together (symbols, the function signatures).
  if (failed(verify(*module)))
    return {};
  return module;
}
