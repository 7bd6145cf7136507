//===- EmitObject.cpp - LLVM dialect to native objects and libraries -----===//
#include "api/Compiler.h"
#include "runtime/cpu/JitExecutable.h"

#include "mlir/IR/BuiltinOps.h"

#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"

using namespace mlir;

namespace {
/// The LLVM module with the target machine it is optimized for.
struct NativeModule {
  std::unique_ptr<llvm::TargetMachine> machine;
  std::unique_ptr<llvm::Module> module;
};

FailureOr<NativeModule> translate(ModuleOp module, llvm::LLVMContext &ctx) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  weir::configureLlvmCodegen();
  NativeModule out;
  out.module = translateModuleToLLVMIR(module, ctx, "weir_model");
  if (!out.module)
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
  // As in the JIT: multiplies and adds fuse into FMAs.
  llvm::TargetOptions targetOptions;
  targetOptions.AllowFPOpFusion = llvm::FPOpFusion::Fast;
  out.machine.reset(target->createTargetMachine(
      triple, llvm::sys::getHostCPUName(), features, targetOptions,
      llvm::Reloc::PIC_, std::nullopt, llvm::CodeGenOptLevel::Aggressive));
  out.module->setTargetTriple(triple);
  out.module->setDataLayout(out.machine->createDataLayout());
  return out;
}

LogicalResult optimizeAndWrite(NativeModule &native, const std::string &path) {
  if (llvm::Error e = makeOptimizingTransformer(3, 0, native.machine.get())(
          native.module.get())) {
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
  if (native.machine->addPassesToEmitFile(codegen, out->os(), nullptr,
                                          llvm::CodeGenFileType::ObjectFile)) {
    llvm::errs() << "weir compile: this target cannot emit objects\n";
    return failure();
  }
  codegen.run(*native.module);
  out->keep();
  return success();
}

/// Adds `const char *weir_manifest` and `void weir_entry(void **args)`,
/// which unpacks args and calls the entry point's C interface.
LogicalResult addLibraryInterface(llvm::Module &m,
                                  const weir::ModelManifest &manifest) {
  llvm::LLVMContext &ctx = m.getContext();
  llvm::IRBuilder<> b(ctx);
  llvm::Constant *text = b.CreateGlobalString(
      weir::writeManifest(manifest), "weir_manifest_text", 0, &m);
  auto *ptrType = llvm::PointerType::getUnqual(ctx);
  new llvm::GlobalVariable(m, ptrType, /*isConstant=*/true,
                           llvm::GlobalValue::ExternalLinkage, text,
                           "weir_manifest");

  llvm::Function *target = m.getFunction("_mlir_ciface_" + manifest.function);
  if (!target) {
    llvm::errs() << "weir compile: no C interface for '" << manifest.function
                 << "'\n";
    return failure();
  }
  auto *entry = llvm::Function::Create(
      llvm::FunctionType::get(b.getVoidTy(), {ptrType}, false),
      llvm::GlobalValue::ExternalLinkage, "weir_entry", m);
  b.SetInsertPoint(llvm::BasicBlock::Create(ctx, "entry", entry));
  llvm::SmallVector<llvm::Value *> args;
  for (unsigned i = 0; i < target->arg_size(); ++i) {
    llvm::Value *slot = b.CreateConstGEP1_64(ptrType, entry->getArg(0), i);
    llvm::Value *argPtr = b.CreateLoad(ptrType, slot);
    args.push_back(b.CreateLoad(target->getArg(i)->getType(), argPtr));
  }
  b.CreateCall(target, args);
  b.CreateRetVoid();
  return success();
}
} // namespace

LogicalResult weir::emitObjectFile(ModuleOp module, const std::string &path) {
  llvm::LLVMContext ctx;
  FailureOr<NativeModule> native = translate(module, ctx);
  return failed(native) ? failure() : optimizeAndWrite(*native, path);
}

LogicalResult weir::emitSharedLibrary(ModuleOp module,
                                      const ModelManifest &manifest,
                                      const std::string &path) {
  llvm::LLVMContext ctx;
  FailureOr<NativeModule> native = translate(module, ctx);
  if (failed(native) || failed(addLibraryInterface(*native->module, manifest)))
    return failure();
  llvm::SmallString<128> object;
  if (std::error_code ec =
          llvm::sys::fs::createTemporaryFile("weir-model", "o", object)) {
    llvm::errs() << "weir compile: cannot create a temporary file: "
                 << ec.message() << "\n";
    return failure();
  }
  // The object is only an intermediate: removed on every path out.
  struct Remove {
    llvm::SmallString<128> &path;
    ~Remove() { llvm::sys::fs::remove(path); }
  } removeObject{object};
  if (failed(optimizeAndWrite(*native, object.str().str())))
    return failure();
  // Link with the system compiler driver; the library needs memrefCopy from
  // MLIR's C runner utilities.
  llvm::ErrorOr<std::string> linker = llvm::sys::findProgramByName("clang-22");
  if (!linker)
    linker = llvm::sys::findProgramByName("cc");
  if (!linker) {
    llvm::errs() << "weir compile: --emit=lib needs clang-22 or cc to link\n";
    return failure();
  }
  std::string libDir = WEIR_LLVM_LIBRARY_DIR;
  std::string searchDir = "-L" + libDir, rpath = "-Wl,-rpath," + libDir;
  llvm::SmallVector<llvm::StringRef> argv{
      *linker, "-shared", "-o", path, object.str(), searchDir, rpath,
      "-lmlir_c_runner_utils", "-lm"};
  std::string message;
  if (llvm::sys::ExecuteAndWait(*linker, argv, std::nullopt, {}, 0, 0,
                                &message) != 0) {
    llvm::errs() << "weir compile: linking '" << path << "' failed"
                 << (message.empty() ? "" : ": " + message) << "\n";
    return failure();
  }
  return success();
}
