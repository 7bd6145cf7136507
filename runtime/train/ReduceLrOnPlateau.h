// Keras 3's ReduceLROnPlateau callback (keras.callbacks.ReduceLROnPlateau).
#pragma once

#include "runtime/Status.h"
#include "runtime/train/Checkpoint.h"

#include <cstdint>
#include <string>

namespace weir {

struct ReduceLrOnPlateauOptions {
  /// The logged value to watch: minimized unless its name contains "acc".
  std::string monitor = "val_loss";
  /// The learning rate is multiplied by this, in (0, 1).
  double factor = 0.1;
  /// Epochs without improvement before a reduction.
  int64_t patience = 10;
  /// An improvement must beat the best by more than this.
  double minDelta = 1e-4;
  /// Epochs after a reduction during which no epoch counts against it.
  int64_t cooldown = 0;
  /// The learning rate never goes below this.
  double minLr = 0;
};

/// Decides after each epoch whether to lower the learning rate, with Keras
/// 3's algorithm: during a cooldown each epoch counts the cooldown down and
/// clears the wait; an improvement (below best - minDelta, or above best +
/// minDelta for accuracies) becomes the best and clears the wait; any other
/// epoch outside a cooldown adds one to the wait, and at `patience` the
/// rate becomes max(rate * factor, minLr) when it is above minLr, a
/// cooldown starts and the wait clears. NaN never improves.
class ReduceLrOnPlateau {
public:
  static Result<ReduceLrOnPlateau> create(ReduceLrOnPlateauOptions options,
                                          double learningRate);

  /// Records the monitored value of an epoch; true when it lowered the
  /// learning rate.
  bool update(double value);

  double learningRate() const { return state_.learningRate; }
  const ReduceLrOnPlateauOptions &options() const { return options_; }
  int64_t wait() const { return state_.wait; }
  double best() const { return state_.best; }

  /// The state, for checkpoints, and back (--resume).
  const PlateauState &state() const { return state_; }
  void restore(const PlateauState &state) { state_ = state; }

private:
  ReduceLrOnPlateau(ReduceLrOnPlateauOptions options, double learningRate);

  ReduceLrOnPlateauOptions options_;
  bool minimize_ = true;
  PlateauState state_;
};

} // namespace weir
