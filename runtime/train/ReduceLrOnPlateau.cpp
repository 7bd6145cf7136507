//===- ReduceLrOnPlateau.cpp - Keras' ReduceLROnPlateau --------------------===//
#include "runtime/train/ReduceLrOnPlateau.h"

#include <algorithm>
#include <cmath>

using namespace weir;

ReduceLrOnPlateau::ReduceLrOnPlateau(ReduceLrOnPlateauOptions options,
                                     double learningRate)
    : options_(std::move(options)) {
  // Keras' mode "auto": maximized when the name has "acc" in it.
  minimize_ = options_.monitor.find("acc") == std::string::npos;
  state_.best = minimize_ ? INFINITY : -INFINITY;
  state_.learningRate = learningRate;
}

Result<ReduceLrOnPlateau>
ReduceLrOnPlateau::create(ReduceLrOnPlateauOptions options,
                          double learningRate) {
  if (!(options.factor > 0 && options.factor < 1))
    return Status::error("reduce_lr_on_plateau: factor must be in (0, 1), got " +
                         std::to_string(options.factor));
  if (options.patience < 0 || options.cooldown < 0 || options.minDelta < 0 ||
      options.minLr < 0)
    return Status::error("reduce_lr_on_plateau: patience, cooldown, min_delta "
                         "and min_lr must be >= 0");
  if (!(learningRate > 0))
    return Status::error("reduce_lr_on_plateau: the learning rate must be > 0");
  return ReduceLrOnPlateau(std::move(options), learningRate);
}

bool ReduceLrOnPlateau::update(double value) {
  if (state_.cooldown > 0) {
    --state_.cooldown;
    state_.wait = 0;
  }
  // False for NaN either way.
  bool better = minimize_ ? value < state_.best - options_.minDelta
                          : value > state_.best + options_.minDelta;
  if (better) {
    state_.best = value;
    state_.wait = 0;
    return false;
  }
  // Keras tests the cooldown again here, after counting it down.
  if (state_.cooldown > 0)
    return false;
  if (++state_.wait < options_.patience)
    return false;
  // Keras compares with min_lr as float32, the variable's dtype.
  if (!(state_.learningRate > static_cast<float>(options_.minLr)))
    return false;
  state_.learningRate =
      std::max(state_.learningRate * options_.factor, options_.minLr);
  state_.cooldown = options_.cooldown;
  state_.wait = 0;
  return true;
}
