//===- JitExecutable.cpp - run LLVM-dialect modules through the MLIR JIT -===//
#include "runtime/cpu/JitExecutable.h"

#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/Support/TargetSelect.h"

#include <cstdlib>
#include <cstring>

using namespace weir;

namespace {
/// A memref descriptor of any rank, laid out as the C interface expects:
/// allocated pointer, aligned pointer, offset, sizes[rank], strides[rank].
struct Descriptor {
  std::vector<int64_t> words;
  explicit Descriptor(int64_t rank) : words(3 + 2 * rank, 0) {}
  static Descriptor of(const HostTensor &t) {
    Descriptor d(t.rank());
    void *p = const_cast<void *>(t.rawData());
    std::memcpy(&d.words[0], &p, sizeof(void *));
    std::memcpy(&d.words[1], &p, sizeof(void *));
    int64_t stride = 1;
    for (int64_t i = t.rank() - 1; i >= 0; --i) {
      d.words[3 + i] = t.shape()[i];
      d.words[3 + t.rank() + i] = stride;
      stride *= t.shape()[i];
    }
    return d;
  }
  void *allocated() const {
    void *p;
    std::memcpy(&p, &words[0], sizeof(void *));
    return p;
  }
  void *aligned() const {
    void *p;
    std::memcpy(&p, &words[1], sizeof(void *));
    return p;
  }
};

std::string errorText(llvm::Error error) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << error;
  return text;
}
} // namespace

JitExecutable::JitExecutable(std::unique_ptr<mlir::ExecutionEngine> engine)
    : engine_(std::move(engine)) {}
JitExecutable::~JitExecutable() = default;

Result<std::unique_ptr<JitExecutable>>
JitExecutable::create(mlir::ModuleOp llvmModule) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  auto builder = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!builder)
    return Status::error("cannot target this CPU: " +
                         errorText(builder.takeError()));
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
  return std::unique_ptr<JitExecutable>(new JitExecutable(std::move(*engine)));
}

Result<HostTensor> JitExecutable::call(const std::string &function,
                                       const std::vector<const HostTensor *> &args,
                                       DType resultDType, int64_t resultRank) {
  Descriptor result(resultRank);
  std::vector<Descriptor> descriptors;
  descriptors.reserve(args.size());
  for (const HostTensor *t : args)
    descriptors.push_back(Descriptor::of(*t));
  // The packed wrapper takes a pointer to each argument; the C interface
  // takes each memref (and the result) by pointer.
  std::vector<void *> pointers;
  pointers.push_back(result.words.data());
  for (Descriptor &d : descriptors)
    pointers.push_back(d.words.data());
  std::vector<void *> packed;
  for (void *&p : pointers)
    packed.push_back(&p);
  if (llvm::Error error =
          engine_->invokePacked("_mlir_ciface_" + function, packed))
    return Status::error("cannot call '" + function + "': " +
                         errorText(std::move(error)));

  std::vector<int64_t> shape(result.words.begin() + 3,
                             result.words.begin() + 3 + resultRank);
  Result<HostTensor> out = HostTensor::create(resultDType, shape);
  if (out.ok()) {
    // The compiled code returns a dense, freshly malloc'ed buffer it gives
    // to the caller.
    auto *src = static_cast<const uint8_t *>(result.aligned()) +
                result.words[2] * dtypeSize(resultDType);
    std::memcpy(out->rawData(), src, out->byteSize());
  }
  std::free(result.allocated());
  return out;
}
