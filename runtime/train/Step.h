//===- Step.h - data-parallel training steps over compiled functions -*- C++ -*-===//
//
// weir-build-train-step compiles three functions per model: @m_train
// (forward, loss, accuracy count and gradients of one batch), @m_apply
// (the optimizer update) and @m_eval (inference-mode loss and count).
// TrainStep calls them: the batch is split into one contiguous slice per
// replica (thread), every replica runs @m_train on its slice, the
// gradients are averaged weighted by slice size (the all-reduce), and
// @m_apply runs once. With a fixed thread count the arithmetic, and so the
// result, is identical from run to run.
//
// The functions are described by plain specs (roles and shapes read from
// the IR by the driver), so this file needs no MLIR.
//
//===----------------------------------------------------------------------===//
#ifndef WEIR_RUNTIME_TRAIN_STEP_H
#define WEIR_RUNTIME_TRAIN_STEP_H

#include "runtime/HostTensor.h"
#include "runtime/Status.h"
#include "runtime/ThreadPool.h"
#include "runtime/cpu/Invoke.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace weir {

enum class Role {
  Input,        ///< model input (batched)
  Target,       ///< labels or targets (batched)
  Rng,          ///< 0-d i64 key of the dropout masks
  LearningRate, ///< 0-d f32
  Iteration,    ///< 0-d f32, 1 for the first update
  Param,        ///< a parameter or optimizer state, by name
  Grad,         ///< a parameter's gradient, by name
  Loss,         ///< 0-d batch-mean loss
  Correct,      ///< 0-d f32 count of right predictions
  Updates,      ///< the new value of a parameter or state, by name
  Layer,        ///< a layer's output (the probe function), named by op and place
  AugmentKey,   ///< 0-d i64 key of the augmentations, the same on every replica
  ExampleOffset, ///< 0-d i64 index in the whole batch of the replica's first row
};

struct SlotSpec {
  Role role;
  std::string name; ///< the parameter, for Param/Grad/Updates
  DType dtype;
  std::vector<int64_t> shape; ///< -1 for the batch
};

struct FunctionSpec {
  std::string name;
  PackedFunction fn = nullptr;
  std::vector<SlotSpec> args, results;
};

struct StepMetrics {
  double loss = 0;     ///< mean over the batch
  double correct = 0;  ///< count
  int64_t examples = 0;
  /// Dynamic loss scaling skipped the update: a gradient was not finite.
  bool skipped = false;
  /// Without dynamic loss scaling: the first parameter (in name order)
  /// whose averaged gradient holds a NaN or an infinity; the update did not
  /// run. Empty when every gradient is finite.
  std::string nonFiniteGradient;
};

/// Loss scaling (docs/spec.md, "Loss scaling"). Under mixed_float16,
/// weir-build-train-step declares three 0-d f32 parameters, which @m_train
/// reads (the scale multiplies the loss gradient) and the step updates:
/// the same names as config::kLossScaleParam and its neighbours.
constexpr const char *kLossScaleParam = "loss_scale/scale";
constexpr const char *kGoodStepsParam = "loss_scale/good_steps";
constexpr const char *kSkippedStepsParam = "loss_scale/skipped_steps";

struct LossScaling {
  /// Keras' LossScaleOptimizer: a non-finite gradient skips the update and
  /// halves the scale; `growthInterval` finite steps in a row double it.
  /// Not dynamic: the scale stays, and a non-finite gradient is an error.
  bool dynamic = true;
  int64_t growthInterval = 2000;
};

/// The model state: every parameter and optimizer slot, by name.
using ParameterMap = std::map<std::string, HostTensor>;

class TrainStep {
public:
  /// Checks that every Param the functions read is in `state` with the
  /// right shape and that @m_apply updates exactly the trained parameters.
  static Result<std::unique_ptr<TrainStep>>
  create(FunctionSpec train, FunctionSpec apply, FunctionSpec eval,
         ParameterMap *state, unsigned replicas);

  /// One optimizer update on the batch (x, y): gradients on each replica's
  /// slice, averaged, then the update with `learningRate` at `iteration`
  /// (1-based). `rngKey` keys the dropout masks (each replica mixes in its
  /// index).
  Result<StepMetrics> step(const HostTensor &x, const HostTensor &y,
                           int64_t iteration, float learningRate,
                           uint64_t rngKey);

  /// The averaged gradients of the batch, without an update (for checks).
  Result<StepMetrics> gradients(const HostTensor &x, const HostTensor &y,
                                uint64_t rngKey, ParameterMap &grads);

  /// When `probe` is set (the model's training-mode forward pass returning
  /// every layer's output, in program order), the layer description of the
  /// first output of the batch holding a NaN or an infinity, or "" when
  /// none does.
  Result<std::string> firstNonFiniteLayer(const FunctionSpec &probe,
                                          const HostTensor &x,
                                          uint64_t rngKey);

  /// Inference-mode loss and count of one batch.
  Result<StepMetrics> evaluate(const HostTensor &x, const HostTensor &y);

  unsigned replicas() const { return replicas_; }

  /// Whether @m_train reads a loss scale (mixed_float16).
  bool lossScaled() const { return lossScaled_; }
  void setLossScaling(LossScaling scaling) { scaling_ = scaling; }
  /// The current scale (1 without loss scaling) and the updates skipped so
  /// far (both live in the state, so checkpoints carry them).
  float lossScale() const;
  int64_t skippedSteps() const;

private:
  TrainStep() = default;
  Status runGradients(const HostTensor &x, const HostTensor &y,
                      uint64_t rngKey, StepMetrics &metrics);
  /// Runs `f` on one contiguous slice of the batch per replica,
  /// concurrently; results[r] receives replica r's results.
  Status runReplicas(const FunctionSpec &f, const HostTensor &x,
                     const HostTensor *y, uint64_t rngKey,
                     std::vector<std::vector<HostTensor>> &results);
  /// Loss and count of the replicas' results; gradients and updated state
  /// go into grads_ and the state.
  StepMetrics reduceReplicas(const FunctionSpec &f, int64_t rows,
                             const std::vector<std::vector<HostTensor>> &results);
  Status allocateResults(const FunctionSpec &f, int64_t rows,
                         std::vector<HostTensor> &out);
  std::vector<ArgView> bind(const FunctionSpec &f, const HostTensor *x,
                            const HostTensor *y, int64_t begin, int64_t end,
                            const std::vector<HostTensor> &scalars);

  FunctionSpec train_, apply_, eval_;
  ParameterMap *state_ = nullptr;
  unsigned replicas_ = 1;
  std::unique_ptr<ThreadPool> pool_;
  /// Per replica: the results of @m_train.
  std::vector<std::vector<HostTensor>> replicaResults_;
  /// The averaged gradients, by name, in @m_apply's argument order.
  ParameterMap grads_;
  bool lossScaled_ = false;
  LossScaling scaling_;
  /// The gradients are divided by it as the replicas' results are reduced.
  float unscale_ = 1.0f;
};

} // namespace weir

#endif // WEIR_RUNTIME_TRAIN_STEP_H
