//===- JitExecutable.cpp - run LLVM-dialect modules through the MLIR JIT -===//
#include "runtime/cpu/JitExecutable.h"

#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/Support/TargetSelect.h"

#include <cstdlib>
#include <cstring>
#include <thread>

using namespace weir;

namespace {
/// A memref descriptor of any rank, laid out as the C interface expects:
/// allocated pointer, aligned pointer, offset, sizes[rank], strides[rank].
struct Descriptor {
  std::vector<int64_t> words;
  explicit Descriptor(int64_t rank) : words(3 + 2 * rank, 0) {}

  /// A view of rows [begin, end) of the row-major tensor `t`.
  static Descriptor rows(const HostTensor &t, int64_t begin, int64_t end) {
    Descriptor d(t.rank());
    size_t rowBytes = t.rank() && t.shape()[0] ? t.byteSize() / t.shape()[0] : 0;
    void *p = const_cast<uint8_t *>(t.bytes()) + begin * rowBytes;
    std::memcpy(&d.words[0], &p, sizeof(void *));
    std::memcpy(&d.words[1], &p, sizeof(void *));
    int64_t stride = 1;
    for (int64_t i = t.rank() - 1; i >= 0; --i) {
      d.words[3 + i] = i == 0 ? end - begin : t.shape()[i];
      d.words[3 + t.rank() + i] = stride;
      stride *= t.shape()[i];
    }
    return d;
  }
  static Descriptor whole(const HostTensor &t) {
    return rows(t, 0, t.rank() ? t.shape()[0] : 0);
  }
  void *pointer(int i) const {
    void *p;
    std::memcpy(&p, &words[i], sizeof(void *));
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

Status JitExecutable::callRows(const std::string &function,
                               const std::vector<const HostTensor *> &args,
                               size_t numBatched, int64_t begin, int64_t end,
                               HostTensor &out) {
  Descriptor result(out.rank());
  std::vector<Descriptor> descriptors;
  for (size_t i = 0; i < args.size(); ++i)
    descriptors.push_back(i < numBatched
                              ? Descriptor::rows(*args[i], begin, end)
                              : Descriptor::whole(*args[i]));
  // The packed wrapper takes a pointer to each argument; the C interface
  // takes the result and each memref by pointer.
  std::vector<void *> pointers{result.words.data()};
  for (Descriptor &d : descriptors)
    pointers.push_back(d.words.data());
  std::vector<void *> packed;
  for (void *&p : pointers)
    packed.push_back(&p);
  if (llvm::Error error =
          engine_->invokePacked("_mlir_ciface_" + function, packed))
    return Status::error("cannot call '" + function + "': " +
                         errorText(std::move(error)));

  // The compiled code returns a dense buffer from malloc that the caller
  // owns.
  Status status;
  for (int64_t i = 0; i < out.rank(); ++i) {
    int64_t expected = i == 0 ? end - begin : out.shape()[i];
    if (result.words[3 + i] != expected)
      status = Status::error("'" + function + "' returned dimension " +
                             std::to_string(i) + " of size " +
                             std::to_string(result.words[3 + i]) +
                             ", expected " + std::to_string(expected));
  }
  if (status.ok()) {
    size_t rowBytes = out.shape()[0] ? out.byteSize() / out.shape()[0] : 0;
    auto *src = static_cast<const uint8_t *>(result.pointer(1)) +
                result.words[2] * out.elementSize();
    std::memcpy(out.bytes() + begin * rowBytes, src, (end - begin) * rowBytes);
  }
  std::free(result.pointer(0));
  return status;
}

Result<HostTensor> JitExecutable::call(const std::string &function,
                                       const std::vector<const HostTensor *> &args,
                                       size_t numBatched, DType resultDType,
                                       std::vector<int64_t> resultShape,
                                       unsigned threads) {
  int64_t batch = 1;
  if (!resultShape.empty() && resultShape[0] < 0) {
    if (numBatched == 0 || args.empty() || args[0]->rank() == 0)
      return Status::error("'" + function + "' has a batched result but no "
                           "batched argument");
    batch = args[0]->shape()[0];
    resultShape[0] = batch;
  }
  // Unbatched results (rank 0, or a static dimension 0) come from one call.
  if (resultShape.empty() || numBatched == 0)
    threads = 1;
  Result<HostTensor> out = HostTensor::create(resultDType, resultShape);
  if (!out.ok())
    return out.status();
  int64_t rows = resultShape.empty() ? 1 : resultShape[0];
  threads = std::max(1u, std::min<unsigned>(threads, unsigned(std::max<int64_t>(rows, 1))));
  if (resultShape.empty()) {
    // A scalar result: a whole-batch call with a rank-0 output view.
    return Status::error("'" + function + "' returns a scalar; weir run "
                         "expects a batched tensor");
  }
  std::vector<Status> statuses(threads);
  std::vector<std::thread> workers;
  for (unsigned t = 1; t < threads; ++t)
    workers.emplace_back([&, t] {
      statuses[t] = callRows(function, args, numBatched, rows * t / threads,
                             rows * (t + 1) / threads, *out);
    });
  statuses[0] = callRows(function, args, numBatched, 0, rows / threads, *out);
  for (std::thread &w : workers)
    w.join();
  for (Status &s : statuses)
    if (!s.ok())
      return s;
  return out;
}
