//===- Summary.h - Keras' model.summary() of a compiled model -*- C++ -*-===//
//
// `weir summary`: the model's layers in order, each with its type, output
// shape, parameter count, what it is connected to and where the source
// defines it. Read from the module that weir-model-pipeline typed, through
// the layer locations the front end gives every op (dialect/Layers.h), so
// that it describes what was compiled, .weir or MLIR alike.
//
//===----------------------------------------------------------------------===//
#ifndef WEIR_API_SUMMARY_H
#define WEIR_API_SUMMARY_H

#include "passes/MemoryPlan.h"
#include "runtime/Status.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace weir {

class Session;

/// One row: a model input or a layer.
struct LayerSummary {
  std::string name;
  /// Keras' class name (Conv2D, Dense, BatchNormalization, ...) or, for a
  /// model input, "Input".
  std::string type;
  /// The output type: "(None, 26, 26, 32)", the element type after it
  /// when it is not f32, e.g. "(None, 10) bf16".
  std::string output;
  /// Parameter elements, and their bytes.
  int64_t trainable = 0, nonTrainable = 0;
  int64_t trainableBytes = 0, nonTrainableBytes = 0;
  /// The layers (or inputs) whose outputs this one reads, in operand order.
  std::vector<std::string> inputs;
  /// file:line:col of the call (or input) in the source.
  std::string location;

  int64_t params() const { return trainable + nonTrainable; }
};

struct ModelSummary {
  std::string model;
  std::vector<LayerSummary> layers;
  /// Every row reads only the row before it (Keras' Sequential): the
  /// table needs no "Connected to" column.
  bool sequential = true;
  int64_t trainable = 0, nonTrainable = 0;
  int64_t trainableBytes = 0, nonTrainableBytes = 0;
};

/// The summary of the model function `function` (empty: the first) of the
/// session's module, which must not have been lowered yet.
Result<ModelSummary> summarizeModel(Session &session,
                                    const std::string &function);

/// The summary as a table, in the layout of Keras' model.summary().
std::string formatSummary(const ModelSummary &summary);

/// Keras' readable size: 136.04 KB (1024-based; B, KB, MB, GB).
std::string readableBytes(int64_t bytes);

/// The memory plan of one training step: the train function (forward,
/// loss, gradients) of the module's `train` block, bufferized as
/// weir-cpu-lowering-pipeline does (or, for CUDA, as its host code after
/// weir-cuda-kernel-pipeline), planned for `batch` examples (one replica's
/// slice). Builds the training functions and lowers the module: the
/// session is spent afterwards.
struct TrainingMemoryPlan {
  MemoryPlan step;
  int64_t batch = 0;
  std::string target = "cpu";
};
/// With `target` "cuda": the plan of the CUDA host code's gpu.alloc and
/// gpu.dealloc after weir-cuda-kernel-pipeline (one replica).
Result<TrainingMemoryPlan> planTrainingMemory(Session &session, int64_t batch,
                                              const std::string &target = "cpu");

/// The batch of the session's train block (0 without one).
int64_t trainBlockBatchSize(Session &session);

/// The plan as text: the peak, what the step allocates in all, the largest
/// `top` buffers live at the peak with their layers and locations, and the
/// measured peak of one step when there is one.
std::string formatMemoryPlan(const TrainingMemoryPlan &plan, size_t top,
                             std::optional<int64_t> measuredPeak);

} // namespace weir

#endif // WEIR_API_SUMMARY_H
