//===- Compile.cpp - `weir compile`: parse, run the pipelines, emit ------===//
#include "tools/weir/Compile.h"

#include "dialect/WeirOps.h"
#include "frontend/Frontend.h"
#include "passes/Pipelines.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace mlir;

int weir::runCompile(const CompileOptions &options) {
  if (options.emit != "weir") {
    llvm::errs() << "weir compile: unknown --emit=" << options.emit
                 << " (available: weir)\n";
    return 2;
  }

  DialectRegistry registry;
  registry.insert<WeirDialect, func::FuncDialect, tensor::TensorDialect,
                  arith::ArithDialect>();
  MLIRContext context(registry);
  context.disableMultithreading(options.printIRAfterAll);

  std::string error;
  auto file = openInputFile(options.input, &error);
  if (!file) {
    llvm::errs() << "weir compile: " << error << "\n";
    return 1;
  }
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);

  // A .weir description goes through the front end; anything else is read
  // as MLIR (the weir dialect and upstream dialects).
  OwningOpRef<ModuleOp> module =
      StringRef(options.input).ends_with(".weir")
          ? parseWeirSource(sourceMgr, &context)
          : parseSourceFile<ModuleOp>(sourceMgr, &context);
  if (!module)
    return 1;

  PassManager pm(&context);
  if (options.printIRAfterAll)
    pm.enableIRPrinting(
        /*shouldPrintBeforePass=*/[](Pass *, Operation *) { return false; },
        /*shouldPrintAfterPass=*/[](Pass *, Operation *) { return true; },
        /*printModuleScope=*/true, /*printAfterOnlyOnChange=*/false,
        /*printAfterOnlyOnFailure=*/false, llvm::outs());
  if (options.timing)
    pm.enableTiming();
  ModelPipelineOptions modelOptions;
  modelOptions.warnUnusedParameters = options.warnUnusedParameters;
  buildModelPipeline(pm, modelOptions);
  if (failed(pm.run(*module)))
    return 1;

  auto out = openOutputFile(options.output, &error);
  if (!out) {
    llvm::errs() << "weir compile: " << error << "\n";
    return 1;
  }
  module->print(out->os());
  out->os() << "\n";
  out->keep();
  return 0;
}
