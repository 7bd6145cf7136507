//===- Trainer.cpp - fit, evaluate, predict over a compiled model --------===//
//
// fit(): batches in a seeded order, one data-parallel step per batch, a
// validation pass, early stopping, and an atomic checkpoint at the end of
// each epoch; a diverging loss names the first layer whose output is not
// finite. What the user sees goes to the FitSink.
//
//===----------------------------------------------------------------------===//
#include "api/Trainer.h"
#include "api/Batches.h"
#include "api/Session.h"
#include "api/Training.h"
#include "api/TrainingLogs.h"

#include "passes/Transforms.h"
#include "runtime/FileIO.h"
#include "runtime/cpu/AllocCounter.h"
#include "runtime/init/Initializers.h"
#include "runtime/Safetensors.h"
#include "runtime/train/Batcher.h"
#include "runtime/train/Checkpoint.h"
#include "runtime/train/Dataset.h"
#include "runtime/train/EarlyStopping.h"
#include "runtime/train/ReduceLrOnPlateau.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <unistd.h>

using namespace weir;

FitSink::~FitSink() = default;
Trainer::~Trainer() = default;

namespace {
using Clock = std::chrono::steady_clock;

EarlyStoppingOptions earlyStoppingOptions(const EarlyStoppingConfig &c) {
  EarlyStoppingOptions o;
  o.monitor = c.monitor;
  o.patience = c.patience;
  o.minDelta = c.minDelta;
  o.restoreBestWeights = c.restoreBestWeights;
  return o;
}

ReduceLrOnPlateauOptions reduceLrOptions(const ReduceLrOnPlateauConfig &c) {
  ReduceLrOnPlateauOptions o;
  o.monitor = c.monitor;
  o.factor = c.factor;
  o.patience = c.patience;
  o.minDelta = c.minDelta;
  o.cooldown = c.cooldown;
  o.minLr = c.minLr;
  return o;
}

/// Fails unless a file can be created at `path` (its folder exists and is
/// writable), so that a run does not train for an hour and then find out.
Status checkWritable(const std::string &path, const char *what) {
  llvm::SmallString<256> dir(path);
  llvm::sys::path::remove_filename(dir);
  if (dir.empty())
    dir = ".";
  if (!llvm::sys::fs::is_directory(dir))
    return Status::error("cannot write the " + std::string(what) + " " + path +
                         ": " + std::string(dir) + " is not a directory");
  if (::access(dir.c_str(), W_OK) != 0)
    return Status::error("cannot write the " + std::string(what) + " " + path +
                         ": " + std::string(dir) + " is not writable");
  return Status();
}

/// Names the classes one listing has and the other lacks.
std::string classDifference(const std::vector<std::string> &train,
                            const std::vector<std::string> &val) {
  auto missing = [](const std::vector<std::string> &a,
                    const std::vector<std::string> &b) {
    std::string s;
    for (const std::string &n : a)
      if (std::find(b.begin(), b.end(), n) == b.end())
        s += (s.empty() ? "" : ", ") + n;
    return s.empty() ? std::string("none") : s;
  };
  return "missing from validation: " + missing(train, val) +
         "; only in validation: " + missing(val, train);
}
} // namespace

/// `options` with its threads and device resolved.
static Result<std::pair<TrainerOptions, CodeTarget>>
resolve(const TrainerOptions &options) {
  TrainerOptions resolved = options;
  resolved.threads = resolveThreads(options.threads);
  Result<CodeTarget> target = resolveCodeTarget(
      options.device, options.activity.c_str(), resolved.threads);
  if (!target.ok())
    return target.status();
  if (options.verbose && target->kind == CodeTarget::Kind::Cpu)
    llvm::errs() << "weir: " << options.activity << " on the CPU ("
                 << describeHostCodegen() << ")\n";
  return std::make_pair(resolved, *target);
}

Result<std::unique_ptr<Trainer>> Trainer::create(std::unique_ptr<Session> session,
                                                 const TrainerOptions &options) {
  if (!session)
    return Status::error("no model");
  Result<std::pair<TrainerOptions, CodeTarget>> r = resolve(options);
  if (!r.ok())
    return r.status();
  return start(std::move(session), r->first, r->second);
}

Result<std::unique_ptr<Trainer>>
Trainer::load(const std::string &path, const SessionOptions &sessionOptions,
              const TrainerOptions &options) {
  // The device first: a bad --device is refused before anything compiles.
  Result<std::pair<TrainerOptions, CodeTarget>> r = resolve(options);
  if (!r.ok())
    return r.status();
  std::unique_ptr<Session> session = Session::load(path, sessionOptions);
  if (!session)
    return Status::error("cannot load " + path);
  return start(std::move(session), r->first, r->second);
}

Result<std::unique_ptr<Trainer>>
Trainer::start(std::unique_ptr<Session> session, TrainerOptions options,
               const CodeTarget &target) {
  std::unique_ptr<Trainer> t(new Trainer());
  t->options_ = options;
  Result<std::unique_ptr<TrainingRun>> run =
      startTraining(*session, options.seed, options.weights, options.threads,
                    target, options.compileInference);
  if (!run.ok())
    return run.status();
  t->session_ = std::move(session);
  t->run_ = std::move(*run);
  return t;
}

const std::vector<std::string> &Trainer::metrics() const {
  return run_->config.metrics;
}

std::vector<std::string> Trainer::parameterNames() const {
  return run_->modelParameters;
}

const ParameterMap &Trainer::state() const { return run_->state; }

bool Trainer::hasPipeline(const std::string &name) const {
  return run_->pipelines->lookupSymbol(name) != nullptr;
}

Status weir::writeInitialWeights(Session &session, uint64_t seed,
                                 const std::string &path) {
  Result<std::vector<NamedTensor>> tensors = initializeParameters(session, seed);
  if (!tensors.ok())
    return tensors.status();
  SafetensorsMetadata metadata{{"format", "pt"},
                               {"weir.seed", std::to_string(seed)}};
  return writeSafetensors(path, *tensors, metadata);
}

Status Trainer::saveWeights(const std::string &path) const {
  std::vector<NamedTensorRef> refs;
  for (const std::string &n : run_->modelParameters)
    refs.push_back({n, &run_->state.at(n)});
  SafetensorsMetadata metadata{{"format", "pt"},
                               {"weir.seed", std::to_string(options_.seed)}};
  return writeSafetensors(path, refs, metadata);
}

/// The batches of `data` for `run`: arrays (loaded into `holder` when read
/// from a file; labels checked when `labels`) or a data pipeline.
static Result<std::unique_ptr<BatchSource>>
openBatches(TrainingRun &run, const DataRef &data, int64_t batchSize,
            bool shuffle, uint64_t seed, const PipelineOptions &pipelineOptions,
            std::optional<ArrayDataset> &holder, bool labels) {
  if (!data.pipeline.empty())
    return pipelineBatches(*run.pipelines, data.pipeline, pipelineOptions);
  const ArrayDataset *arrays = data.arrays;
  std::string where = data.path.empty() ? std::string("arrays") : data.path;
  if (!arrays) {
    Result<ArrayDataset> d = loadArrays(data.path, data.split);
    if (!d.ok())
      return d.status();
    holder = std::move(*d);
    arrays = &*holder;
  }
  if (labels)
    if (Status s = checkLabels(run, *arrays, where, data.split); !s.ok())
      return s;
  Result<Batcher> b =
      Batcher::create(*arrays, batchSize, shuffle, seed, run.xDType,
                      run.exampleShape, run.yDType, run.targetShape);
  if (!b.ok())
    return b.status();
  return arrayBatches(std::move(*b));
}

static PipelineOptions pipelineOptionsOf(const TrainerOptions &o) {
  PipelineOptions po;
  po.runSeed = o.seed;
  po.onBadImage =
      o.skipBadImages ? pipeline::OnBadImage::Skip : pipeline::OnBadImage::Fail;
  po.maxMemoryBytes = o.maxPipelineMemory;
  po.verbose = o.verbose;
  return po;
}

/// The error of a non-finite loss or gradient: where it happened and, from
/// the probe, the first layer whose output is not finite (the step did not
/// update the parameters, so the forward pass can run again on the same
/// batch).
static Status divergence(TrainingRun &run, Session &session,
                         const StepMetrics &m, int64_t step, int64_t epoch,
                         int64_t batch, const HostTensor &x, uint64_t key) {
  std::string where;
  Status compiled = compileProbe(run, session);
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
  std::string what = "the loss became " + std::to_string(m.loss);
  if (std::isfinite(m.loss)) {
    what = "the gradient of '" + m.nonFiniteGradient + "' is not finite";
    if (where.empty())
      where = "; every layer's output is finite, so the backward pass "
              "overflowed";
  }
  if (run.step->lossScaled()) {
    std::string scale;
    llvm::raw_string_ostream(scale) << llvm::format("%g", run.step->lossScale());
    where += "; the loss scale is " + scale +
             " (fixed by loss_scale; without it the scale is dynamic and "
             "such steps are skipped)";
  }
  bool scaleAdvice = std::isfinite(m.loss) && run.step->lossScaled();
  return Status::error(what + " at step " + std::to_string(step) +
                       " (epoch " + std::to_string(epoch) + ", batch " +
                       std::to_string(batch) + ")" + where +
                       (scaleAdvice ? "; try a lower loss_scale"
                                    : "; try a lower learning rate"));
}

Result<FitResult> Trainer::fit(const FitOptions &options, FitSink &sink) {
  TrainingRun &run = *run_;
  const TrainingConfig &config = run.config;
  uint64_t seed = options_.seed;
  int64_t epochs = options.epochs > 0 ? options.epochs : config.epochs;
  int64_t batchSize =
      options.batchSize > 0 ? options.batchSize : config.batchSize;
  // The train block's checkpoint (Keras' ModelCheckpoint) writes the
  // weights file after every epoch or, with save_best_only, after every
  // epoch that beats the best so far: --save-best into the weights file,
  // which then keeps the best epoch's weights. --save-best replaces it.
  std::string bestPath = options.saveBest;
  std::string bestMonitor = options.saveBestMonitor;
  const char *bestOwner = "--save-best";
  bool everyEpoch = false, outputHoldsBest = false;
  if (config.checkpoint && bestPath.empty()) {
    if (options.output.empty())
      return Status::error("the train block's checkpoint writes the weights "
                           "file, and this run writes none (give it one: "
                           "-o, or output= in Python)");
    if (config.checkpoint->saveBestOnly) {
      bestPath = options.output;
      bestMonitor = config.checkpoint->monitor;
      bestOwner = "checkpoint";
      outputHoldsBest = true;
    } else {
      everyEpoch = true;
    }
  }
  // Before any training: the files the run will write.
  if (!options.output.empty())
    if (Status s = checkWritable(options.output, "weights"); !s.ok())
      return s;
  if (!options.checkpoint.empty())
    if (Status s = checkWritable(options.checkpoint, "checkpoint"); !s.ok())
      return s;
  if (!options.historyCsv.empty())
    if (Status s = checkWritable(options.historyCsv, "history"); !s.ok())
      return s;
  if (!bestPath.empty() && !outputHoldsBest)
    if (Status s = checkWritable(bestPath, "best weights"); !s.ok())
      return s;
  Result<std::unique_ptr<TrainingLogs>> trainingLogs =
      TrainingLogs::open(options);
  if (!trainingLogs.ok())
    return trainingLogs.status();

  // The examples: arrays (in memory or a file), or the train block's data
  // pipelines.
  // Validation data given explicitly is used (Keras' validation_data);
  // the train block's `validate:` decides about the default ones.
  bool validate = options.validate &&
                  (config.validate || !options.validation.empty());
  DataRef trainRef = options.data, valRef = options.validation;
  if (trainRef.empty()) {
    if (config.data.empty())
      return Status::error("no data: give --data DIR|FILE.npz, or train on "
                           "a data pipeline (train " + config.model +
                           " on DATA { ... }; see docs/language.md)");
    trainRef = DataRef::pipelineNamed(config.data);
    if (valRef.empty() && !config.validationData.empty())
      valRef = DataRef::pipelineNamed(config.validationData);
  } else if (valRef.empty() && !trainRef.path.empty()) {
    valRef = DataRef::file(trainRef.path, "test");
  }
  if (trainRef.arrays || !trainRef.path.empty())
    trainRef.split = "train";
  PipelineOptions po = pipelineOptionsOf(options_);
  po.batchSize = options.batchSize;
  std::optional<ArrayDataset> trainHolder, valHolder;
  Result<std::unique_ptr<BatchSource>> opened = openBatches(
      run, trainRef, batchSize, /*shuffle=*/true, seed, po, trainHolder, true);
  if (!opened.ok())
    return opened.status();
  std::unique_ptr<BatchSource> batches = std::move(*opened), valBatches;
  if (validate && !valRef.empty()) {
    po.batchSize = 0;
    Result<std::unique_ptr<BatchSource>> v =
        openBatches(run, valRef, std::max<int64_t>(batchSize, 256),
                    /*shuffle=*/false, seed, po, valHolder, true);
    if (!v.ok())
      return v.status();
    valBatches = std::move(*v);
    // Labels are class indices in folder order: the same folders, or the
    // labels mean different classes.
    if (batches->classNames() != valBatches->classNames())
      return Status::error("the validation data's classes differ from the "
                           "training data's (" +
                           classDifference(batches->classNames(),
                                           valBatches->classNames()) +
                           ")");
  }
  bool accuracy = std::find(config.metrics.begin(), config.metrics.end(),
                            "accuracy") != config.metrics.end();

  // What each epoch logs (loss, accuracy with the metric, their val_
  // forms with validation data): a callback that monitors anything else
  // is refused before the first step, not after the first epoch.
  auto checkMonitor = [&](const std::string &who,
                          const std::string &monitor) -> Status {
    bool validation = llvm::StringRef(monitor).starts_with("val_");
    std::string base = validation ? monitor.substr(4) : monitor;
    if (base != "loss" && !(base == "accuracy" && accuracy))
      return Status::error(
          who + " monitors '" + monitor + "', which this run does not log " +
          "(it logs loss" +
          (accuracy ? std::string(" and accuracy") : std::string()) +
          (valBatches ? ", and their val_ forms)" : ")"));
    if (validation && !valBatches)
      return Status::error(who + " monitors '" + monitor +
                           "', but this run has no validation data; monitor " +
                           base + " instead");
    return Status();
  };
  // Early stopping and its snapshot of the best weights.
  std::optional<EarlyStopping> stopper;
  std::optional<EarlyStoppingOptions> stopping = options.earlyStopping;
  if (!stopping && config.earlyStopping)
    stopping = earlyStoppingOptions(*config.earlyStopping);
  if (options.noEarlyStopping)
    stopping.reset();
  if (stopping) {
    if (Status st = checkMonitor("early_stopping", stopping->monitor);
        !st.ok())
      return st;
    Result<EarlyStopping> e = EarlyStopping::create(*stopping);
    if (!e.ok())
      return e.status();
    stopper = std::move(*e);
  }
  // --save-best (Keras' ModelCheckpoint, save_best_only): an improvement
  // tracker over its monitor, EarlyStopping's without the stopping.
  std::optional<EarlyStopping> saver;
  if (!bestPath.empty()) {
    const std::string &monitor = bestMonitor;
    if (Status st = checkMonitor(bestOwner, monitor); !st.ok())
      return st;
    EarlyStoppingOptions o;
    o.monitor = monitor;
    Result<EarlyStopping> e = EarlyStopping::create(o);
    if (!e.ok())
      return e.status();
    saver = std::move(*e);
  }
  // reduce_lr_on_plateau: the learning rate becomes a run-time value.
  std::optional<ReduceLrOnPlateau> plateau;
  if (config.reduceLrOnPlateau) {
    if (Status st = checkMonitor("reduce_lr_on_plateau",
                                 config.reduceLrOnPlateau->monitor);
        !st.ok())
      return st;
    Result<ReduceLrOnPlateau> p =
        ReduceLrOnPlateau::create(reduceLrOptions(*config.reduceLrOnPlateau),
                                  config.optimizer.learningRate.at(0));
    if (!p.ok())
      return p.status();
    plateau = std::move(*p);
  }
  auto learningRateAt = [&](int64_t step) {
    return plateau ? plateau->learningRate()
                   : config.optimizer.learningRate.at(step);
  };
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
  // A later fit goes on counting optimizer steps (Keras' iterations): the
  // optimizer's step and the learning-rate schedule continue.
  progress.step = run.optimizerSteps;
  const std::string &checkpoint = options.checkpoint;
  if (options.resume && !llvm::sys::fs::exists(checkpoint)) {
    // Keras' BackupAndRestore: nothing to restore is a fresh start.
    sink.onNote("no checkpoint at " + checkpoint + "; starting from epoch 1");
  } else if (options.resume) {
    Result<Checkpoint> ckpt = readCheckpoint(checkpoint);
    if (!ckpt.ok())
      return ckpt.status();
    if (Status s = copyInto(run.state, ckpt->tensors, checkpoint); !s.ok())
      return s;
    progress = ckpt->progress;
    if (progress.seed != seed)
      return Status::error(checkpoint + " was written by a run with --seed " +
                           std::to_string(progress.seed));
    if (stopper)
      stopper->restore(progress);
    if (plateau && progress.plateau)
      plateau->restore(*progress.plateau);
    if (saver) {
      TrainingProgress saved;
      saved.bestMetric = progress.savedBestMetric;
      saved.bestEpoch = progress.savedBestEpoch;
      saver->restore(saved);
    }
    for (const NamedTensor &t : ckpt->tensors)
      if (t.name.rfind("best/", 0) == 0) {
        Result<HostTensor> c = t.tensor.clone();
        if (!c.ok())
          return c.status();
        best.emplace(t.name.substr(5), std::move(*c));
      }
    sink.onNote("resuming " + checkpoint + " after epoch " +
                std::to_string(progress.epoch) + " (step " +
                std::to_string(progress.step) + ")");
  }

  FitResult result;
  int64_t steps = batches->stepsPerEpoch();
  bool stopped = false;
  for (int64_t epoch = progress.epoch; epoch < epochs && !stopped; ++epoch) {
    if (sink.stopRequested())
      return Status::error("training stopped by its caller after epoch " +
                           std::to_string(epoch));
    auto start = Clock::now();
    double lossSum = 0, correct = 0;
    int64_t seen = 0, skippedInEpoch = 0;
    if (Status st = batches->startEpoch(epoch); !st.ok())
      return st;
    for (int64_t s = 0; s < steps; ++s) {
      if (progress.step == options.abortAtStep)
        _exit(137); // a stand-in for SIGKILL, for the resume test
      const HostTensor *xp = nullptr, *yp = nullptr;
      Result<bool> got = batches->next(xp, yp);
      if (!got.ok())
        return got.status();
      if (!*got)
        break;
      double lr = learningRateAt(progress.step);
      uint64_t key =
          deriveSeed(seed, "dropout/" + std::to_string(progress.step));
      Result<StepMetrics> m = run.step->step(*xp, *yp, progress.step + 1,
                                             static_cast<float>(lr), key);
      if (!m.ok())
        return m.status();
      if (!std::isfinite(m->loss) || !m->nonFiniteGradient.empty()) {
        sink.onBatchesDone();
        return divergence(run, *session_, *m, progress.step + 1, epoch + 1,
                          s + 1, *xp, key);
      }
      skippedInEpoch += m->skipped;
      ++progress.step;
      run.optimizerSteps = progress.step;
      lossSum += m->loss * m->examples;
      correct += m->correct;
      seen += m->examples;
      double secs = std::chrono::duration<double>(Clock::now() - start).count();
      BatchProgress bp;
      bp.step = s + 1;
      bp.steps = steps;
      bp.examples = seen;
      bp.remaining = batches->numExamples() - seen;
      bp.samplesPerSec = secs > 0 ? seen / secs : 0;
      bp.loss = lossSum / seen;
      if (accuracy)
        bp.accuracy = correct / seen;
      sink.onBatch(bp);
      if (Status st = (*trainingLogs)->onBatch(progress.step, bp); !st.ok())
        return st;
      if (sink.stopRequested()) {
        sink.onBatchesDone();
        return Status::error("training stopped by its caller in epoch " +
                             std::to_string(epoch + 1) + " at step " +
                             std::to_string(s + 1));
      }
    }
    sink.onBatchesDone();
    if (Status st = batches->finishEpoch(); !st.ok())
      return st;
    double secs = std::chrono::duration<double>(Clock::now() - start).count();
    EpochReport report;
    EpochStats &stats = report.stats;
    stats.epoch = epoch + 1;
    stats.epochs = epochs;
    stats.loss = lossSum / seen;
    if (accuracy)
      stats.accuracy = correct / seen;
    stats.samplesPerSec = secs > 0 ? seen / secs : 0;
    stats.seconds = secs;
    report.learningRate = learningRateAt(std::max<int64_t>(progress.step - 1, 0));
    if (run.step->lossScaled()) {
      stats.lossScale = run.step->lossScale();
      stats.skippedSteps = skippedInEpoch;
    }
    EpochLogs &logs = report.logs;
    logs["loss"] = stats.loss;
    if (accuracy)
      logs["accuracy"] = *stats.accuracy;
    if (!trainRef.pipeline.empty())
      report.inputBoundPercent =
          secs > 0 ? 100 * batches->waitSeconds() / secs : 0;
    report.skipped = batches->skipped();
    if (valBatches) {
      Result<StepMetrics> v = evaluateAll(*run.step, *valBatches);
      if (!v.ok())
        return v.status();
      stats.valLoss = v->loss;
      logs["val_loss"] = v->loss;
      if (accuracy) {
        stats.valAccuracy = v->correct / v->examples;
        logs["val_accuracy"] = *stats.valAccuracy;
      }
    }
    // As Keras' ReduceLROnPlateau does: the rate joins the logs (and so
    // the history, its CSV and the checkpoint).
    if (plateau)
      logs["learning_rate"] = report.learningRate;
    sink.onEpoch(report);
    progress.history.push_back(logs);
    progress.epoch = epoch + 1;
    if (Status st = (*trainingLogs)->onEpoch(report, progress.history);
        !st.ok())
      return st;
    if (stopper) {
      auto it = logs.find(stopper->options().monitor);
      if (it == logs.end())
        return Status::error("early_stopping monitors '" +
                             stopper->options().monitor +
                             "', which this run does not log");
      stopped = stopper->update(epoch, it->second);
      if (stopper->shouldSnapshotWeights())
        if (Status s = snapshot(); !s.ok())
          return s;
      stopper->save(progress);
      if (stopped) {
        std::string line;
        llvm::raw_string_ostream os(line);
        os << "early stopping: " << stopper->options().monitor
           << " has not improved for " << stopper->wait() << " epochs (best "
           << llvm::format("%.4g", stopper->best()) << " at epoch "
           << stopper->bestEpoch() + 1 << ")";
        sink.onNote(line);
      }
    }
    if (plateau) {
      auto it = logs.find(plateau->options().monitor);
      if (it == logs.end())
        return Status::error("reduce_lr_on_plateau monitors '" +
                             plateau->options().monitor +
                             "', which this run does not log");
      double previous = plateau->learningRate();
      if (plateau->update(it->second)) {
        std::string line;
        llvm::raw_string_ostream os(line);
        os << "reduce_lr_on_plateau: " << plateau->options().monitor
           << " has not improved for " << plateau->options().patience
           << (plateau->options().patience == 1 ? " epoch" : " epochs")
           << "; learning rate " << llvm::format("%.4g", previous)
           << " -> " << llvm::format("%.4g", plateau->learningRate());
        sink.onNote(line);
      }
      progress.plateau = plateau->state();
    }
    if (saver) {
      double previous = saver->best();
      saver->update(epoch, logs.at(bestMonitor));
      if (saver->latestIsBest()) {
        // Before the checkpoint: killed in between, the resumed run redoes
        // this epoch and writes the same weights again.
        if (Status s = saveWeights(bestPath); !s.ok())
          return s;
        std::string line;
        llvm::raw_string_ostream os(line);
        os << "epoch " << epoch + 1 << ": " << bestMonitor
           << " improved from " << llvm::format("%.4g", previous) << " to "
           << llvm::format("%.4g", saver->best()) << "; wrote "
           << bestPath;
        sink.onNote(line);
      }
      progress.savedBestMetric = saver->best();
      progress.savedBestEpoch = saver->bestEpoch();
    }
    // Before the checkpoint, as above.
    if (everyEpoch)
      if (Status s = saveWeights(options.output); !s.ok())
        return s;
    if (checkpoint.empty())
      continue;
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
      return s;
  }
  if (stopper && stopper->shouldRestoreWeights() && !best.empty()) {
    for (auto &[name, t] : best)
      std::memcpy(run.state.at(name).bytes(), t.bytes(), t.byteSize());
    sink.onNote("restored the weights of epoch " +
                std::to_string(stopper->bestEpoch() + 1));
  }
  if (outputHoldsBest) {
    if (saver && saver->bestEpoch() >= 0)
      sink.onNote(options.output + " holds the weights of epoch " +
                  std::to_string(saver->bestEpoch() + 1) + " (the best " +
                  bestMonitor + ")");
  } else if (!options.output.empty()) {
    if (Status s = saveWeights(options.output); !s.ok())
      return s;
    sink.onNote("wrote " + options.output);
  }
  result.history = progress.history;
  result.epochs = progress.epoch;
  result.steps = progress.step;
  result.stoppedEarly = stopped;
  return result;
}

Result<StepMetrics> Trainer::evaluate(const DataRef &data, int64_t batchSize) {
  std::optional<ArrayDataset> holder;
  Result<std::unique_ptr<BatchSource>> batches =
      openBatches(*run_, data, batchSize, false, 0, pipelineOptionsOf(options_),
                  holder, /*labels=*/true);
  if (!batches.ok())
    return batches.status();
  return evaluateAll(*run_->step, **batches);
}

Result<HostTensor> Trainer::predict(const DataRef &data, int64_t batchSize) {
  TrainingRun &run = *run_;
  if (!run.singleInput)
    return Status::error("'" + run.config.model + "' takes more than one input");
  if (!options_.compileInference)
    return Status::error("the trainer was created without the model's "
                         "inference function (compileInference)");
  // Inputs alone (predict needs no targets): zero targets of the model's
  // target type stand in for them.
  DataRef ref = data;
  std::optional<ArrayDataset> inputsOnly;
  if (data.arrays && data.arrays->y.rank() == 0 && data.arrays->x.rank() >= 1) {
    const HostTensor &x = data.arrays->x;
    Result<HostTensor> view = HostTensor::borrow(
        x.dtype(), x.shape(), const_cast<void *>(x.rawData()));
    std::vector<int64_t> yShape{x.shape()[0]};
    yShape.insert(yShape.end(), run.targetShape.begin(), run.targetShape.end());
    Result<HostTensor> zeros = HostTensor::create(run.yDType, yShape);
    if (!view.ok())
      return view.status();
    if (!zeros.ok())
      return zeros.status();
    inputsOnly.emplace();
    inputsOnly->x = std::move(*view);
    inputsOnly->y = std::move(*zeros);
    ref = DataRef::inMemory(*inputsOnly);
  }
  std::optional<ArrayDataset> holder;
  Result<std::unique_ptr<BatchSource>> source =
      openBatches(run, ref, batchSize, false, 0, pipelineOptionsOf(options_),
                  holder, /*labels=*/false);
  if (!source.ok())
    return source.status();
  BatchSource &batches = **source;
  // The model function's arguments: the input, then its parameters.
  std::vector<const HostTensor *> params;
  for (const std::string &name : run.modelArguments)
    params.push_back(&run.state.at(name));
  std::vector<int64_t> outShape = run.outputShape;
  std::vector<uint8_t> rows;
  int64_t count = 0;
  Status s = forEachBatch(batches, [&](const HostTensor &x,
                                       const HostTensor &) -> Status {
    std::vector<const HostTensor *> args{&x};
    args.insert(args.end(), params.begin(), params.end());
    Result<HostTensor> r =
        run.executable->call(run.config.model, args, 1, run.outputDType,
                             outShape, options_.threads);
    if (!r.ok())
      return r.status();
    rows.insert(rows.end(), r->bytes(), r->bytes() + r->byteSize());
    count += x.shape()[0];
    return Status();
  });
  if (!s.ok())
    return s;
  outShape[0] = count;
  Result<HostTensor> out = HostTensor::create(run.outputDType, outShape);
  if (!out.ok())
    return out.status();
  if (!rows.empty())
    std::memcpy(out->bytes(), rows.data(), rows.size());
  return out;
}

Result<std::pair<double, ParameterMap>>
Trainer::gradients(const DataRef &data) {
  TrainingRun &run = *run_;
  std::optional<ArrayDataset> holder;
  const ArrayDataset *arrays = data.arrays;
  if (!arrays) {
    if (data.path.empty())
      return Status::error("gradients need arrays (--data)");
    Result<ArrayDataset> d = loadArrays(data.path, data.split);
    if (!d.ok())
      return d.status();
    holder = std::move(*d);
    arrays = &*holder;
  }
  // One batch: every example of the split, in file order.
  Result<Batcher> batcher =
      Batcher::create(*arrays, arrays->size(), false, 0, run.xDType,
                      run.exampleShape, run.yDType, run.targetShape);
  if (!batcher.ok())
    return batcher.status();
  HostTensor x, y;
  if (Status s = batcher->fill(0, 0, x, y); !s.ok())
    return s;
  ParameterMap grads;
  Result<StepMetrics> m = run.step->gradients(x, y, 0, grads);
  if (!m.ok())
    return m.status();
  return std::make_pair(m->loss, std::move(grads));
}

Result<int64_t> Trainer::measureStepPeak(int64_t batch) {
  TrainingRun &run = *run_;
  if (run.target.kind != CodeTarget::Kind::Cpu)
    return Status::error("the step's memory is measured on the CPU only");
  if (batch < 1)
    return Status::error("the measured batch must have at least 1 example");
  std::vector<int64_t> xShape{batch}, yShape{batch};
  xShape.insert(xShape.end(), run.exampleShape.begin(), run.exampleShape.end());
  yShape.insert(yShape.end(), run.targetShape.begin(), run.targetShape.end());
  Result<HostTensor> x = HostTensor::create(run.xDType, xShape);
  if (!x.ok())
    return x.status();
  Result<HostTensor> y = HostTensor::create(run.yDType, yShape);
  if (!y.ok())
    return y.status();
  ParameterMap grads;
  resetAllocCounts();
  Result<StepMetrics> m = run.step->gradients(*x, *y, 0, grads);
  int64_t peak = allocCounts().peak;
  if (!m.ok())
    return m.status();
  return peak;
}
