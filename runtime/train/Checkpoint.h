// Training checkpoints: one safetensors file holding the tensors (weights,
// optimizer state, whatever the caller names) and the training progress.
#pragma once

#include "runtime/Safetensors.h"
#include "runtime/Status.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace weir {

/// ReduceLrOnPlateau's state (runtime/train/ReduceLrOnPlateau.h).
struct PlateauState {
  double best = 0;
  int64_t wait = 0;
  int64_t cooldown = 0;
  double learningRate = 0; ///< the rate the next epoch trains with
};

/// Where training stands, enough to resume it exactly.
struct TrainingProgress {
  int64_t epoch = 0; // completed epochs
  int64_t step = 0;  // global optimizer steps done
  uint64_t seed = 0;
  // EarlyStopping's state (see EarlyStopping::save/restore).
  double bestMetric = 0;
  int64_t bestEpoch = -1; // -1: none yet
  int64_t epochsWithoutImprovement = 0;
  // The --save-best tracker's best value and epoch (-1: nothing saved yet).
  double savedBestMetric = 0;
  int64_t savedBestEpoch = -1;
  /// With reduce_lr_on_plateau: its state after the last epoch.
  std::optional<PlateauState> plateau;
  /// One map of logs per completed epoch, e.g. {"loss": 0.41, "acc": 0.85}.
  std::vector<std::map<std::string, double>> history;
};

/// The `__metadata__` key holding the progress as JSON.
constexpr const char *kProgressMetadataKey = "weir.progress";

/// The progress as a JSON object: {"version": 1, "epoch", "step", "seed"
/// (a decimal string: JSON integers stop at 2^63), "best_metric",
/// "best_epoch", "epochs_without_improvement", "saved_best_metric",
/// "saved_best_epoch", "reduce_lr_on_plateau": {"best", "wait",
/// "cooldown", "learning_rate"} (only with a plateau state), "history":
/// [{...}, ...]} (the saved_best fields are optional when read:
/// checkpoints before --save-best lack them).
/// Non-finite numbers are written as the strings "nan", "inf", "-inf".
std::string progressToJson(const TrainingProgress &progress);
/// Parses progressToJson's output; errors name the offending field.
Result<TrainingProgress> progressFromJson(std::string_view json);

/// Writes `tensors` (stored as given, in order; "dense.kernel",
/// "dense.kernel/adam_m", ...) and the progress under "weir.progress",
/// plus `extraMetadata`, to `path` atomically (temporary file, fsync,
/// rename: a crash leaves the previous checkpoint intact).
Status writeCheckpoint(const std::string &path,
                       const std::vector<NamedTensorRef> &tensors,
                       const TrainingProgress &progress,
                       const SafetensorsMetadata &extraMetadata = {});

/// A checkpoint read back.
struct Checkpoint {
  std::vector<NamedTensor> tensors;
  TrainingProgress progress;
  /// The other `__metadata__` entries.
  SafetensorsMetadata metadata;

  /// The tensor named `name`, or null.
  const HostTensor *find(std::string_view name) const;
};

/// Reads a checkpoint; errors start with the path and say whether the file
/// is not a valid safetensors file, has no "weir.progress" entry, or has a
/// garbled one.
Result<Checkpoint> readCheckpoint(const std::string &path);

} // namespace weir
