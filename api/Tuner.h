//===- Tuner.h - `weir tune`: search a .weir file's search space -*- C++ -*-===//
//
// keras-tuner's RandomSearch, BayesianOptimization and Hyperband over the search space
// written in a .weir file (frontend/SearchSpace.h): each trial compiles the
// file at one point, trains it `executionsPerTrial` times (the train block's
// callbacks, early stopping included, apply), and scores it by the mean
// over executions of each one's best epoch value of the objective. Trials
// are recorded as JSON in a directory, written atomically, so a killed
// search rerun with the same directory continues where it stopped and ends
// as an uninterrupted one would.
//
//===----------------------------------------------------------------------===//
#ifndef WEIR_API_TUNER_H
#define WEIR_API_TUNER_H

#include "api/Options.h"
#include "api/Trainer.h"

#include <optional>
#include <string>
#include <vector>

namespace weir {

struct TuneOptions {
  std::string tuner = "random"; ///< random, bayesian or hyperband
  int64_t maxTrials = 10;
  int64_t executionsPerTrial = 1;
  /// loss, accuracy, val_loss or val_accuracy; losses are minimized.
  std::string objective = "val_loss";
  /// Where trials are recorded (created when missing); required.
  std::string directory;
  /// Start over, removing the directory's trials.
  bool overwrite = false;
  /// Drives the points and, per trial and execution, the training seeds.
  uint64_t seed = 0;
  /// bayesian: random points before the Gaussian process takes over; 0:
  /// keras-tuner's default, 3 per hyperparameter.
  int64_t initialPoints = 0;
  /// hyperband (Li et al.): the most epochs a configuration trains for,
  /// and the factor each round divides the configurations by (and
  /// multiplies the epochs by). maxTrials does not apply: the brackets set
  /// the trials.
  int64_t maxEpochs = 0, factor = 3;
  /// What each execution trains on, as fit() takes it.
  DataRef data;
  int64_t epochs = 0, batchSize = 0;
  unsigned threads = 0;
  /// Trials trained side by side (random points, Bayesian optimization's
  /// initial ones, a Hyperband round's configurations), each with threads
  /// / parallelTrials threads (at least 1). The trials are the ones a
  /// search of one at a time with that many threads records.
  int64_t parallelTrials = 1;
  std::string device = "cpu";
  SessionOptions session;
  /// A test hook: exit like SIGKILL after this many trials (-1: never).
  int64_t abortAfterTrials = -1;
};

struct TrialResult {
  int64_t number = 0; ///< from 1
  HyperValues values;
  /// Per execution: the best value of the objective over its epochs, and
  /// that epoch (from 1).
  std::vector<double> executionScores;
  std::vector<int64_t> bestEpochs;
  /// The run seed of each execution (`weir train --seed` trains the same).
  std::vector<uint64_t> seeds;
  /// Their mean; none when the trial failed.
  std::optional<double> score;
  /// Why it failed: the compiler's or the trainer's message.
  std::string error;
  double seconds = 0;
  /// Read back from the directory rather than run now.
  bool recorded = false;
  /// hyperband: "bracket 1 round 0, 1 epoch"; empty for the others.
  std::string stage;
};

class TuneSink {
public:
  virtual ~TuneSink();
  /// The file's search space, read from its default point before any trial.
  virtual void onSpace(const SearchSpace &) {}
  /// A trial finished (or was read back); `best` is the best so far.
  virtual void onTrial(const TrialResult &, const TrialResult * /*best*/) {}
  virtual void onNote(const std::string &) {}
};

struct TuneResult {
  SearchSpace space;
  bool maximize = false;
  /// Every trial, in the order they ran.
  std::vector<TrialResult> trials;
  /// Indices into `trials` of the scored ones, best first.
  std::vector<size_t> ranking;
};

/// The seed's procedure after a search (`weir tune --retrain N --export
/// DIR`): for each of the `top` best trials, the epoch with the lowest
/// val_loss in a run with early stopping (val_loss, `patience`), then a
/// fresh training on the training and validation splits together for
/// int(`epochFactor` x that epoch) epochs, written to `exportDir` as a plain
/// .weir file with the trial's values in place and its weights.
struct RetrainOptions {
  int64_t top = 4;
  std::string exportDir;
  int64_t patience = 10;
  double epochFactor = 1.2;
};

struct RetrainedModel {
  int64_t trial = 0;
  HyperValues values;
  int64_t bestEpoch = 0, epochs = 0;
  /// The run seeds of the best-epoch run and of the retraining.
  uint64_t bestEpochSeed = 0, seed = 0;
  std::string model, weights;
};

/// Needs the search's data to be arrays (TuneOptions::data a file).
Result<std::vector<RetrainedModel>>
retrainBest(const std::string &modelPath, const TuneOptions &options,
            const TuneResult &result, const RetrainOptions &retrain,
            TuneSink &sink);

/// keras-tuner's search_space_summary: one line per hyperparameter.
std::string formatSearchSpace(const SearchSpace &space);

/// Runs the search. Errors: a file without a search space, an unknown tuner
/// or objective, a directory holding another search (without overwrite).
Result<TuneResult> runTuner(const std::string &modelPath,
                             const TuneOptions &options,
                             TuneSink &sink);

} // namespace weir

#endif // WEIR_API_TUNER_H
