//===- Run.cpp - `weir run`: inference on the CPU -------------------------===//
//
// Loads weights and inputs, checks them against the model's signature (each
// mismatch names the tensor and says expected versus actual), compiles the
// model for the CPU, runs it and writes the output.
//
//===----------------------------------------------------------------------===//
#include "passes/Pipelines.h"
#include "passes/Transforms.h"
#include "runtime/Npy.h"
#include "runtime/Safetensors.h"
#include "runtime/cpu/JitExecutable.h"
#include "tools/weir/Commands.h"

using namespace mlir;
using namespace weir;

static std::string describeType(RankedTensorType type, bool batched) {
  std::string s;
  llvm::raw_string_ostream os(s);
  std::optional<DType> dtype = dtypeOf(type.getElementType());
  os << (dtype ? dtypeName(*dtype) : "?") << "[";
  for (int64_t i = 0; i < type.getRank(); ++i) {
    if (i)
      os << ", ";
    if (batched && i == 0 && type.isDynamicDim(0))
      os << "batch";
    else
      os << type.getDimSize(i);
  }
  return s + "]";
}

/// Checks `tensor` against `type`, where a dynamic dimension 0 is the batch.
static Status checkTensor(const HostTensor &tensor, RankedTensorType type,
                          const std::string &what) {
  std::optional<DType> dtype = dtypeOf(type.getElementType());
  bool shapeOk = tensor.rank() == type.getRank();
  for (int64_t i = 0; shapeOk && i < type.getRank(); ++i)
    shapeOk = type.isDynamicDim(i) || tensor.shape()[i] == type.getDimSize(i);
  if (!dtype || *dtype != tensor.dtype() || !shapeOk)
    return Status::error(what + " is " + tensor.describe() + ", the model needs " +
                         describeType(type, /*batched=*/true));
  return Status::success();
}

static int fail(const Status &status) {
  llvm::errs() << "weir run: error: " << status.message() << "\n";
  return 1;
}

int weir::runRun(const RunOptions &options) {
  auto session = Session::load(options.model, options.session);
  if (!session)
    return 1;
  func::FuncOp func = session->entry(options.function);
  if (!func)
    return 1;
  std::string name = func.getSymName().str();
  if (func.getNumResults() != 1)
    return fail(Status::error("model '" + name + "' has " +
                              std::to_string(func.getNumResults()) +
                              " outputs; weir run supports one"));
  if (options.inputs.size() != func.getNumArguments())
    return fail(Status::error(
        "model '" + name + "' takes " + std::to_string(func.getNumArguments()) +
        " input(s), " + std::to_string(options.inputs.size()) + " given with --input"));

  // Inputs, in argument order.
  std::vector<HostTensor> inputs;
  int64_t batch = -1;
  for (auto [i, path] : llvm::enumerate(options.inputs)) {
    Result<HostTensor> t = readNpy(path);
    if (!t.ok())
      return fail(t.status());
    auto type = cast<RankedTensorType>(func.getArgumentTypes()[i]);
    std::string what = "input #" + std::to_string(i) + " ('" + path + "')";
    if (Status s = checkTensor(*t, type, what); !s.ok())
      return fail(s);
    if (Status s = checkFinite(*t, what); !s.ok())
      return fail(s);
    if (batch >= 0 && t->shape()[0] != batch)
      return fail(Status::error(what + " has batch " +
                                std::to_string(t->shape()[0]) +
                                ", the other inputs " + std::to_string(batch)));
    batch = t->shape()[0];
    inputs.push_back(std::move(*t));
  }

  // Weights, bound by name.
  Result<SafetensorsFile> weights = readSafetensors(options.weights);
  if (!weights.ok())
    return fail(weights.status());
  std::vector<EntryParameter> params = session->parametersOf(func);
  std::vector<const HostTensor *> args;
  for (HostTensor &t : inputs)
    args.push_back(&t);
  for (const EntryParameter &p : params) {
    const HostTensor *t = weights->find(p.name);
    if (!t)
      return fail(Status::error("weights '" + options.weights +
                                "' have no tensor '" + p.name +
                                "' (the model needs " +
                                describeType(p.type, false) + ")"));
    std::string what = "weight '" + p.name + "' in '" + options.weights + "'";
    if (Status s = checkTensor(*t, p.type, what); !s.ok())
      return fail(s);
    if (Status s = checkFinite(*t, what); !s.ok())
      return fail(s);
    args.push_back(t);
  }

  auto resultType = cast<RankedTensorType>(func.getResultTypes()[0]);
  std::optional<DType> resultDType = dtypeOf(resultType.getElementType());
  if (!resultDType)
    return fail(Status::error("the model's output type is not supported"));

  if (failed(session->runPasses([](OpPassManager &pm) {
        buildToLinalgPipeline(pm);
        buildCpuLoweringPipeline(pm);
      })))
    return 1;
  dropWeirAnnotations(session->module());
  Result<std::unique_ptr<JitExecutable>> exe =
      JitExecutable::create(session->module());
  if (!exe.ok())
    return fail(exe.status());
  std::vector<int64_t> resultShape(resultType.getShape());
  if (resultType.isDynamicDim(0))
    resultShape[0] = -1;
  Result<HostTensor> out = (*exe)->call(name, args, inputs.size(), *resultDType,
                                        resultShape, options.threads);
  if (!out.ok())
    return fail(out.status());
  if (Status s = writeNpy(options.output, *out); !s.ok())
    return fail(s);
  return 0;
}
