// Early stopping with Keras 3's semantics (keras.callbacks.EarlyStopping).
#pragma once

#include "runtime/Status.h"
#include "runtime/train/Checkpoint.h"

#include <cstdint>
#include <optional>
#include <string>

namespace weir {

struct EarlyStoppingOptions {
  /// The logged value to watch: "val_loss", "loss", "val_acc", ...
  std::string monitor = "val_loss";
  /// Auto: Min when the name (less a "val_" prefix) is or ends in "loss",
  /// Max when it contains "acc"; any other name needs Min or Max.
  enum class Mode { Auto, Min, Max } mode = Mode::Auto;
  /// An improvement must beat the best by more than this (its sign is
  /// ignored).
  double minDelta = 0;
  /// Epochs without improvement after which training stops.
  int64_t patience = 0;
  /// Whether the caller keeps the best epoch's weights and puts them back
  /// when training ends (see shouldSnapshotWeights, shouldRestoreWeights).
  bool restoreBestWeights = false;
  /// A value an improvement must also beat to reset the patience count.
  std::optional<double> baseline;
  /// Epochs before this index are not monitored (warm-up).
  int64_t startFromEpoch = 0;
};

/// Decides after each epoch whether to stop. Epochs are 0-based indices,
/// as in Keras' on_epoch_end. The algorithm is Keras 3's: every monitored
/// epoch adds one to the wait count; an improvement (a value below
/// best - minDelta for Min, above best + minDelta for Max) becomes the best
/// and resets the wait if it also beats the baseline (when there is one);
/// otherwise training stops once wait >= patience, never at epoch 0. NaN
/// never improves.
class EarlyStopping {
public:
  static Result<EarlyStopping> create(EarlyStoppingOptions options);

  /// Records the monitored value of `epoch`; true when training should stop.
  bool update(int64_t epoch, double value);

  const EarlyStoppingOptions &options() const { return options_; }
  bool minimizes() const { return minimize_; }
  /// The best value so far (+inf for Min, -inf for Max before any).
  double best() const { return best_; }
  /// The epoch of the best value (or of the first snapshot); -1 before any.
  int64_t bestEpoch() const { return bestEpoch_; }
  int64_t wait() const { return wait_; }
  /// Whether the latest update() improved on the best.
  bool latestIsBest() const { return latestIsBest_; }
  /// Whether the caller should copy the weights now, after update(): with
  /// restoreBestWeights, at an improvement or at the first monitored epoch
  /// (Keras keeps those weights until something beats them).
  bool shouldSnapshotWeights() const { return snapshot_; }
  /// Whether, when training ends (stopped early or not), the caller should
  /// put back the weights of bestEpoch().
  bool shouldRestoreWeights() const {
    return options_.restoreBestWeights && bestEpoch_ >= 0;
  }

  /// Stores best, best epoch and wait in `progress`, for checkpoints.
  void save(TrainingProgress &progress) const;
  /// Continues from a checkpoint's state (--resume).
  void restore(const TrainingProgress &progress);

private:
  explicit EarlyStopping(EarlyStoppingOptions options, bool minimize);
  bool improves(double value, double reference) const;

  EarlyStoppingOptions options_;
  bool minimize_ = true;
  double best_ = 0;
  int64_t bestEpoch_ = -1;
  int64_t wait_ = 0;
  bool latestIsBest_ = false, snapshot_ = false;
};

} // namespace weir
