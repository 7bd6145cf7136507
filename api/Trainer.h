//===- Trainer.h - fit, evaluate, predict over a compiled model -*- C++ -*-===//
//
// The runtime half of Weir's API, in the spirit of Keras' Model.fit /
// evaluate / predict: a Trainer owns a compiled model (its training
// functions, the model state and the step that updates it) and runs epochs
// over arrays in memory, arrays on disk (IDX, .npz) or the model file's data
// pipelines. Progress goes to a FitSink, which the CLI prints and the Python
// module turns into a History dict; errors come back as Status values.
//
//===----------------------------------------------------------------------===//
#ifndef WEIR_API_TRAINER_H
#define WEIR_API_TRAINER_H

#include "api/Options.h"
#include "runtime/HostTensor.h"
#include "runtime/Status.h"
#include "runtime/train/Dataset.h"
#include "runtime/train/EarlyStopping.h"
#include "runtime/train/Progress.h"
#include "runtime/train/Step.h"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace weir {

class Session;
struct CodeTarget;
struct TrainingRun;

/// One epoch's logs, as Keras' History.history holds them per epoch:
/// loss, accuracy, val_loss, val_accuracy (the ones this run has).
using EpochLogs = std::map<std::string, double>;

/// Where examples come from. Exactly one of: arrays in memory (`arrays`,
/// owned by the caller, outliving the call), an array file (`path`: an IDX
/// directory or an .npz, and its `split`), or a data pipeline of the model
/// file (`pipeline`, by name). All empty: the train block's pipelines.
struct DataRef {
  const ArrayDataset *arrays = nullptr;
  std::string path;
  std::string split = "test";
  std::string pipeline;

  static DataRef inMemory(const ArrayDataset &a) {
    DataRef d;
    d.arrays = &a;
    return d;
  }
  static DataRef file(std::string path, std::string split) {
    DataRef d;
    d.path = std::move(path);
    d.split = std::move(split);
    return d;
  }
  static DataRef pipelineNamed(std::string name) {
    DataRef d;
    d.pipeline = std::move(name);
    return d;
  }
  bool empty() const { return !arrays && path.empty() && pipeline.empty(); }
};

/// The per-step progress of an epoch, for a progress bar.
struct BatchProgress {
  int64_t step = 0, steps = 0; ///< 1-based step of the epoch, and how many
  int64_t examples = 0;        ///< seen this epoch
  int64_t remaining = 0;       ///< examples left in the epoch
  double samplesPerSec = 0, loss = 0;
  std::optional<double> accuracy;
};

/// What one finished epoch reports.
struct EpochReport {
  EpochStats stats;
  EpochLogs logs;
  /// For a data pipeline: the share of the epoch spent waiting for data.
  std::optional<double> inputBoundPercent;
  /// Files the pipeline skipped (--on-bad-image=skip), "path: reason".
  std::vector<std::string> skipped;
  /// The learning rate of the epoch's last step.
  double learningRate = 0;
};

/// Receives a fit's progress. Every method has an empty default.
class FitSink {
public:
  virtual ~FitSink();
  virtual void onBatch(const BatchProgress &) {}
  /// The epoch's last batch ran; its summary (onEpoch) follows.
  virtual void onBatchesDone() {}
  virtual void onEpoch(const EpochReport &) {}
  /// One line a user should see: resuming, a fresh start without a
  /// checkpoint, early stopping, restored weights, the weights written.
  virtual void onNote(const std::string &) {}
  /// Asked after every batch and before every epoch: true ends the fit
  /// with an error (the model keeps the updates made so far). The Python
  /// module stops this way on Ctrl-C and on a callback that raised.
  virtual bool stopRequested() { return false; }
};

/// Keras' fit() arguments, and Weir's checkpointing (BackupAndRestore).
struct FitOptions {
  /// The training examples; empty: the train block's data pipeline.
  DataRef data;
  /// Validation examples, used when given. Empty, when the train block
  /// says `validate:`: with `data` a file, the file's test split; with
  /// pipelines, the `validate:` pipeline; with `data` in memory, none.
  DataRef validation;
  bool validate = true;  ///< false: no validation pass (--no-validation)
  int64_t epochs = 0;    ///< 0: the train block's
  int64_t batchSize = 0; ///< 0: the train block's
  /// The weights file written at the end; empty: none written.
  std::string output;
  /// Written atomically after every epoch; empty: none.
  std::string checkpoint;
  /// Continue from `checkpoint`; without one, start fresh (and say so).
  bool resume = false;
  /// The history as CSV, rewritten after every epoch (Keras' CSVLogger);
  /// empty: none. See api/TrainingLogs.h.
  std::string historyCsv;
  /// TensorBoard event files go to <logdir>/train and <logdir>/validation;
  /// empty: none. With logEvery > 0, the running loss (and accuracy)
  /// every logEvery steps too.
  std::string logdir;
  int64_t logEvery = 0;
  /// Keras' ModelCheckpoint(save_best_only=True): the weights are written
  /// here (atomically) after every epoch whose `saveBestMonitor` value beats
  /// every earlier epoch's (lower for losses, higher for accuracies; NaN
  /// never does); empty: none. The best value is kept in checkpoints, so a
  /// resumed run overwrites the file only with something better.
  std::string saveBest;
  std::string saveBestMonitor = "val_loss";
  /// Keras' fit(callbacks=[EarlyStopping(...)]): replaces the train
  /// block's early_stopping for this fit; with noEarlyStopping, none runs.
  std::optional<EarlyStoppingOptions> earlyStopping;
  bool noEarlyStopping = false;
  /// A test hook: exit like SIGKILL before this global step (-1: never).
  int64_t abortAtStep = -1;
};

/// What fit() returns.
struct FitResult {
  std::vector<EpochLogs> history; ///< every epoch so far, resumed ones too
  int64_t epochs = 0;             ///< epochs completed
  int64_t steps = 0;              ///< optimizer steps done
  bool stoppedEarly = false;
};

/// A compiled model with its state, ready to train, evaluate and predict.
class Trainer {
public:
  /// Compiles the training functions of `session` for `options.device`,
  /// initializes every parameter from `options.seed`, then loads
  /// `options.weights` (if any) over the model's parameters.
  static Result<std::unique_ptr<Trainer>> create(std::unique_ptr<Session> session,
                                                 const TrainerOptions &options);
  /// Like create, from a model file: the device is resolved first, so a
  /// bad --device is refused before anything is compiled.
  static Result<std::unique_ptr<Trainer>>
  load(const std::string &path, const SessionOptions &sessionOptions,
       const TrainerOptions &options);
  ~Trainer();

  /// Trains the epochs; progress goes to `sink`.
  Result<FitResult> fit(const FitOptions &options, FitSink &sink);
  /// Loss (mean), right predictions and examples over `data`, in
  /// inference mode.
  Result<StepMetrics> evaluate(const DataRef &data, int64_t batchSize = 512);
  /// The model's outputs for every example of `data`, in its order. Arrays
  /// in memory may come without targets (`y` a default HostTensor).
  Result<HostTensor> predict(const DataRef &data, int64_t batchSize = 512);
  /// The loss and the gradient of every trainable parameter on one batch
  /// made of all of `data` (no update).
  Result<std::pair<double, ParameterMap>> gradients(const DataRef &data);

  /// Runs the training step's gradients once on a batch of `batch` zero
  /// examples (label 0) and returns the bytes that compiled code held at
  /// its peak (runtime/cpu/AllocCounter.h). CPU only; meaningful with one
  /// thread, as the counter is process-wide.
  Result<int64_t> measureStepPeak(int64_t batch);

  /// The model's parameters (what a weights file holds), by name.
  std::vector<std::string> parameterNames() const;
  /// The train block's metrics (`accuracy`, ...).
  const std::vector<std::string> &metrics() const;
  /// Every tensor of the model state: parameters and optimizer slots.
  const ParameterMap &state() const;
  /// Writes the model's parameters as .safetensors (atomically).
  Status saveWeights(const std::string &path) const;

  /// Whether the model file has a data pipeline named `name`.
  bool hasPipeline(const std::string &name) const;
  /// The options the trainer runs with, `threads` resolved.
  const TrainerOptions &options() const { return options_; }

private:
  Trainer() = default;
  static Result<std::unique_ptr<Trainer>>
  start(std::unique_ptr<Session> session, TrainerOptions options,
        const CodeTarget &target);
  TrainerOptions options_;
  std::unique_ptr<Session> session_;
  std::unique_ptr<TrainingRun> run_;
};

/// Writes freshly initialized weights of every parameter of `session`'s
/// model (seeded by `seed`) as .safetensors (`weir init`).
Status writeInitialWeights(Session &session, uint64_t seed,
                           const std::string &path);

} // namespace weir

#endif // WEIR_API_TRAINER_H
