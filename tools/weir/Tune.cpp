//===- Tune.cpp - `weir tune`: the flags to runTuner, printed as keras-tuner does
//
// The search-space summary first, one line per trial (its values, its
// score, the best so far, its time), then the results summary, best first.
//
//===----------------------------------------------------------------------===//
#include "api/Tuner.h"
#include "tools/weir/Commands.h"
#include "tools/weir/Flags.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdlib>

using namespace weir;

namespace {
/// "dense.units=32 optimizer=adam": values with 4 significant digits.
std::string describeValues(const HyperValues &values) {
  std::string s;
  for (const auto &[name, value] : values) {
    char *end = nullptr;
    double v = std::strtod(value.c_str(), &end);
    std::string shown = value;
    if (!value.empty() && *end == '\0' && value.find('.') != std::string::npos) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.4g", v);
      shown = buf;
    }
    s += (s.empty() ? "" : " ") + name + "=" + shown;
  }
  return s;
}

class ConsoleTuneSink : public TuneSink {
public:
  ConsoleTuneSink(int64_t maxTrials, std::string objective)
      : maxTrials(maxTrials), objective(std::move(objective)) {}
  void onTrial(const TrialResult &t, const TrialResult *best) override {
    llvm::outs() << "trial " << t.number;
    if (t.stage.empty())
      llvm::outs() << "/" << maxTrials;
    else
      llvm::outs() << " (" << t.stage << ")";
    llvm::outs() << ": " << describeValues(t.values) << "  ";
    if (t.score)
      llvm::outs() << objective << " " << llvm::format("%.4f", *t.score);
    else
      llvm::outs() << "failed";
    if (best)
      llvm::outs() << "  best " << llvm::format("%.4f", *best->score);
    if (t.recorded)
      llvm::outs() << "  (recorded)";
    else
      llvm::outs() << "  " << llvm::format("%.1f", t.seconds) << " s";
    llvm::outs() << "\n";
    if (!t.error.empty() && !t.recorded)
      llvm::outs() << "  " << t.error << "\n";
    llvm::outs().flush();
  }
  void onSpace(const SearchSpace &space) override {
    llvm::outs() << formatSearchSpace(space) << "\n";
    llvm::outs().flush();
  }
  void onNote(const std::string &line) override {
    llvm::outs() << line << "\n";
  }

private:
  int64_t maxTrials;
  std::string objective;
};
} // namespace

int commands::tune() {
  if (flags::directory.empty()) {
    llvm::errs() << "weir tune: --directory DIR is required (the trials are "
                    "recorded there, and a rerun continues from them)\n";
    return 2;
  }
  TuneOptions options;
  options.tuner = flags::tuner;
  options.maxTrials = flags::maxTrials;
  options.executionsPerTrial = flags::executionsPerTrial;
  options.objective = flags::objective;
  options.directory = flags::directory;
  options.overwrite = flags::overwrite;
  options.seed = flags::seed;
  options.initialPoints = flags::initialPoints;
  options.maxEpochs = flags::maxEpochs;
  options.parallelTrials = flags::parallelTrials;
  if (flags::parallelTrials < 1) {
    llvm::errs() << "weir tune: --parallel-trials is at least 1\n";
    return 2;
  }
  options.factor = flags::factor;
  if (!flags::dataPath.empty())
    options.data = DataRef::file(flags::dataPath, "train");
  options.epochs = flags::epochs;
  options.batchSize = flags::batchSize;
  options.threads = flags::threads;
  options.device = flags::device;
  options.session = flags::sessionOptions();
  if (flags::retrain > 0 && flags::exportDir.empty()) {
    llvm::errs() << "weir tune: --retrain writes its models to --export DIR\n";
    return 2;
  }
  if (const char *abort = std::getenv("WEIR_TEST_ABORT_AFTER_TRIALS"))
    options.abortAfterTrials = std::atoll(abort);

  ConsoleTuneSink sink(options.maxTrials, options.objective);
  Result<TuneResult> result = runTuner(flags::model, options, sink);
  if (!result.ok())
    return flags::fail("tune", result.status().message());
  llvm::outs() << "\nResults summary\nResults in " << options.directory
               << "\nShowing " << std::min<size_t>(10, result->ranking.size())
               << " best trials\nObjective(name=\"" << options.objective
               << "\", direction=\"" << (result->maximize ? "max" : "min")
               << "\")\n";
  for (size_t r = 0; r < result->ranking.size() && r < 10; ++r) {
    const TrialResult &t = result->trials[result->ranking[r]];
    llvm::outs() << "  trial " << t.number << "  score "
                 << llvm::format("%.4f", *t.score) << "  "
                 << describeValues(t.values) << "  best epochs";
    for (int64_t e : t.bestEpochs)
      llvm::outs() << " " << e;
    llvm::outs() << "\n";
  }
  if (result->ranking.empty())
    return 1;
  if (flags::retrain > 0) {
    RetrainOptions retrain;
    retrain.top = flags::retrain;
    retrain.exportDir = flags::exportDir;
    llvm::outs() << "\nRetraining the " << flags::retrain << " best\n";
    llvm::outs().flush();
    Result<std::vector<RetrainedModel>> models =
        retrainBest(flags::model, options, *result, retrain, sink);
    if (!models.ok())
      return flags::fail("tune", models.status().message());
  }
  return 0;
}
