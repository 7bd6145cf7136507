//===- Inference.cpp - a model's forward pass on inputs, and its speed ---===//
#include "api/Inference.h"
#include "api/Session.h"
#include "api/Training.h"

#include "runtime/Npy.h"
#include "runtime/Safetensors.h"
#include "runtime/cpu/AotLibrary.h"
#include "runtime/cpu/JitExecutable.h"

#include <chrono>
#include <random>

using namespace mlir;
using namespace weir;

static std::string describeSpec(const TensorSpec &spec) {
  std::string s = std::string(dtypeName(spec.dtype)) + "[";
  for (size_t i = 0; i < spec.shape.size(); ++i)
    s += (i ? ", " : "") +
         (spec.shape[i] < 0 ? std::string("batch") : std::to_string(spec.shape[i]));
  return s + "]";
}

/// Checks `tensor` against `spec`, where -1 is the batch.
static Status checkTensor(const HostTensor &tensor, const TensorSpec &spec,
                          const std::string &what) {
  bool ok = tensor.dtype() == spec.dtype &&
            tensor.rank() == int64_t(spec.shape.size());
  for (size_t i = 0; ok && i < spec.shape.size(); ++i)
    ok = spec.shape[i] < 0 || tensor.shape()[i] == spec.shape[i];
  if (!ok)
    return Status::error(what + " is " + tensor.describe() +
                         ", the model needs " + describeSpec(spec));
  return Status::success();
}

/// Reads and checks the inputs and the weights the manifest names.
static Status loadArguments(const InferenceRequest &options, const ModelManifest &m,
                            std::vector<HostTensor> &inputs,
                            SafetensorsFile &weights,
                            std::vector<const HostTensor *> &args) {
  if (options.inputs.size() != m.inputs.size())
    return Status::error("model '" + m.function + "' takes " +
                         std::to_string(m.inputs.size()) + " input(s), " +
                         std::to_string(options.inputs.size()) +
                         " given with --input");
  int64_t batch = -1;
  for (auto [i, path] : llvm::enumerate(options.inputs)) {
    Result<HostTensor> t = readNpy(path);
    if (!t.ok())
      return t.status();
    std::string what = "input #" + std::to_string(i) + " ('" + path + "')";
    if (Status s = checkTensor(*t, m.inputs[i], what); !s.ok())
      return s;
    if (Status s = checkFinite(*t, what); !s.ok())
      return s;
    if (batch >= 0 && t->shape()[0] != batch)
      return Status::error(what + " has batch " +
                           std::to_string(t->shape()[0]) +
                           ", the other inputs " + std::to_string(batch));
    batch = t->shape()[0];
    inputs.push_back(std::move(*t));
  }
  Result<SafetensorsFile> file = readSafetensors(options.weights);
  if (!file.ok())
    return file.status();
  weights = std::move(*file);
  for (HostTensor &t : inputs)
    args.push_back(&t);
  for (const TensorSpec &p : m.parameters) {
    const HostTensor *t = weights.find(p.name);
    if (!t)
      return Status::error("weights '" + options.weights +
                           "' have no tensor '" + p.name +
                           "' (the model needs " + describeSpec(p) + ")");
    std::string what = "weight '" + p.name + "' in '" + options.weights + "'";
    if (Status s = checkTensor(*t, p, what); !s.ok())
      return s;
    if (Status s = checkFinite(*t, what); !s.ok())
      return s;
    args.push_back(t);
  }
  return Status::success();
}

Result<HostTensor> weir::runInference(const InferenceRequest &request) {
  std::vector<HostTensor> inputs;
  SafetensorsFile weights;
  std::vector<const HostTensor *> args;
  unsigned threads = resolveThreads(request.threads);
  if (StringRef(request.model).ends_with(".so")) {
    Result<std::unique_ptr<AotLibrary>> lib = AotLibrary::load(request.model);
    if (!lib.ok())
      return lib.status();
    if (Status s = loadArguments(request, (*lib)->manifest(), inputs, weights,
                                 args);
        !s.ok())
      return s;
    return (*lib)->call(args, threads);
  }
  auto session = Session::load(request.model, request.session);
  if (!session)
    return Status::error("cannot load " + request.model);
  func::FuncOp func = session->entry(request.function);
  if (!func)
    return Status::error("no model function to run");
  Result<ModelManifest> manifest = session->manifestOf(func);
  if (!manifest.ok())
    return manifest.status();
  if (Status s = loadArguments(request, *manifest, inputs, weights, args);
      !s.ok())
    return s;
  std::unique_ptr<JitExecutable> exe = session->compileForCpu();
  if (!exe)
    return Status::error("cannot compile " + request.model);
  return exe->call(manifest->function, args, inputs.size(),
                   manifest->output.dtype, manifest->output.shape, threads);
}

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

} // namespace

Result<BenchResult> weir::benchInference(Session &session,
                                         const std::string &function,
                                         int64_t batch, unsigned threads,
                                         double seconds, double loadSeconds) {
  Clock::time_point start = Clock::now();
  threads = resolveThreads(threads);
  func::FuncOp func = session.entry(function);
  if (!func)
    return Status::error("no model function to measure");
  std::string name = func.getSymName().str();
  if (func.getNumResults() != 1)
    return Status::error("weir bench needs a model with one output");
  auto resultType = cast<RankedTensorType>(func.getResultTypes()[0]);
  std::optional<DType> resultDType = dtypeOf(resultType.getElementType());
  std::vector<EntryParameter> params = session.parametersOf(func);
  std::mt19937 rng(42);
  std::vector<HostTensor> inputs;
  for (Type t : func.getArgumentTypes()) {
    Result<HostTensor> x = randomInput(cast<RankedTensorType>(t), batch, rng);
    if (!x.ok())
      return x.status();
    inputs.push_back(std::move(*x));
  }
  Result<std::vector<NamedTensor>> weights = initializeParameters(session, 1);
  if (!weights.ok())
    return weights.status();

  std::unique_ptr<JitExecutable> exe = session.compileForCpu();
  if (!exe)
    return Status::error("cannot compile the model");
  double compileSeconds = loadSeconds + since(start);

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
                        threads);
  };
  for (int i = 0; i < 3; ++i)
    if (Result<HostTensor> r = runOnce(); !r.ok())
      return r.status();
  int64_t iterations = 0;
  Clock::time_point t0 = Clock::now();
  while (since(t0) < seconds) {
    if (Result<HostTensor> r = runOnce(); !r.ok())
      return r.status();
    ++iterations;
  }
  double elapsed = since(t0);
  double perBatch = elapsed / double(iterations);
  BenchResult result;
  result.model = name;
  result.compileSeconds = compileSeconds;
  result.samplesPerSecond = double(batch) / perBatch;
  result.msPerBatch = perBatch * 1e3;
  return result;
}
