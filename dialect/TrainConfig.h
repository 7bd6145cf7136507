//===- TrainConfig.h - weir.train_config as C++ values, and its key tables -*- C++ -*-===//
//
// getTrainingConfig() reads a verified weir.train_config with Keras'
// defaults filled in; that is what the trainer consumes. The op holds typed
// attributes (#weir.loss, #weir.optimizer, #weir.schedule, #weir.metric,
// #weir.early_stopping; OptimizerKind and ScheduleKind are their ODS enums).
// The key tables below are the ones their verifiers check against; the
// .weir front end uses them too, so that it reports the same mistakes at
// the user's source line.
//
//===----------------------------------------------------------------------===//
#ifndef WEIR_DIALECT_TRAINCONFIG_H
#define WEIR_DIALECT_TRAINCONFIG_H

#include "dialect/WeirOps.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace weir {

struct LearningRateSchedule {
  ScheduleKind kind = ScheduleKind::Constant;
  double initial = 0.001;
  int64_t decaySteps = 1;
  double decayRate = 1.0;
  bool staircase = false;
  double alpha = 0.0;
  /// Cosine decay's linear warm-up (Keras 3): from `initial` to
  /// `warmupTarget` over `warmupSteps` steps, then the decay from
  /// `warmupTarget`. No target: no warm-up.
  std::optional<double> warmupTarget;
  int64_t warmupSteps = 0;

  /// The learning rate at optimizer step `step` (0-based), as Keras computes it.
  double at(int64_t step) const;
};

/// Default-constructed, this is Keras' default optimizer, RMSprop().
struct OptimizerConfig {
  OptimizerKind kind = OptimizerKind::RMSprop;
  LearningRateSchedule learningRate;
  double momentum = 0, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7,
         weightDecay = 0, rho = 0.9;
  bool nesterov = false;
};

struct EarlyStoppingConfig {
  std::string monitor = "val_loss";
  int64_t patience = 0;
  double minDelta = 0;
  bool restoreBestWeights = false;
};

/// Keras' ReduceLROnPlateau, its defaults.
struct ReduceLrOnPlateauConfig {
  std::string monitor = "val_loss";
  double factor = 0.1;
  int64_t patience = 10;
  double minDelta = 1e-4;
  int64_t cooldown = 0;
  double minLr = 0;
};

/// Keras' ModelCheckpoint (weights only), its defaults.
struct ModelCheckpointConfig {
  std::string monitor = "val_loss";
  bool saveBestOnly = false;
};

struct TrainingConfig {
  std::string model;
  LossKind loss = LossKind::mean_squared_error;
  bool fromLogits = false;
  OptimizerConfig optimizer;
  std::vector<std::string> metrics;
  int64_t epochs = 1, batchSize = 32;
  bool validate = false;
  /// The weir.pipeline symbols of the training and validation data; empty
  /// when the data comes from arrays (`weir train --data`).
  std::string data, validationData;
  std::optional<EarlyStoppingConfig> earlyStopping;
  std::optional<ReduceLrOnPlateauConfig> reduceLrOnPlateau;
  std::optional<ModelCheckpointConfig> checkpoint;
  PrecisionKind precision = PrecisionKind::float32;
  /// Under mixed_float16: a fixed loss scale, or none for dynamic scaling.
  std::optional<double> lossScale;
};

/// The configuration of a verified op, Keras defaults filled in.
TrainingConfig getTrainingConfig(TrainConfigOp op);

/// The module's weir.train_config, or null.
TrainConfigOp findTrainConfig(mlir::ModuleOp module);

//===----------------------------------------------------------------------===//
// What the op accepts (docs/spec.md, weir.train_config)
//===----------------------------------------------------------------------===//

llvm::ArrayRef<llvm::StringRef> lossNames();
llvm::ArrayRef<llvm::StringRef> optimizerNames();
llvm::ArrayRef<llvm::StringRef> scheduleNames();
llvm::ArrayRef<llvm::StringRef> metricNames();
llvm::ArrayRef<llvm::StringRef> precisionNames();

/// The names of the groups and keys that code outside the tables refers
/// to (the front end reads `learning_rate: cosine_decay(...)` and the
/// monitor), so that no config key is spelled outside dialect/.
namespace config {
constexpr llvm::StringLiteral kTrain = "train";
constexpr llvm::StringLiteral kEarlyStopping = "early_stopping";
constexpr llvm::StringLiteral kReduceLrOnPlateau = "reduce_lr_on_plateau";
constexpr llvm::StringLiteral kCheckpoint = "checkpoint";
constexpr llvm::StringLiteral kLearningRate = "learning_rate";
constexpr llvm::StringLiteral kInitialLearningRate = "initial_learning_rate";
constexpr llvm::StringLiteral kMonitor = "monitor";
constexpr llvm::StringLiteral kFromLogits = "from_logits";
constexpr llvm::StringLiteral kEpochs = "epochs";
constexpr llvm::StringLiteral kBatchSize = "batch_size";
constexpr llvm::StringLiteral kValidate = "validate";
constexpr llvm::StringLiteral kPrecision = "precision";
constexpr llvm::StringLiteral kLossScale = "loss_scale";
/// Loss scaling's state: the parameters weir-build-train-step declares
/// under mixed_float16 and the runtime updates (runtime/train/Step.h spells
/// the same names; docs/spec.md, "Loss scaling").
constexpr llvm::StringLiteral kLossScaleParam = "loss_scale/scale";
constexpr llvm::StringLiteral kGoodStepsParam = "loss_scale/good_steps";
constexpr llvm::StringLiteral kSkippedStepsParam = "loss_scale/skipped_steps";
/// Keras' LossScaleOptimizer: the dynamic scale starts at 2^15.
constexpr double kInitialLossScale = 32768.0;
} // namespace config

/// Keyed values are checked against one table per *group*: an optimizer
/// ("adam": its optimizer_options), a schedule ("cosine_decay"),
/// "early_stopping", or "train" (epochs, batch_size, validate, precision, loss_scale). The keys
/// of `group`, in Keras' argument order; empty for an unknown group.
llvm::ArrayRef<llvm::StringRef> keysOf(llvm::StringRef group);
/// Whether `key` of `group` has no default (decay_steps of a schedule).
bool isRequiredKey(llvm::StringRef group, llvm::StringRef key);
/// What a value of `key` (a key of `group`) must be, as diagnostics say it:
/// "a number > 0", "true or false", "one of loss, val_loss".
std::string describeKeyValue(llvm::StringRef group, llvm::StringRef key);
/// Checks the kind and the range of `value` for `key` of `group`; reports
/// through `emitError` ("learning_rate of adam must be a number > 0, got
/// -1.0") and fails when it is wrong. Numbers are FloatAttr (f64) or
/// IntegerAttr, flags BoolAttr, names StringAttr.
mlir::LogicalResult checkKeyValue(llvm::StringRef group, llvm::StringRef key,
                                  mlir::Attribute value, EmitFn emitError);
/// `value` as the attributes store it: an integer given for a key that
/// takes a number becomes an f64 (learning_rate = 1 is 1.0); anything else
/// is returned as it is.
mlir::Attribute normalizeKeyValue(llvm::StringRef group, llvm::StringRef key,
                                  mlir::Attribute value);
/// How `value` reads in a diagnostic: 3, 0.001, true, 'val_loss', a list.
std::string describeValue(mlir::Attribute value);

} // namespace weir

#endif // WEIR_DIALECT_TRAINCONFIG_H
