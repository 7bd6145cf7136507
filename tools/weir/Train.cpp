//===- Train.cpp - `weir train`: the flags to a Trainer's fit, printed ---===//
//
// The epoch summary and notes go to stdout; the progress bar is drawn on
// stderr when it is a terminal.
//
//===----------------------------------------------------------------------===//
#include "api/Trainer.h"
#include "tools/weir/Commands.h"
#include "tools/weir/Flags.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdlib>

using namespace weir;

namespace {
/// Prints a fit as Keras' verbose=1 does, one summary line per epoch.
class ConsoleSink : public FitSink {
public:
  void onBatch(const BatchProgress &p) override {
    double eta = p.samplesPerSec > 0 ? p.remaining / p.samplesPerSec : 0;
    bar_.update(p.step, p.steps, p.samplesPerSec, p.loss, p.accuracy, eta);
  }
  void onBatchesDone() override { bar_.clear(); }
  void onEpoch(const EpochReport &r) override {
    llvm::outs() << formatEpochSummary(r.stats);
    if (r.inputBoundPercent)
      llvm::outs() << "  input-bound "
                   << llvm::format("%.0f", *r.inputBoundPercent) << "%";
    llvm::outs() << "\n";
    if (!r.skipped.empty()) {
      llvm::outs() << "skipped " << r.skipped.size() << " bad image"
                   << (r.skipped.size() == 1 ? "" : "s") << " in epoch "
                   << r.stats.epoch << ":\n";
      for (const std::string &line : r.skipped)
        llvm::outs() << "  " << line << "\n";
    }
    llvm::outs().flush();
  }
  void onNote(const std::string &line) override {
    llvm::outs() << line << "\n";
    llvm::outs().flush();
  }

private:
  ProgressBar bar_{stderr};
};

/// <model>.weights.safetensors in the working directory.
std::string defaultOutput(const std::string &model) {
  std::string base = model;
  if (size_t slash = base.find_last_of('/'); slash != std::string::npos)
    base = base.substr(slash + 1);
  if (size_t dot = base.find_last_of('.'); dot != std::string::npos)
    base = base.substr(0, dot);
  return base + ".weights.safetensors";
}
} // namespace

int commands::train() {
  if (flags::onBadImage != "skip" && flags::onBadImage != "fail") {
    llvm::errs() << "weir train: --on-bad-image must be fail or skip, got '"
                 << flags::onBadImage << "'\n";
    return 2;
  }
  if (flags::maxPipelineMemory < 1) {
    llvm::errs() << "weir train: --max-pipeline-memory must be at least 1 "
                    "(MiB)\n";
    return 2;
  }
  TrainerOptions options;
  options.seed = flags::seed;
  options.weights = flags::weights;
  options.threads = flags::threads;
  options.device = flags::device;
  options.skipBadImages = flags::onBadImage == "skip";
  options.maxPipelineMemory = size_t(flags::maxPipelineMemory) << 20;
  options.verbose = flags::verbose;
  options.compileInference = false; // training never calls it

  FitOptions fit;
  if (!flags::dataPath.empty())
    fit.data = DataRef::file(flags::dataPath, "train");
  fit.validate = !flags::noValidation;
  fit.epochs = flags::epochs;
  fit.batchSize = flags::batchSize;
  fit.output = flags::output == "-" ? defaultOutput(flags::model)
                                    : std::string(flags::output);
  fit.checkpoint = flags::checkpoint.empty() ? fit.output + ".checkpoint"
                                             : std::string(flags::checkpoint);
  fit.resume = flags::resume;
  fit.historyCsv = flags::history;
  fit.saveBest = flags::saveBest;
  fit.saveBestMonitor = flags::monitor;
  fit.logdir = flags::logdir;
  fit.logEvery = flags::logEvery;
  if (flags::logEvery < 0 || (flags::logEvery > 0 && flags::logdir.empty())) {
    llvm::errs() << "weir train: --log-every needs --logdir and a count of "
                    "steps (at least 1)\n";
    return 2;
  }
  if (const char *abortAt = std::getenv("WEIR_TEST_ABORT_AT_STEP"))
    fit.abortAtStep = std::atoll(abortAt);

  Result<std::unique_ptr<Trainer>> trainer =
      Trainer::load(flags::model, flags::sessionOptions(), options);
  if (!trainer.ok())
    return flags::fail("train", trainer.status().message());
  ConsoleSink sink;
  Result<FitResult> result = (*trainer)->fit(fit, sink);
  if (!result.ok())
    return flags::fail("train", result.status().message());
  return 0;
}
