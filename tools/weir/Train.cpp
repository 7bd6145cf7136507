//===- Train.cpp - `weir train`: epochs over in-memory arrays ------------===//
//
// Compiles the training functions, initializes (or loads, or resumes) the
// model state, and runs the epochs: batches in a seeded order, one
// data-parallel step per batch, a validation pass, the Keras-style summary
// line, early stopping, and an atomic checkpoint at the end of each epoch.
//
//===----------------------------------------------------------------------===//
#include "dialect/WeirOps.h"
#include "runtime/Safetensors.h"
#include "runtime/device/Device.h"
#include "runtime/init/Initializers.h"
#include "runtime/train/Batcher.h"
#include "runtime/train/Checkpoint.h"
#include "runtime/train/Dataset.h"
#include "runtime/train/EarlyStopping.h"
#include "runtime/train/Progress.h"
#include "tools/weir/Batches.h"
#include "tools/weir/Commands.h"
#include "tools/weir/Training.h"

#include "llvm/Support/Format.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <unistd.h>

using namespace weir;

namespace {
using Clock = std::chrono::steady_clock;

int fail(const std::string &command, const Status &s) {
  llvm::errs() << "weir " << command << ": error: " << s.message() << "\n";
  return 1;
}

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

EarlyStoppingOptions earlyStoppingOptions(const EarlyStoppingConfig &c) {
  EarlyStoppingOptions o;
  o.monitor = c.monitor;
  o.patience = c.patience;
  o.minDelta = c.minDelta;
  o.restoreBestWeights = c.restoreBestWeights;
  return o;
}

/// The model's own parameters (not optimizer state), for the weights file.
std::vector<NamedTensorRef> modelWeights(const ParameterMap &state,
                                         const std::vector<std::string> &names) {
  std::vector<NamedTensorRef> refs;
  for (const std::string &n : names)
    refs.push_back({n, &state.at(n)});
  return refs;
}

std::string defaultOutput(const std::string &model) {
  std::string base = model;
  if (size_t slash = base.find_last_of('/'); slash != std::string::npos)
    base = base.substr(slash + 1);
  if (size_t dot = base.find_last_of('.'); dot != std::string::npos)
    base = base.substr(0, dot);
  return base + ".weights.safetensors";
}

/// Copies `from` over the tensors of `to` with the same names.
Status copyInto(ParameterMap &to, const std::vector<NamedTensor> &from,
                const std::string &prefix, const std::string &file) {
  for (const NamedTensor &t : from) {
    if (t.name.compare(0, prefix.size(), prefix) != 0)
      continue;
    std::string name = t.name.substr(prefix.size());
    auto it = to.find(name);
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
} // namespace

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
    if (run->config.loss == "sparse_categorical_crossentropy")
      run->classes = out.getShape().back();
    if (std::optional<DType> d = dtypeOf(out.getElementType()))
      run->outputDType = *d;
    for (int64_t d : out.getShape())
      run->outputShape.push_back(mlir::ShapedType::isDynamic(d) ? -1 : d);
    for (unsigned i = 1; i < model.getNumArguments(); ++i) {
      auto name = model.getArgAttrOfType<mlir::StringAttr>(i, "weir.param");
      if (!name)
        run->singleInput = false;
      else
        run->modelArguments.push_back(name.str());
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
    if (Status s = copyInto(run->state, file->tensors, "", weights); !s.ok())
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
  if (Status st = batches.startEpoch(0); !st.ok())
    return st;
  while (true) {
    const HostTensor *x = nullptr, *y = nullptr;
    Result<bool> got = batches.next(x, y);
    if (!got.ok())
      return got.status();
    if (!*got)
      break;
    Result<StepMetrics> m = step.evaluate(*x, *y);
    if (!m.ok())
      return m.status();
    lossSum += m->loss * m->examples;
    total.correct += m->correct;
    total.examples += m->examples;
  }
  total.loss = total.examples ? lossSum / total.examples : 0;
  return total;
}

Status weir::compileProbe(TrainingRun &run, const std::string &model,
                          const SessionOptions &options) {
  if (run.probe.fn)
    return Status();
  auto session = Session::load(model, options);
  if (!session)
    return Status::error("cannot load " + model + " again for the probe");
  Result<TrainingFunctions> fns = prepareTraining(*session);
  if (!fns.ok())
    return fns.status();
  // For the run's target: on CUDA its results are managed buffers, which
  // the compiled-code hooks give back to the device.
  run.probeExecutable = compileFor(*session, run.target);
  if (!run.probeExecutable)
    return Status::error("cannot compile the probe");
  FunctionSpec probe = fns->probe;
  if (Status s = bindFunction(*session, *run.probeExecutable, probe); !s.ok())
    return s;
  run.probe = std::move(probe);
  return Status();
}

/// Opens the CUDA device and makes it the home of everything compiled code
/// touches: tensors are managed memory from now on (the host fills
/// batches and reads results in place, kernels use the same addresses),
/// buffers the code returns go back to the device, and every call waits
/// for the device before its results are read. Returns the device's chip.
Result<std::string> weir::useCudaForCompiledCode() {
  Result<std::unique_ptr<device::Device>> opened = device::openCudaDevice();
  if (!opened.ok())
    return opened.status();
  device::Device *gpu = device::installDevice(std::move(*opened));
  void (*release)(void *) = [](void *p) {
    if (device::Device *d = device::currentDevice())
      (void)d->deallocate(p);
  };
  setTensorMemory({[](size_t bytes) -> void * {
                     Result<void *> p =
                         device::currentDevice()->allocateManaged(bytes);
                     return p.ok() ? *p : nullptr;
                   },
                   release});
  setCompiledCodeHooks({release,
                        []() -> Status {
                          return device::currentDevice()->synchronize(nullptr);
                        }});
  return gpu->chip();
}

Result<CodeTarget> weir::resolveCodeTarget(const std::string &device,
                                           const char *command,
                                           unsigned &threads) {
  CodeTarget target;
  if (device == "cuda-emulator") {
    target.kind = CodeTarget::Kind::CudaEmulator;
    threads = 1; // one replica, as on the GPU
    llvm::errs() << "weir: " << command
                 << " with the CUDA target's program emulated on the CPU "
                    "(kernels as loops, library calls on the CPU)\n";
    return target;
  }
  Result<device::DeviceDecision> decision =
      device::resolveDeviceFlag(device, command);
  if (!decision.ok())
    return decision.status();
  if (!decision->notice.empty())
    llvm::errs() << "weir: " << decision->notice << "\n";
  if (decision->resolved != device::DeviceChoice::Cuda)
    return target;
  Result<std::string> chip = useCudaForCompiledCode();
  if (!chip.ok())
    return chip.status();
  target.kind = CodeTarget::Kind::Cuda;
  target.chip = *chip;
  threads = 1; // one replica: the GPU runs the whole batch
  llvm::errs() << "weir: " << command << " on " << decision->cudaName << " ("
               << target.chip << ")\n";
  return target;
}

int weir::runTrain(const TrainOptions &options) {
  unsigned threads = options.threads;
  Result<CodeTarget> target =
      resolveCodeTarget(options.device, "training", threads);
  if (!target.ok()) {
    llvm::errs() << "weir: " << target.status().message() << "\n";
    return 1;
  }
  auto session = Session::load(options.model, options.session);
  if (!session)
    return 1;
  uint64_t seed = options.seed;
  Result<std::unique_ptr<TrainingRun>> started =
      startTraining(*session, seed, options.weights, threads, *target,
                    /*keepModel=*/false);
  if (!started.ok())
    return fail("train", started.status());
  TrainingRun &run = **started;
  TrainingConfig &config = run.config;
  int64_t epochs = options.epochs > 0 ? options.epochs : config.epochs;
  int64_t batchSize = options.batchSize > 0 ? options.batchSize : config.batchSize;
  std::string output = options.output.empty() ? defaultOutput(options.model)
                                              : options.output;
  std::string checkpoint = options.checkpoint.empty()
                               ? output + ".checkpoint"
                               : options.checkpoint;

  bool validate = config.validate && !options.noValidation;
  std::unique_ptr<BatchSource> batches, valBatches;
  // Arrays named on the command line, or the train block's data pipelines.
  std::optional<ArrayDataset> trainData, valData;
  if (!options.data.empty()) {
    Result<ArrayDataset> t = loadArrays(options.data, "train");
    if (!t.ok())
      return fail("train", t.status());
    trainData = std::move(*t);
    if (Status s = checkLabels(run, *trainData, options.data, "train"); !s.ok())
      return fail("train", s);
    Result<Batcher> b =
        Batcher::create(*trainData, batchSize, true, seed, run.xDType,
                        run.exampleShape, run.yDType, run.targetShape);
    if (!b.ok())
      return fail("train", b.status());
    batches = arrayBatches(std::move(*b));
    if (validate) {
      Result<ArrayDataset> v = loadArrays(options.data, "test");
      if (!v.ok())
        return fail("train", v.status());
      if (Status s = checkLabels(run, *v, options.data, "test"); !s.ok())
        return fail("train", s);
      valData = std::move(*v);
      Result<Batcher> vb = Batcher::create(
          *valData, std::max<int64_t>(batchSize, 256), false, seed, run.xDType,
          run.exampleShape, run.yDType, run.targetShape);
      if (!vb.ok())
        return fail("train", vb.status());
      valBatches = arrayBatches(std::move(*vb));
    }
  } else if (!config.data.empty()) {
    PipelineOptions po;
    po.runSeed = seed;
    po.onBadImage = options.onBadImage;
    po.maxMemoryBytes = options.maxPipelineMemory;
    po.verbose = options.verbose;
    po.batchSize = options.batchSize;
    Result<std::unique_ptr<BatchSource>> b =
        pipelineBatches(*run.pipelines, config.data, po);
    if (!b.ok())
      return fail("train", b.status());
    batches = std::move(*b);
    if (validate && !config.validationData.empty()) {
      po.batchSize = 0;
      Result<std::unique_ptr<BatchSource>> vb =
          pipelineBatches(*run.pipelines, config.validationData, po);
      if (!vb.ok())
        return fail("train", vb.status());
      valBatches = std::move(*vb);
    }
  } else {
    return fail("train", Status::error(
                             "no data: give --data DIR|FILE.npz, or train on "
                             "a data pipeline (train " + config.model +
                             " on DATA { ... }; see docs/language.md)"));
  }
  bool accuracy = std::find(config.metrics.begin(), config.metrics.end(),
                            "accuracy") != config.metrics.end();

  // Early stopping and its snapshot of the best weights.
  std::optional<EarlyStopping> stopper;
  if (config.earlyStopping) {
    Result<EarlyStopping> e = EarlyStopping::create(earlyStoppingOptions(*config.earlyStopping));
    if (!e.ok())
      return fail("train", e.status());
    stopper = std::move(*e);
  }
  ParameterMap best;
  auto snapshot = [&]() -> Status {
    best.clear();
    for (const std::string &n : run.modelParameters) {
      Result<HostTensor> c = run.state.at(n).clone();
      if (!c.ok())
        return c.status();
      best.emplace(n, std::move(*c));
    }
    return Status();
  };

  TrainingProgress progress;
  progress.seed = seed;
  if (options.resume) {
    Result<Checkpoint> ckpt = readCheckpoint(checkpoint);
    if (!ckpt.ok())
      return fail("train", ckpt.status());
    if (Status s = copyInto(run.state, ckpt->tensors, "", checkpoint); !s.ok())
      return fail("train", s);
    progress = ckpt->progress;
    if (progress.seed != seed)
      return fail("train", Status::error(checkpoint + " was written by a run "
                                         "with --seed " +
                                         std::to_string(progress.seed)));
    if (stopper)
      stopper->restore(progress);
    for (const NamedTensor &t : ckpt->tensors)
      if (t.name.rfind("best/", 0) == 0) {
        Result<HostTensor> c = t.tensor.clone();
        if (!c.ok())
          return fail("train", c.status());
        best.emplace(t.name.substr(5), std::move(*c));
      }
    llvm::outs() << "resuming " << checkpoint << " after epoch "
                 << progress.epoch << " (step " << progress.step << ")\n";
  }

  const char *abortAt = std::getenv("WEIR_TEST_ABORT_AT_STEP");
  int64_t abortStep = abortAt ? std::atoll(abortAt) : -1;
  ProgressBar bar(stderr);
  int64_t steps = batches->stepsPerEpoch();
  bool stopped = false;
  for (int64_t epoch = progress.epoch; epoch < epochs && !stopped; ++epoch) {
    auto start = Clock::now();
    double lossSum = 0, correct = 0;
    int64_t seen = 0;
    if (Status st = batches->startEpoch(epoch); !st.ok())
      return fail("train", st);
    for (int64_t s = 0; s < steps; ++s) {
      if (progress.step == abortStep)
        _exit(137); // a stand-in for SIGKILL, for the resume test
      const HostTensor *xp = nullptr, *yp = nullptr;
      Result<bool> got = batches->next(xp, yp);
      if (!got.ok())
        return fail("train", got.status());
      if (!*got)
        break;
      const HostTensor &x = *xp, &y = *yp;
      double lr = config.optimizer.learningRate.at(progress.step);
      uint64_t key = deriveSeed(seed, "dropout/" + std::to_string(progress.step));
      Result<StepMetrics> m = run.step->step(x, y, progress.step + 1,
                                             static_cast<float>(lr), key);
      if (!m.ok())
        return fail("train", m.status());
      if (!std::isfinite(m->loss)) {
        bar.clear();
        // The step did not update the parameters: run the forward pass
        // again, keeping every layer's output, and name the first that is
        // not finite.
        std::string where;
        Status compiled = compileProbe(run, options.model, options.session);
        Result<std::string> layer =
            compiled.ok() ? run.step->firstNonFiniteLayer(run.probe, x, key)
                          : Result<std::string>(compiled);
        if (layer.ok() && !layer->empty())
          where = "; the first layer whose output is not finite is " + *layer;
        for (const std::string &n : run.modelParameters) {
          if (!where.empty())
            break;
          if (!checkFinite(run.state.at(n), n).ok())
            where = "; the first parameter holding non-finite values is '" + n + "'";
        }
        return fail("train", Status::error(
                                 "the loss became " + std::to_string(m->loss) +
                                 " at step " + std::to_string(progress.step + 1) +
                                 " (epoch " + std::to_string(epoch + 1) +
                                 ", batch " + std::to_string(s + 1) + ")" + where +
                                 "; try a lower learning rate"));
      }
      ++progress.step;
      lossSum += m->loss * m->examples;
      correct += m->correct;
      seen += m->examples;
      double secs = std::chrono::duration<double>(Clock::now() - start).count();
      double rate = secs > 0 ? seen / secs : 0;
      bar.update(s + 1, steps, rate, lossSum / seen,
                 accuracy ? std::optional<double>(correct / seen) : std::nullopt,
                 rate > 0 ? (batches->numExamples() - seen) / rate : 0);
    }
    bar.clear();
    if (Status st = batches->finishEpoch(); !st.ok())
      return fail("train", st);
    double secs = std::chrono::duration<double>(Clock::now() - start).count();
    EpochStats stats;
    stats.epoch = epoch + 1;
    stats.epochs = epochs;
    stats.loss = lossSum / seen;
    if (accuracy)
      stats.accuracy = correct / seen;
    stats.samplesPerSec = secs > 0 ? seen / secs : 0;
    stats.seconds = secs;
    std::map<std::string, double> logs{{"loss", stats.loss}};
    if (accuracy)
      logs["accuracy"] = *stats.accuracy;
    double waited = batches->waitSeconds();
    std::vector<std::string> skipped = batches->skipped();
    if (valBatches) {
      Result<StepMetrics> v = evaluateAll(*run.step, *valBatches);
      if (!v.ok())
        return fail("train", v.status());
      stats.valLoss = v->loss;
      logs["val_loss"] = v->loss;
      if (accuracy) {
        stats.valAccuracy = v->correct / v->examples;
        logs["val_accuracy"] = *stats.valAccuracy;
      }
    }
    llvm::outs() << formatEpochSummary(stats);
    if (options.data.empty())
      llvm::outs() << "  input-bound "
                   << llvm::format("%.0f", secs > 0 ? 100 * waited / secs : 0)
                   << "%";
    llvm::outs() << "\n";
    if (!skipped.empty()) {
      llvm::outs() << "skipped " << skipped.size() << " bad image"
                   << (skipped.size() == 1 ? "" : "s") << " in epoch "
                   << epoch + 1 << ":\n";
      for (const std::string &line : skipped)
        llvm::outs() << "  " << line << "\n";
    }
    llvm::outs().flush();
    progress.history.push_back(logs);
    progress.epoch = epoch + 1;
    if (stopper) {
      auto it = logs.find(stopper->options().monitor);
      if (it == logs.end())
        return fail("train", Status::error("early_stopping monitors '" +
                                           stopper->options().monitor +
                                           "', which this run does not log"));
      stopped = stopper->update(epoch, it->second);
      if (stopper->shouldSnapshotWeights())
        if (Status s = snapshot(); !s.ok())
          return fail("train", s);
      stopper->save(progress);
      if (stopped)
        llvm::outs() << "early stopping: " << stopper->options().monitor
                     << " has not improved for " << stopper->wait()
                     << " epochs (best "
                     << llvm::format("%.4g", stopper->best()) << " at epoch "
                     << stopper->bestEpoch() + 1 << ")\n";
    }
    // The checkpoint: all state, the best weights so far, the progress.
    std::vector<NamedTensorRef> tensors;
    for (auto &[name, t] : run.state)
      tensors.push_back({name, &t});
    std::vector<std::string> bestNames;
    for (auto &[name, t] : best)
      bestNames.push_back("best/" + name);
    size_t i = 0;
    for (auto &[name, t] : best)
      tensors.push_back({bestNames[i++], &t});
    if (Status s = writeCheckpoint(checkpoint, tensors, progress); !s.ok())
      return fail("train", s);
  }
  if (stopper && stopper->shouldRestoreWeights() && !best.empty()) {
    for (auto &[name, t] : best)
      std::memcpy(run.state.at(name).bytes(), t.bytes(), t.byteSize());
    llvm::outs() << "restored the weights of epoch "
                 << stopper->bestEpoch() + 1 << "\n";
  }
  SafetensorsMetadata metadata{{"format", "pt"},
                               {"weir.seed", std::to_string(seed)}};
  if (Status s = writeSafetensors(output, modelWeights(run.state, run.modelParameters),
                                  metadata);
      !s.ok())
    return fail("train", s);
  llvm::outs() << "wrote " << output << "\n";
  return 0;
}
