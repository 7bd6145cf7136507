//===- Session.cpp - the compiler's entry point: one model and its pipelines -===//
#include "api/Session.h"
#include "dialect/TrainConfig.h"

#include "dialect/WeirOps.h"
#include "frontend/Frontend.h"
#include "passes/Pipelines.h"
#include "passes/Transforms.h"
#include "runtime/cpu/AllocCounter.h"
#include "runtime/device/Device.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/raw_os_ostream.h"

#include <mutex>
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/GPU/GPUToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/NVVM/NVVMToLLVMIRTranslation.h"

using namespace mlir;
using namespace weir;

Session::~Session() = default;

/// A context with every dialect and translation the pipelines use.
static std::unique_ptr<MLIRContext> makeContext(const SessionOptions &options) {
  DialectRegistry registry;
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  // The CUDA target: kernels to PTX (NVVM), and the host code's embedded
  // binaries (gpu.binary and its offloading handler) to an object.
  registerGPUDialectTranslation(registry);
  registerNVVMDialectTranslation(registry);
  gpu::registerOffloadingLLVMTranslationInterfaceExternalModels(registry);
  registry.insert<WeirDialect>();
  auto context = std::make_unique<MLIRContext>(registry);
  context->disableMultithreading(options.printIRAfterAll);
  // Errors point at the user's source line; a dump of the op in generic
  // form would only add noise.
  context->printOpOnDiagnostic(false);
  // The pass registry is global: filled once, even when sessions are made
  // on several threads (weir tune --parallel-trials).
  static std::once_flag registered;
  std::call_once(registered, registerWeirPassesAndPipelines);
  return context;
}

std::unique_ptr<Session> Session::load(const std::string &path,
                                       const SessionOptions &options) {
  std::string error;
  auto file = openInputFile(path, &error);
  if (!file) {
    if (options.diagnostics)
      *options.diagnostics << "weir: " << error << "\n";
    else
      llvm::errs() << "weir: " << error << "\n";
    return nullptr;
  }
  return loadSource(file->getBuffer().str(), path, options);
}

std::unique_ptr<Session> Session::loadSource(const std::string &text,
                                             const std::string &name,
                                             const SessionOptions &options) {
  std::unique_ptr<Session> s(new Session());
  s->options_ = options;
  s->name_ = name;
  s->source_ = text;
  s->context_ = makeContext(options);
  s->sourceMgr_.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBufferCopy(text, name), llvm::SMLoc());
  if (options.diagnostics) {
    auto stream = std::make_unique<llvm::raw_os_ostream>(*options.diagnostics);
    stream->SetUnbuffered();
    s->ownedDiag_ = std::move(stream);
    s->diag_ = s->ownedDiag_.get();
  } else {
    s->diag_ = &llvm::errs();
  }
  s->diagnostics_ = std::make_unique<SourceMgrDiagnosticHandler>(
      s->sourceMgr_, s->context_.get(), *s->diag_);
  if (!s->parseAndVerify())
    return nullptr;
  return s;
}

Session::Probe Session::probeSource(StringRef text) {
  static MLIRContext *context = [] {
    DialectRegistry registry;
    registry.insert<WeirDialect, func::FuncDialect>();
    auto *c = new MLIRContext(registry, MLIRContext::Threading::DISABLED);
    c->loadAllAvailableDialects();
    return c;
  }();
  ScopedDiagnosticHandler swallow(context,
                                  [](Diagnostic &) { return success(); });
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBufferCopy(text, "fuzz.weir"), llvm::SMLoc());
  OwningOpRef<ModuleOp> module = parseWeirSource(sourceMgr, context);
  if (!module)
    return Probe::Rejected;
  if (failed(verify(*module)))
    return Probe::InvalidModule;
  PassManager pm(context);
  buildModelPipeline(pm, ModelPipelineOptions());
  (void)pm.run(*module);
  std::string printed;
  llvm::raw_string_ostream os(printed);
  module->print(os);
  return Probe::Accepted;
}

std::unique_ptr<Session> Session::reload() const {
  return loadSource(source_, name_, options_);
}

bool Session::parseAndVerify() {
  space_ = SearchSpace();
  module_ = StringRef(name_).ends_with(".weir")
                ? parseWeirSource(sourceMgr_, context_.get(),
                                  &options_.hyperparameters, &space_)
                : parseSourceFile<ModuleOp>(sourceMgr_, context_.get());
  if (!module_)
    return false;
  ModelPipelineOptions modelOptions;
  modelOptions.warnUnusedParameters = options_.warnUnusedParameters;
  return succeeded(runPasses(
      [&](OpPassManager &pm) { buildModelPipeline(pm, modelOptions); }));
}

LogicalResult
Session::runPasses(llvm::function_ref<void(OpPassManager &)> build) {
  PassManager pm(context_.get());
  if (options_.printIRAfterAll)
    pm.enableIRPrinting(
        /*shouldPrintBeforePass=*/[](Pass *, Operation *) { return false; },
        /*shouldPrintAfterPass=*/[](Pass *, Operation *) { return true; },
        /*printModuleScope=*/true, /*printAfterOnlyOnChange=*/false,
        /*printAfterOnlyOnFailure=*/false, llvm::outs(),
        mlir::OpPrintingFlags().enableDebugInfo(options_.printLocations));
  if (options_.timing)
    pm.enableTiming();
  build(pm);
  return pm.run(*module_);
}

std::vector<int64_t>
Session::droppedResults(const std::string &function) const {
  auto it = droppedResults_.find(function);
  return it == droppedResults_.end() ? std::vector<int64_t>{} : it->second;
}

LogicalResult Session::buildTraining() {
  if (stage_ == Stage::Training)
    return success();
  if (stage_ == Stage::Lowered) {
    diag() << "weir: the training step is built before lowering; this "
                    "module is already lowered\n";
    return failure();
  }
  TrainConfigOp config = findTrainConfig(*module_);
  if (!config) {
    diag() << "weir: the model file has no `train` block (loss, "
                    "optimizer, epochs); see docs/language.md\n";
    return failure();
  }
  if (failed(applyPrecisionOption(config)))
    return failure();
  if (failed(runPasses(buildTrainStepPipeline)))
    return failure();
  stage_ = Stage::Training;
  return success();
}

LogicalResult Session::applyPrecisionOption(TrainConfigOp config) {
  if (options_.precision.empty())
    return success();
  std::optional<PrecisionKind> kind = symbolizePrecisionKind(options_.precision);
  if (!kind) {
    diag() << "weir: unknown precision '" << options_.precision
                 << "' (expected one of " << llvm::join(precisionNames(), ", ")
                 << ")\n";
    return failure();
  }
  if (config)
    config.setPrecisionAttr(PrecisionKindAttr::get(context_.get(), *kind));
  return success();
}

LogicalResult Session::lowerToLinalg() {
  if (stage_ == Stage::Lowered) {
    diag() << "weir: this module is already lowered\n";
    return failure();
  }
  // Inference alone: the functions get the policy here (the training
  // pipeline gives it to every function, the model's included).
  if (stage_ != Stage::Training) {
    TrainConfigOp config = findTrainConfig(*module_);
    if (failed(applyPrecisionOption(config)))
      return failure();
    std::string policy = options_.precision;
    if (policy.empty() && config)
      policy = stringifyPrecisionKind(getTrainingConfig(config).precision).str();
    if (!policy.empty() && policy != "float32" &&
        failed(autoMixedPrecision(*module_, policy)))
      return failure();
  }
  stage_ = Stage::Lowered;
  return runPasses(buildToLinalgPipeline);
}

std::unique_ptr<JitExecutable> Session::compileForCpu() {
  if (failed(lowerToLinalg()) || failed(runPasses(buildCpuLoweringPipeline)))
    return nullptr;
  if (auto dropped = (*module_)->getAttrOfType<DictionaryAttr>(
          WeirDialect::DroppedResultsAttrHelper::getNameStr()))
    for (NamedAttribute entry : dropped)
      if (auto indices = dyn_cast<DenseI64ArrayAttr>(entry.getValue()))
        droppedResults_[entry.getName().str()] = indices.asArrayRef().vec();
  // Compiled code's malloc and free are counted (runtime/cpu/AllocCounter.h).
  return jit(countingAllocatorSymbols());
}

std::unique_ptr<JitExecutable>
Session::compileForCuda(const std::string &chip) {
  CudaPipelineOptions cuda;
  cuda.chips = ArrayRef<std::string>{chip};
  cuda.format = "bin";
  if (failed(lowerToLinalg()) || failed(runPasses([&](OpPassManager &pm) {
        buildCudaLoweringPipeline(pm, cuda);
      })))
    return nullptr;
  return jit(device::compiledCodeSymbols());
}

std::unique_ptr<JitExecutable> Session::compileForCudaEmulation() {
  CudaPipelineOptions cuda;
  if (failed(lowerToLinalg()) || failed(runPasses([&](OpPassManager &pm) {
        buildCudaEmulationPipeline(pm, cuda);
      })))
    return nullptr;
  return jit(device::compiledCodeSymbols());
}

std::unique_ptr<JitExecutable>
Session::jit(const std::vector<std::pair<std::string, void *>> &symbols) {
  dropWeirAnnotations(*module_);
  Result<std::unique_ptr<JitExecutable>> exe =
      JitExecutable::create(*module_, symbols);
  if (!exe.ok()) {
    diag() << "weir: error: " << exe.status().message() << "\n";
    return nullptr;
  }
  return std::move(*exe);
}

func::FuncOp Session::entry(const std::string &name) {
  for (auto func : module_->getOps<func::FuncOp>())
    if (!func.isExternal() && (name.empty() || func.getSymName() == name))
      return func;
  if (name.empty())
    diag() << "weir: the model file defines no model function\n";
  else
    diag() << "weir: the model file has no model named '" << name
                 << "'\n";
  return nullptr;
}

std::vector<EntryParameter> Session::parametersOf(func::FuncOp func) {
  llvm::DenseSet<StringAttr> read;
  func.walk([&](LoadParamOp op) { read.insert(op.getParamAttr().getAttr()); });
  std::vector<EntryParameter> params;
  for (auto param : module_->getOps<ParameterOp>())
    if (read.contains(param.getSymNameAttr()))
      params.push_back(
          {param.getSymName().str(), cast<RankedTensorType>(param.getType())});
  return params;
}

std::optional<DType> weir::dtypeOf(Type t) {
  if (t.isF32())
    return DType::F32;
  if (t.isF64())
    return DType::F64;
  if (t.isF16())
    return DType::F16;
  if (t.isBF16())
    return DType::BF16;
  if (auto i = dyn_cast<IntegerType>(t)) {
    switch (i.getWidth()) {
    case 1:
      return DType::Bool;
    case 8:
      return i.isUnsigned() ? DType::U8 : DType::I8;
    case 32:
      return i.isUnsigned() ? std::nullopt : std::optional(DType::I32);
    case 64:
      return i.isUnsigned() ? std::nullopt : std::optional(DType::I64);
    }
  }
  return std::nullopt;
}

static Result<TensorSpec> specOf(Type type, const std::string &name) {
  auto t = dyn_cast<RankedTensorType>(type);
  std::optional<DType> dtype = t ? dtypeOf(t.getElementType()) : std::nullopt;
  if (!dtype) {
    std::string s;
    llvm::raw_string_ostream os(s);
    os << type;
    return Status::error("type " + s + " has no runtime dtype");
  }
  TensorSpec spec;
  spec.name = name;
  spec.dtype = *dtype;
  for (int64_t d : t.getShape())
    spec.shape.push_back(ShapedType::isDynamic(d) ? -1 : d);
  return spec;
}

Result<ModelManifest> Session::manifestOf(func::FuncOp func) {
  ModelManifest m;
  m.function = func.getSymName().str();
  if (func.getNumResults() != 1)
    return Status::error("model '" + m.function + "' has " +
                         std::to_string(func.getNumResults()) +
                         " outputs; one is supported");
  for (Type t : func.getArgumentTypes()) {
    Result<TensorSpec> s = specOf(t, "");
    if (!s.ok())
      return s.status();
    m.inputs.push_back(*s);
  }
  for (const EntryParameter &p : parametersOf(func)) {
    Result<TensorSpec> s = specOf(p.type, p.name);
    if (!s.ok())
      return s.status();
    m.parameters.push_back(*s);
  }
  Result<TensorSpec> out = specOf(func.getResultTypes()[0], "");
  if (!out.ok())
    return out.status();
  m.output = *out;
  return m;
}
