//===- JitExecutable.cpp - run LLVM-dialect modules through the MLIR JIT -===//
#include "runtime/cpu/JitExecutable.h"

#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/TargetSelect.h"

#include <mutex>

using namespace weir;

static std::string errorText(llvm::Error error) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << error;
  return text;
}

void weir::configureLlvmCodegen() {
  static std::once_flag once;
  std::call_once(once, [] {
    auto &options = llvm::cl::getRegisteredOptions();
    if (llvm::cl::Option *merging = options.lookup("combiner-store-merging"))
      merging->addOccurrence(0, "combiner-store-merging", "false");
  });
}

JitExecutable::JitExecutable(std::unique_ptr<mlir::ExecutionEngine> engine)
    : engine_(std::move(engine)) {}
JitExecutable::~JitExecutable() = default;

Result<std::unique_ptr<JitExecutable>>
JitExecutable::create(mlir::ModuleOp llvmModule,
                      const std::vector<std::pair<std::string, void *>> &symbols) {
  // LLVM's target registry is global: filled once, even when several
  // threads compile (weir tune --parallel-trials).
  static std::once_flag targets;
  std::call_once(targets, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
  });
  configureLlvmCodegen();
  auto builder = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!builder)
    return Status::error("cannot target this CPU: " +
                         errorText(builder.takeError()));
  // Fuse multiplies and adds into FMAs: the generated reductions are
  // mulf + addf pairs, and the machine has FMA units (one rounding instead
  // of two; results stay deterministic for a given build and CPU).
  llvm::TargetOptions targetOptions;
  targetOptions.AllowFPOpFusion = llvm::FPOpFusion::Fast;
  builder->setOptions(targetOptions);
  auto machine = builder->createTargetMachine();
  if (!machine)
    return Status::error("cannot target this CPU: " +
                         errorText(machine.takeError()));
  // The engine's own codegen option is ignored; the level must be set on
  // the target machine it is given.
  (*machine)->setOptLevel(llvm::CodeGenOptLevel::Aggressive);
  auto transformer = mlir::makeOptimizingTransformer(3, 0, machine->get());
  mlir::ExecutionEngineOptions options;
  options.transformer = transformer;
  // tensor.pad and strided copies call memrefCopy from this library.
  llvm::SmallVector<llvm::StringRef> libs{WEIR_MLIR_C_RUNNER_UTILS};
  options.sharedLibPaths = libs;
  auto engine = mlir::ExecutionEngine::create(llvmModule, options,
                                              std::move(*machine));
  if (!engine)
    return Status::error("JIT compilation failed: " +
                         errorText(engine.takeError()));
  if (!symbols.empty())
    (*engine)->registerSymbols([&](llvm::orc::MangleAndInterner interner) {
      llvm::orc::SymbolMap map;
      for (const auto &[name, address] : symbols)
        map[interner(name)] = {llvm::orc::ExecutorAddr::fromPtr(address),
                               llvm::JITSymbolFlags::Exported};
      return map;
    });
  // Runs the module's constructors (a CUDA module's records its kernels).
  (*engine)->initialize();
  return std::unique_ptr<JitExecutable>(new JitExecutable(std::move(*engine)));
}

Result<HostTensor> JitExecutable::call(const std::string &function,
                                       const std::vector<const HostTensor *> &args,
                                       size_t numBatched, DType resultDType,
                                       std::vector<int64_t> resultShape,
                                       unsigned threads) {
  // The engine generates a packed wrapper for every function, the C
  // interface wrapper included.
  auto fn = engine_->lookupPacked("_mlir_ciface_" + function);
  if (!fn)
    return Status::error("no entry point '" + function +
                         "': " + errorText(fn.takeError()));
  if (threads > 1 && (!pool_ || pool_->size() != threads))
    pool_ = std::make_unique<ThreadPool>(threads);
  return invokeBatched(*fn, function, args, numBatched, resultDType,
                       std::move(resultShape), threads > 1 ? pool_.get() : nullptr);
}

Result<PackedFunction> JitExecutable::lookup(const std::string &function) {
  auto fn = engine_->lookupPacked("_mlir_ciface_" + function);
  if (!fn)
    return Status::error("no entry point '" + function +
                         "': " + errorText(fn.takeError()));
  return *fn;
}
