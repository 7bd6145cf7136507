//===- Bench.cpp - `weir bench`: compile time and inference throughput ---===//
//
// Prints one JSON line, so benchmark scripts can compare with peers:
// {"model": ..., "batch": 128, "threads": 2, "compile_s": ...,
//  "samples_per_s": ..., "ms_per_batch": ...}
//
//===----------------------------------------------------------------------===//
#include "runtime/cpu/JitExecutable.h"
#include "tools/weir/Commands.h"

#include "llvm/Support/FormatVariadic.h"

#include <chrono>
#include <random>

using namespace mlir;
using namespace weir;

namespace {
using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

/// Random example data: uniform bytes for integer inputs, N(0, 1) floats.
Result<HostTensor> randomInput(RankedTensorType type, int64_t batch,
                               std::mt19937 &rng) {
  std::optional<DType> dtype = dtypeOf(type.getElementType());
  if (!dtype || (*dtype != DType::U8 && *dtype != DType::F32))
    return Status::error("weir bench makes random u8 and f32 inputs only");
  std::vector<int64_t> shape(type.getShape());
  shape[0] = batch;
  Result<HostTensor> t = HostTensor::create(*dtype, shape);
  if (!t.ok())
    return t;
  if (*dtype == DType::U8) {
    for (int64_t i = 0; i < t->numElements(); ++i)
      t->data<uint8_t>()[i] = uint8_t(rng() & 0xff);
  } else {
    std::normal_distribution<float> normal;
    for (int64_t i = 0; i < t->numElements(); ++i)
      t->data<float>()[i] = normal(rng);
  }
  return t;
}

int fail(const Status &s) {
  llvm::errs() << "weir bench: error: " << s.message() << "\n";
  return 1;
}
} // namespace

int weir::runBench(const BenchOptions &options) {
  Clock::time_point start = Clock::now();
  auto session = Session::load(options.model, options.session);
  if (!session)
    return 1;
  func::FuncOp func = session->entry(options.function);
  if (!func)
    return 1;
  std::string name = func.getSymName().str();
  if (func.getNumResults() != 1)
    return fail(Status::error("weir bench needs a model with one output"));
  auto resultType = cast<RankedTensorType>(func.getResultTypes()[0]);
  std::optional<DType> resultDType = dtypeOf(resultType.getElementType());
  std::vector<EntryParameter> params = session->parametersOf(func);
  std::mt19937 rng(42);
  std::vector<HostTensor> inputs;
  for (Type t : func.getArgumentTypes()) {
    Result<HostTensor> x = randomInput(cast<RankedTensorType>(t), options.batch, rng);
    if (!x.ok())
      return fail(x.status());
    inputs.push_back(std::move(*x));
  }
  Result<std::vector<NamedTensor>> weights = initializeParameters(*session, 1);
  if (!weights.ok())
    return fail(weights.status());

  std::unique_ptr<JitExecutable> exe = session->compileForCpu();
  if (!exe)
    return 1;
  double compileSeconds = since(start);

  std::vector<const HostTensor *> args;
  for (HostTensor &t : inputs)
    args.push_back(&t);
  for (const EntryParameter &p : params)
    for (NamedTensor &w : *weights)
      if (w.name == p.name)
        args.push_back(&w.tensor);
  std::vector<int64_t> resultShape(resultType.getShape());
  resultShape[0] = -1;
  auto runOnce = [&]() {
    return exe->call(name, args, inputs.size(), *resultDType, resultShape,
                        options.threads);
  };
  for (int i = 0; i < 3; ++i)
    if (Result<HostTensor> r = runOnce(); !r.ok())
      return fail(r.status());
  int64_t iterations = 0;
  Clock::time_point t0 = Clock::now();
  while (since(t0) < options.seconds) {
    if (Result<HostTensor> r = runOnce(); !r.ok())
      return fail(r.status());
    ++iterations;
  }
  double elapsed = since(t0);
  double perBatch = elapsed / double(iterations);
  llvm::outs() << llvm::formatv(
      "{{\"model\": \"{0}\", \"batch\": {1}, \"threads\": {2}, "
      "\"compile_s\": {3:F3}, \"samples_per_s\": {4:F1}, "
      "\"ms_per_batch\": {5:F4}}\n",
      name, options.batch, options.threads, compileSeconds,
      double(options.batch) / perBatch, perBatch * 1e3);
  return 0;
}
