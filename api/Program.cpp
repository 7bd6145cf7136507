//===- Program.cpp - a model's training functions, compiled, and its state -===//
//
// What every Trainer starts from: the training functions of the train block
// built and compiled for a target, the signatures the runtime reads from
// them, the model state (initializers, then a weights file) and the step.
//
//===----------------------------------------------------------------------===//
#include "api/Batches.h"
#include "api/Session.h"
#include "api/Training.h"

#include "dialect/Manifest.h"
#include "dialect/WeirOps.h"
#include "runtime/Safetensors.h"
#include "runtime/init/Initializers.h"

#include <cstring>
#include <thread>

using namespace mlir;
using namespace weir;

unsigned weir::resolveThreads(unsigned threads) {
  return threads ? threads : std::max(1u, std::thread::hardware_concurrency());
}

namespace {

/// The input and target specs of a function (its Input and Target args).
struct DataSpec {
  DType x, y;
  std::vector<int64_t> exampleShape, targetShape;
};
Result<DataSpec> dataSpecOf(const FunctionSpec &f) {
  DataSpec spec{DType::F32, DType::I32, {}, {}};
  int inputs = 0;
  for (const SlotSpec &a : f.args) {
    if (a.role == Role::Input) {
      ++inputs;
      spec.x = a.dtype;
      spec.exampleShape.assign(a.shape.begin() + 1, a.shape.end());
    } else if (a.role == Role::Target) {
      spec.y = a.dtype;
      spec.targetShape.assign(a.shape.begin() + 1, a.shape.end());
    }
  }
  if (inputs != 1)
    return Status::error("training from arrays needs a model with one input, "
                         "this one has " + std::to_string(inputs));
  return spec;
}
} // namespace

Status weir::copyInto(ParameterMap &to, const std::vector<NamedTensor> &from,
                      const std::string &file) {
  for (const NamedTensor &t : from) {
    auto it = to.find(t.name);
    if (it == to.end())
      continue;
    if (it->second.shape() != t.tensor.shape())
      return Status::error(file + ": tensor '" + t.name + "' has shape " +
                           formatShape(t.tensor.shape()) + ", the model's is " +
                           formatShape(it->second.shape()));
    if (it->second.dtype() != t.tensor.dtype())
      return Status::error(file + ": tensor '" + t.name + "' is " +
                           dtypeName(t.tensor.dtype()) + ", the model's is " +
                           dtypeName(it->second.dtype()));
    std::memcpy(it->second.bytes(), t.tensor.bytes(), t.tensor.byteSize());
  }
  return Status();
}

/// Points `f` at its compiled entry point in `exe`, without the results
/// compilation dropped (updated in place, no longer returned).
static Status bindFunction(const Session &session, JitExecutable &exe,
                           FunctionSpec &f) {
  std::vector<int64_t> dropped = session.droppedResults(f.name);
  for (auto it = dropped.rbegin(); it != dropped.rend(); ++it)
    f.results.erase(f.results.begin() + *it);
  Result<PackedFunction> fn = exe.lookup(f.name);
  if (!fn.ok())
    return fn.status();
  f.fn = *fn;
  return Status();
}

/// Lowers and JIT-compiles the session's module for `target`.
static std::unique_ptr<JitExecutable> compileFor(Session &session,
                                                 const CodeTarget &target) {
  switch (target.kind) {
  case CodeTarget::Kind::Cpu:
    return session.compileForCpu();
  case CodeTarget::Kind::Cuda:
    return session.compileForCuda(target.chip);
  case CodeTarget::Kind::CudaEmulator:
    return session.compileForCudaEmulation();
  }
  return nullptr;
}

/// Compiles the session's training functions and sets up the state: fresh
/// initializers (seeded), then `weights` if given.
Result<std::unique_ptr<TrainingRun>> weir::startTraining(Session &session,
                                                          uint64_t seed,
                                                          const std::string &weights,
                                                          unsigned threads,
                                                          const CodeTarget &target,
                                                          bool keepModel) {
  auto run = std::make_unique<TrainingRun>();
  for (auto p : session.module().getOps<ParameterOp>())
    run->modelParameters.push_back(p.getSymName().str());
  Result<TrainingFunctions> fns = prepareTraining(session);
  if (!fns.ok())
    return fns.status();
  run->config = fns->config;
  // Read before the module is lowered.
  if (auto model = session.module().lookupSymbol<mlir::func::FuncOp>(run->config.model)) {
    auto out = mlir::cast<mlir::RankedTensorType>(model.getResultTypes()[0]);
    if (run->config.loss == LossKind::sparse_categorical_crossentropy)
      run->classes = out.getShape().back();
    if (std::optional<DType> d = dtypeOf(out.getElementType()))
      run->outputDType = *d;
    for (int64_t d : out.getShape())
      run->outputShape.push_back(mlir::ShapedType::isDynamic(d) ? -1 : d);
    for (unsigned i = 1; i < model.getNumArguments(); ++i) {
      SlotAttr slot = getArgSlot(model, i);
      if (!slot || slot.getRole() != SlotRole::param)
        run->singleInput = false;
      else
        run->modelArguments.push_back(slot.getName().str());
    }
  }
  Result<std::vector<NamedTensor>> init = initializeParameters(session, seed);
  if (!init.ok())
    return init.status();
  for (NamedTensor &t : *init)
    run->state.emplace(t.name, std::move(t.tensor));
  if (!weights.empty()) {
    Result<SafetensorsFile> file = readSafetensors(weights);
    if (!file.ok())
      return file.status();
    for (const std::string &name : run->modelParameters)
      if (!file->find(name))
        return Status::error(weights + ": no tensor '" + name + "'");
    if (Status s = copyInto(run->state, file->tensors, weights); !s.ok())
      return s;
  }
  // The host stages of the data pipelines, kept for the pipeline engine.
  mlir::OpBuilder b(&session.context());
  run->pipelines = mlir::ModuleOp::create(b.getUnknownLoc());
  b.setInsertionPointToEnd(run->pipelines->getBody());
  for (auto p : session.module().getOps<PipelineOp>())
    b.clone(*p);
  // Training calls only the functions weir-build-train-step made; the
  // model's own is a tenth of a CNN's code to compile, the probe (needed
  // only when a loss goes non-finite, compileProbe) a fifth. The train
  // block, read into run->config above, is the model's only other user.
  if (!keepModel)
    if (auto probe = session.module().lookupSymbol<mlir::func::FuncOp>(fns->probe.name))
      if (mlir::SymbolTable::symbolKnownUseEmpty(probe, session.module())) {
        probe.erase();
        fns->probe.name.clear();
      }
  if (!keepModel)
    if (auto model = session.module().lookupSymbol<mlir::func::FuncOp>(run->config.model)) {
      auto uses = mlir::SymbolTable::getSymbolUses(model, session.module());
      bool onlyConfig = uses && llvm::all_of(*uses, [](const auto &use) {
        return mlir::isa<TrainConfigOp>(use.getUser());
      });
      if (onlyConfig) {
        llvm::SmallPtrSet<mlir::Operation *, 2> configs;
        for (const auto &use : *uses)
          configs.insert(use.getUser());
        for (mlir::Operation *config : configs)
          config->erase();
        model.erase();
      }
    }
  run->target = target;
  run->executable = compileFor(session, target);
  if (!run->executable)
    return Status::error("compilation failed");
  for (FunctionSpec *f : {&fns->train, &fns->apply, &fns->eval, &fns->probe}) {
    if (f->name.empty())
      continue; // left for compileProbe
    if (Status s = bindFunction(session, *run->executable, *f); !s.ok())
      return s;
  }
  Result<DataSpec> data = dataSpecOf(fns->train);
  if (!data.ok())
    return data.status();
  run->xDType = data->x;
  run->yDType = data->y;
  run->exampleShape = data->exampleShape;
  run->targetShape = data->targetShape;
  Result<std::unique_ptr<TrainStep>> step =
      TrainStep::create(fns->train, fns->apply, fns->eval, &run->state,
                        threads);
  if (!step.ok())
    return step.status();
  run->step = std::move(*step);
  // f16's range needs loss scaling (Keras' LossScaleOptimizer): dynamic
  // unless the train block fixes the scale.
  LossScaling scaling;
  scaling.dynamic = !run->config.lossScale;
  run->step->setLossScaling(scaling);
  run->probe = fns->probe;
  if (run->probe.name.empty())
    run->probe.name = run->config.model + "_probe";
  return run;
}

Status weir::checkLabels(const TrainingRun &run, const ArrayDataset &data,
                         const std::string &path, const std::string &split) {
  if (run.classes <= 0 || data.y.rank() != 1)
    return Status();
  for (int64_t i = 0; i < data.y.shape()[0]; ++i) {
    int64_t label;
    switch (data.y.dtype()) {
    case DType::U8: label = data.y.data<uint8_t>()[i]; break;
    case DType::I8: label = data.y.data<int8_t>()[i]; break;
    case DType::I32: label = data.y.data<int32_t>()[i]; break;
    case DType::I64: label = data.y.data<int64_t>()[i]; break;
    default: return Status();
    }
    if (label < 0 || label >= run.classes)
      return Status::error(path + ": label " + std::to_string(label) +
                           " of " + split + " example " + std::to_string(i) +
                           " is outside [0, " + std::to_string(run.classes) +
                           "), the model's classes");
  }
  return Status();
}

Result<StepMetrics> weir::evaluateAll(TrainStep &step, BatchSource &batches) {
  StepMetrics total;
  double lossSum = 0;
  Status s = forEachBatch(batches, [&](const HostTensor &x,
                                       const HostTensor &y) -> Status {
    Result<StepMetrics> m = step.evaluate(x, y);
    if (!m.ok())
      return m.status();
    lossSum += m->loss * m->examples;
    total.correct += m->correct;
    total.examples += m->examples;
    return Status();
  });
  if (!s.ok())
    return s;
  total.loss = total.examples ? lossSum / total.examples : 0;
  return total;
}

Status weir::compileProbe(TrainingRun &run, const Session &session) {
  if (run.probe.fn)
    return Status();
  std::unique_ptr<Session> again = session.reload();
  if (!again)
    return Status::error("cannot load " + session.name() + " again for the probe");
  Result<TrainingFunctions> fns = prepareTraining(*again);
  if (!fns.ok())
    return fns.status();
  // For the run's target: on CUDA its results are managed buffers, which
  // the compiled-code hooks give back to the device.
  run.probeExecutable = compileFor(*again, run.target);
  if (!run.probeExecutable)
    return Status::error("cannot compile the probe");
  FunctionSpec probe = fns->probe;
  if (Status s = bindFunction(*again, *run.probeExecutable, probe); !s.ok())
    return s;
  run.probe = std::move(probe);
  return Status();
}

static Initializer initializerOf(InitKind kind) {
  switch (kind) {
  case InitKind::glorot_uniform:
    return Initializer::GlorotUniform;
  case InitKind::glorot_normal:
    return Initializer::GlorotNormal;
  case InitKind::he_normal:
    return Initializer::HeNormal;
  case InitKind::he_uniform:
    return Initializer::HeUniform;
  case InitKind::zeros:
    return Initializer::Zeros;
  case InitKind::ones:
    return Initializer::Ones;
  case InitKind::constant:
    return Initializer::Constant;
  }
  return Initializer::Zeros;
}

Result<std::vector<NamedTensor>> weir::initializeParameters(Session &session,
                                                           uint64_t runSeed) {
  std::vector<NamedTensor> tensors;
  for (auto param : session.module().getOps<ParameterOp>()) {
    auto type = cast<RankedTensorType>(param.getType());
    std::optional<DType> dtype = dtypeOf(type.getElementType());
    std::string name = param.getSymName().str();
    if (!dtype || !isFloatDType(*dtype))
      return Status::error("parameter '" + name +
                           "': initializers fill float tensors (f32, f64, "
                           "f16, bf16)");
    Result<HostTensor> t = HostTensor::create(*dtype, type.getShape().vec());
    if (!t.ok())
      return t.status();
    InitializerAttr init = param.getInit();
    uint64_t seed = init.getSeed() ? uint64_t(*init.getSeed())
                                   : deriveSeed(runSeed, name);
    double value = init.getValue() ? init.getValue().getValueAsDouble() : 0.0;
    if (Status s = initialize(*t, initializerOf(init.getKind()), seed, value);
        !s.ok())
      return s.withPrefix("parameter '" + name + "'");
    tensors.push_back({name, std::move(*t)});
  }
  return tensors;
}
