//===- TrainingLogs.h - a fit's history as CSV and TensorBoard events -*- C++ -*-===//
//
// What Keras' CSVLogger and TensorBoard callbacks write, for Trainer::fit:
// the history as a CSV file (rewritten atomically from the whole history
// after every epoch, resumed epochs included, so that it always agrees with
// the checkpoint), and TensorBoard event files in <logdir>/train and
// <logdir>/validation (epoch_loss, epoch_accuracy, epoch_learning_rate,
// epoch_samples_per_sec, epoch_input_bound_percent, epoch_loss_scale, and
// batch_loss / batch_accuracy every `logEvery` steps). Epochs count from 1,
// as the epoch lines do.
//
//===----------------------------------------------------------------------===//
#ifndef WEIR_API_TRAININGLOGS_H
#define WEIR_API_TRAININGLOGS_H

#include "api/Trainer.h"

#include <memory>
#include <string>
#include <vector>

namespace weir {

class EventFileWriter;

class TrainingLogs {
public:
  /// Opens what `options` asks for (historyCsv, logdir); the event files
  /// are created now, so that a bad --logdir fails before training.
  static Result<std::unique_ptr<TrainingLogs>> open(const FitOptions &options);
  ~TrainingLogs();

  /// After optimizer step `globalStep` (1-based, over the whole run).
  Status onBatch(int64_t globalStep, const BatchProgress &progress);
  /// After an epoch: `history` holds every epoch so far, this one last.
  Status onEpoch(const EpochReport &report,
                 const std::vector<EpochLogs> &history);

private:
  TrainingLogs() = default;
  FitOptions options_;
  std::unique_ptr<EventFileWriter> train_, validation_;
};

/// `weir plot`: the history CSV at `csvPath` (historyToCsv's format, or
/// Keras' CSVLogger's) drawn as one panel per metric, training and
/// validation curves together, into the PNG `pngPath` (runtime/plot).
Status plotHistoryFile(const std::string &csvPath, const std::string &pngPath);

/// The history as CSV: a header `epoch,<keys, sorted>` and one row per
/// epoch (1-based), an empty cell where an epoch lacks a key.
std::string historyToCsv(const std::vector<EpochLogs> &history);

} // namespace weir

#endif // WEIR_API_TRAININGLOGS_H
