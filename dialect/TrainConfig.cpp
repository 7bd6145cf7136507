//===- TrainConfig.cpp - weir.train_config verifier and accessors --------===//
//
// The op's own constraints (its keyed attributes verify themselves, in
// TrainConfigAttrs.cpp), and getTrainingConfig, which reads the typed
// attributes with Keras' defaults filled in (docs/spec.md).
//
//===----------------------------------------------------------------------===//
#include "dialect/TrainConfig.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/Support/MathExtras.h"

#include <cmath>

using namespace mlir;
using namespace weir;
using llvm::StringRef;

//===----------------------------------------------------------------------===//
// The verifier
//===----------------------------------------------------------------------===//

LogicalResult TrainConfigOp::verifySymbolUses(SymbolTableCollection &tables) {
  // train_config_c1: the model is a function of the module.
  if (!tables.lookupNearestSymbolFrom<func::FuncOp>(*this, getModelAttr()))
    return emitOpError() << "'@" << getModel()
                         << "' does not name a func.func in the module";
  // train_config_c14: with data, the data and the validation data name
  // pipelines.
  if (FlatSymbolRefAttr data = getDataAttr()) {
    if (!tables.lookupNearestSymbolFrom<PipelineOp>(*this, data))
      return emitOpError() << "data '@" << data.getValue()
                           << "' does not name a weir.pipeline";
    if (StringAttr validate = getValidateAttr())
      if (!tables.lookupNearestSymbolFrom<PipelineOp>(
              *this, StringAttr::get(getContext(), validate.getValue())))
        return emitOpError() << "validate '" << validate.getValue()
                             << "' does not name a weir.pipeline";
  }
  return success();
}

LogicalResult TrainConfigOp::verify() {
  auto emit = [this] { return emitOpError(); };
  // train_config_c2 and c4 hold by the attributes' types; c5 and c6 are
  // checked by #weir.optimizer and #weir.schedule.
  // train_config_c3: MSE compares values; there are no logits to normalize.
  if (getFromLogits() && getLoss() == LossKind::mean_squared_error)
    return emitOpError() << "from_logits does not apply to mean_squared_error";
  // train_config_c7: the schedule starts from the optimizer's rate.
  if (getScheduleAttr() && !getOptimizer().getLearningRate())
    return emitOpError() << "a schedule needs the optimizer's learning_rate, "
                            "its initial learning rate";
  // train_config_c8
  llvm::SmallVector<MetricKind> seen;
  for (auto metric : getMetrics().getAsRange<MetricKindAttr>()) {
    if (llvm::is_contained(seen, metric.getValue()))
      return emitOpError() << "metric '"
                           << stringifyMetricKind(metric.getValue())
                           << "' is listed twice";
    seen.push_back(metric.getValue());
  }
  // train_config_c9
  if (failed(checkKeyValue("train", "epochs", getEpochsAttr(), emit)) ||
      failed(checkKeyValue("train", "batch_size", getBatchSizeAttr(), emit)))
    return failure();
  // train_config_c10
  if (StringAttr validate = getValidateAttr(); validate && !getData())
    if (failed(checkKeyValue("train", "validate", validate, emit)))
      return failure();
  // train_config_c15: a fixed loss scale is positive.
  if (FloatAttr scale = getLossScaleAttr())
    if (failed(checkKeyValue("train", "loss_scale", scale, emit)))
      return failure();
  if (EarlyStoppingAttr early = getEarlyStoppingAttr()) {
    // train_config_c11 is #weir.early_stopping's.
    // train_config_c12: val_* only exists when the model is validated.
    StringAttr monitor = early.getMonitor();
    StringRef watched = monitor ? monitor.getValue() : "val_loss";
    if (watched.starts_with("val_") && !getValidate())
      return emitOpError() << "early_stopping monitors " << watched
                           << ", which needs validate";
  }
  if (ReduceLrOnPlateauAttr plateau = getReduceLrOnPlateauAttr()) {
    // train_config_c16 is #weir.reduce_lr_on_plateau's.
    // train_config_c17: val_* only exists when the model is validated.
    StringAttr monitor = plateau.getMonitor();
    StringRef watched = monitor ? monitor.getValue() : "val_loss";
    if (watched.starts_with("val_") && !getValidate())
      return emitOpError() << "reduce_lr_on_plateau monitors " << watched
                           << ", which needs validate";
    // train_config_c18: it sets the learning rate, which a schedule owns.
    if (getSchedule())
      return emitOpError() << "reduce_lr_on_plateau sets the learning rate, "
                              "so it cannot be combined with a schedule";
  }
  if (ModelCheckpointAttr checkpoint = getCheckpointAttr()) {
    // train_config_c19 is #weir.checkpoint's.
    // train_config_c20: val_* only exists when the model is validated.
    StringAttr monitor = checkpoint.getMonitor();
    StringRef watched = monitor ? monitor.getValue() : "val_loss";
    bool best = checkpoint.getSaveBestOnly() &&
                checkpoint.getSaveBestOnly().getValue();
    if (best && watched.starts_with("val_") && !getValidate())
      return emitOpError() << "checkpoint monitors " << watched
                           << ", which needs validate";
  }
  // train_config_c13
  auto module = (*this)->getParentOfType<ModuleOp>();
  auto configs = module.getOps<TrainConfigOp>();
  TrainConfigOp first = *configs.begin();
  if (first != *this) {
    InFlightDiagnostic d = emitOpError()
                           << "is the second weir.train_config of the module "
                              "(a module has at most one)";
    d.attachNote(first.getLoc()) << "the first is here";
    return d;
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Accessors
//===----------------------------------------------------------------------===//

double LearningRateSchedule::at(int64_t step) const {
  switch (kind) {
  case ScheduleKind::Constant:
    return initial;
  case ScheduleKind::ExponentialDecay: {
    double p = static_cast<double>(step) / static_cast<double>(decaySteps);
    if (staircase)
      p = std::floor(p);
    return initial * std::pow(decayRate, p);
  }
  case ScheduleKind::CosineDecay: {
    // Keras 3's CosineDecay.__call__: the step is clamped to the end of
    // the decay, the warm-up climbs linearly, the decay starts from its
    // target.
    double from = initial;
    int64_t s = std::min(step, decaySteps);
    if (warmupTarget) {
      s = std::min(step, decaySteps + warmupSteps);
      if (s < warmupSteps)
        return initial + (*warmupTarget - initial) * static_cast<double>(s) /
                             static_cast<double>(warmupSteps);
      s -= warmupSteps;
      from = *warmupTarget;
    }
    double p = static_cast<double>(s) / static_cast<double>(decaySteps);
    double cosine = 0.5 * (1 + std::cos(llvm::numbers::pi * p));
    return from * ((1 - alpha) * cosine + alpha);
  }
  }
  return initial;
}

/// A given option, or the default already in `field`.
static void read(FloatAttr a, double &field) {
  if (a)
    field = a.getValueAsDouble();
}
static void read(IntegerAttr a, int64_t &field) {
  if (a)
    field = a.getInt();
}
static void read(BoolAttr a, bool &field) {
  if (a)
    field = a.getValue();
}

TrainingConfig weir::getTrainingConfig(TrainConfigOp op) {
  TrainingConfig c;
  c.model = op.getModel().str();
  c.loss = op.getLoss();
  c.fromLogits = op.getFromLogits();

  OptimizerConfig &o = c.optimizer;
  OptimizerAttr opt = op.getOptimizer();
  o.kind = opt.getKind();
  // Keras' defaults that differ from OptimizerConfig's.
  if (o.kind == OptimizerKind::SGD)
    o.learningRate.initial = 0.01;
  if (o.kind == OptimizerKind::AdamW)
    o.weightDecay = 0.004;
  read(opt.getLearningRate(), o.learningRate.initial);
  read(opt.getMomentum(), o.momentum);
  read(opt.getBeta1(), o.beta1);
  read(opt.getBeta2(), o.beta2);
  read(opt.getEpsilon(), o.epsilon);
  read(opt.getWeightDecay(), o.weightDecay);
  read(opt.getRho(), o.rho);
  read(opt.getNesterov(), o.nesterov);

  if (ScheduleAttr schedule = op.getScheduleAttr()) {
    LearningRateSchedule &s = o.learningRate;
    s.kind = schedule.getKind();
    read(schedule.getDecaySteps(), s.decaySteps);
    read(schedule.getDecayRate(), s.decayRate);
    read(schedule.getStaircase(), s.staircase);
    read(schedule.getAlpha(), s.alpha);
    if (FloatAttr target = schedule.getWarmupTarget())
      s.warmupTarget = target.getValueAsDouble();
    read(schedule.getWarmupSteps(), s.warmupSteps);
  }

  for (auto metric : op.getMetrics().getAsRange<MetricKindAttr>())
    c.metrics.push_back(stringifyMetricKind(metric.getValue()).str());
  c.epochs = op.getEpochs();
  c.batchSize = op.getBatchSize();
  c.validate = op.getValidate().has_value();
  if (op.getData()) {
    c.data = op.getData()->str();
    if (c.validate)
      c.validationData = op.getValidate()->str();
  }
  if (EarlyStoppingAttr early = op.getEarlyStoppingAttr()) {
    EarlyStoppingConfig e;
    if (StringAttr monitor = early.getMonitor())
      e.monitor = monitor.str();
    read(early.getPatience(), e.patience);
    read(early.getMinDelta(), e.minDelta);
    read(early.getRestoreBestWeights(), e.restoreBestWeights);
    c.earlyStopping = e;
  }
  if (ReduceLrOnPlateauAttr plateau = op.getReduceLrOnPlateauAttr()) {
    ReduceLrOnPlateauConfig r;
    if (StringAttr monitor = plateau.getMonitor())
      r.monitor = monitor.str();
    read(plateau.getFactor(), r.factor);
    read(plateau.getPatience(), r.patience);
    read(plateau.getMinDelta(), r.minDelta);
    read(plateau.getCooldown(), r.cooldown);
    read(plateau.getMinLr(), r.minLr);
    c.reduceLrOnPlateau = r;
  }
  if (ModelCheckpointAttr checkpoint = op.getCheckpointAttr()) {
    ModelCheckpointConfig m;
    if (StringAttr monitor = checkpoint.getMonitor())
      m.monitor = monitor.str();
    read(checkpoint.getSaveBestOnly(), m.saveBestOnly);
    c.checkpoint = m;
  }
  if (std::optional<PrecisionKind> precision = op.getPrecision())
    c.precision = *precision;
  if (FloatAttr scale = op.getLossScaleAttr())
    c.lossScale = scale.getValueAsDouble();
  return c;
}

TrainConfigOp weir::findTrainConfig(ModuleOp module) {
  auto configs = module.getOps<TrainConfigOp>();
  return configs.empty() ? TrainConfigOp() : *configs.begin();
}
