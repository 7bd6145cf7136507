//===- FuzzWeirParser.cpp - libFuzzer entry: any bytes through the front end -===//
//
// Parses the input as a .weir file with every diagnostic swallowed; when it
// parses, also verifies the module and runs the model pipeline, so a module
// the front end accepts but the passes choke on is found too. One
// MLIRContext serves every input. Build and run: frontend/fuzz/run-fuzzer.sh.
//
//===----------------------------------------------------------------------===//
#include "dialect/WeirOps.h"
#include "frontend/Frontend.h"
#include "passes/Pipelines.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <cstddef>
#include <cstdint>

// MLIR's storage allocator (an llvm::BumpPtrAllocator in the context) is
// used both from libMLIR.so, built without ASan, and from this binary's
// instrumented inline copies (the weir types' storage): an instrumented
// copy that starts a new slab poisons all of it, and the uninstrumented
// library's allocations from that slab are never unpoisoned, so ASan
// would report them. Manual poisoning is off; ASan's own checks stay on.
extern "C" const char *__asan_default_options() {
  return "allow_user_poisoning=0";
}

static mlir::MLIRContext &sharedContext() {
  static mlir::MLIRContext *context = [] {
    mlir::DialectRegistry registry;
    registry.insert<weir::WeirDialect, mlir::func::FuncDialect>();
    auto *c = new mlir::MLIRContext(registry,
                                    mlir::MLIRContext::Threading::DISABLED);
    c->loadAllAvailableDialects();
    return c;
  }();
  return *context;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  mlir::MLIRContext &context = sharedContext();
  mlir::ScopedDiagnosticHandler swallow(
      &context, [](mlir::Diagnostic &) { return mlir::success(); });
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBufferCopy(
          llvm::StringRef(reinterpret_cast<const char *>(data), size),
          "fuzz.weir"),
      llvm::SMLoc());
  mlir::OwningOpRef<mlir::ModuleOp> module =
      weir::parseWeirSource(sourceMgr, &context);
  if (!module)
    return 0;
  if (mlir::failed(mlir::verify(*module)))
    __builtin_trap(); // the front end returned a module that is not valid
  mlir::PassManager pm(&context);
  weir::buildModelPipeline(pm, weir::ModelPipelineOptions());
  (void)pm.run(*module);
  std::string text;
  llvm::raw_string_ostream os(text);
  module->print(os);
  return 0;
}
