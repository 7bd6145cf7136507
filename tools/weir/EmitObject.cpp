//===- EmitObject.cpp - LLVM dialect to a native object file -------------===//
#include "tools/weir/Commands.h"

#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"

using namespace mlir;

LogicalResult weir::emitObjectFile(ModuleOp module, const std::string &path) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, llvmContext, "weir_model");
  if (!llvmModule)
    return module.emitError("cannot translate the module to LLVM IR");

  llvm::Triple triple(llvm::sys::getProcessTriple());
  std::string error;
  const llvm::Target *target = llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target) {
    llvm::errs() << "weir compile: " << error << "\n";
    return failure();
  }
  std::string features;
  for (auto &feature : llvm::sys::getHostCPUFeatures())
    features += (feature.second ? "+" : "-") + feature.first().str() + ",";
  std::unique_ptr<llvm::TargetMachine> machine(target->createTargetMachine(
      triple, llvm::sys::getHostCPUName(), features, llvm::TargetOptions(),
      llvm::Reloc::PIC_, std::nullopt, llvm::CodeGenOptLevel::Aggressive));
  llvmModule->setTargetTriple(triple);
  llvmModule->setDataLayout(machine->createDataLayout());
  if (llvm::Error e = makeOptimizingTransformer(3, 0, machine.get())(
          llvmModule.get())) {
    llvm::errs() << "weir compile: optimization failed: " << e << "\n";
    return failure();
  }

  std::error_code ec;
  auto out = std::make_unique<llvm::ToolOutputFile>(path, ec,
                                                    llvm::sys::fs::OF_None);
  if (ec) {
    llvm::errs() << "weir compile: cannot write '" << path
                 << "': " << ec.message() << "\n";
    return failure();
  }
  llvm::legacy::PassManager codegen;
  if (machine->addPassesToEmitFile(codegen, out->os(), nullptr,
                                   llvm::CodeGenFileType::ObjectFile)) {
    llvm::errs() << "weir compile: this target cannot emit objects\n";
    return failure();
  }
  codegen.run(*llvmModule);
  out->keep();
  return success();
}
