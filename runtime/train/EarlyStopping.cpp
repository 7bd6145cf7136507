// EarlyStopping: Keras 3's on_epoch_end, and its state in TrainingProgress.
#include "runtime/train/EarlyStopping.h"

#include <cmath>

using namespace weir;

namespace {
bool endsWith(const std::string &s, const std::string &suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}
} // namespace

EarlyStopping::EarlyStopping(EarlyStoppingOptions options, bool minimize)
    : options_(std::move(options)), minimize_(minimize),
      best_(minimize ? INFINITY : -INFINITY) {
  options_.minDelta = std::fabs(options_.minDelta);
}

Result<EarlyStopping> EarlyStopping::create(EarlyStoppingOptions options) {
  using Mode = EarlyStoppingOptions::Mode;
  if (options.patience < 0)
    return Status::error("early stopping: patience must be >= 0, got " +
                         std::to_string(options.patience));
  if (!std::isfinite(options.minDelta))
    return Status::error("early stopping: min_delta must be finite");
  bool minimize = options.mode == Mode::Min;
  if (options.mode == Mode::Auto) {
    std::string name = options.monitor;
    if (name.rfind("val_", 0) == 0)
      name = name.substr(4);
    if (endsWith(name, "loss"))
      minimize = true;
    else if (name.find("acc") != std::string::npos)
      minimize = false;
    else
      return Status::error("early stopping: cannot tell whether '" +
                           options.monitor +
                           "' should be minimized or maximized; give the "
                           "mode (min or max)");
  }
  return EarlyStopping(std::move(options), minimize);
}

bool EarlyStopping::improves(double value, double reference) const {
  // False for NaN either way.
  return minimize_ ? value + options_.minDelta < reference
                   : value - options_.minDelta > reference;
}

bool EarlyStopping::update(int64_t epoch, double value) {
  latestIsBest_ = snapshot_ = false;
  if (epoch < options_.startFromEpoch)
    return false;
  if (options_.restoreBestWeights && bestEpoch_ < 0) {
    // Nothing kept yet: these weights are the best so far.
    snapshot_ = true;
    bestEpoch_ = epoch;
  }
  ++wait_;
  if (improves(value, best_)) {
    best_ = value;
    bestEpoch_ = epoch;
    latestIsBest_ = true;
    snapshot_ = options_.restoreBestWeights;
    if (!options_.baseline || improves(value, *options_.baseline))
      wait_ = 0;
    return false;
  }
  return wait_ >= options_.patience && epoch > 0;
}

void EarlyStopping::save(TrainingProgress &progress) const {
  progress.bestMetric = best_;
  progress.bestEpoch = bestEpoch_;
  progress.epochsWithoutImprovement = wait_;
}

void EarlyStopping::restore(const TrainingProgress &progress) {
  bestEpoch_ = progress.bestEpoch;
  wait_ = progress.epochsWithoutImprovement;
  // A fresh progress (no best epoch yet) starts from the initial best.
  best_ = bestEpoch_ >= 0 ? progress.bestMetric
                          : (minimize_ ? INFINITY : -INFINITY);
  latestIsBest_ = snapshot_ = false;
}
