//===- Batches.h - where a Trainer gets its batches -------------*- C++ -*-===//
//
// Two sources behind one interface: arrays in memory (IDX or .npz, through
// Batcher) and the input-pipeline engine running a `data` pipeline of the
// module (PNG directories). The pipeline's spec is read from the weir.pipeline
// op after weir-place-pipeline: only its host stages are left there.
//
//===----------------------------------------------------------------------===//
#ifndef WEIR_API_BATCHES_H
#define WEIR_API_BATCHES_H

#include "runtime/pipeline/Pipeline.h"
#include "runtime/train/Batcher.h"

#include "mlir/IR/BuiltinOps.h"

#include <functional>
#include <memory>
#include <string>

namespace weir {

class BatchSource {
public:
  virtual ~BatchSource() = default;
  virtual int64_t numExamples() const = 0;
  virtual int64_t stepsPerEpoch() const = 0;
  /// Starts (or restarts) epoch `epoch`.
  virtual Status startEpoch(int64_t epoch) = 0;
  /// The next batch of the epoch, valid until the next call; false after
  /// the last.
  virtual Result<bool> next(const HostTensor *&x, const HostTensor *&y) = 0;
  /// Ends the epoch after its last batch (a pipeline then writes its cache
  /// file, if it has one).
  virtual Status finishEpoch() { return Status(); }
  /// Seconds the caller waited for data in this epoch (0 for arrays).
  virtual double waitSeconds() const { return 0; }
  /// Files skipped this epoch (--on-bad-image=skip), "path: reason".
  virtual std::vector<std::string> skipped() const { return {}; }
  /// The class-folder names label i stands for (a pipeline with inferred
  /// labels); empty for arrays.
  virtual std::vector<std::string> classNames() const { return {}; }
};

/// Calls `fn` on every batch of one pass (the source's epoch 0), in order;
/// stops at the first error.
Status forEachBatch(BatchSource &batches,
                    const std::function<Status(const HostTensor &x,
                                               const HostTensor &y)> &fn);

/// Batches of arrays in memory, in a seeded order when `shuffle`.
std::unique_ptr<BatchSource> arrayBatches(Batcher batcher);

struct PipelineOptions {
  uint64_t runSeed = 0;
  pipeline::OnBadImage onBadImage = pipeline::OnBadImage::Fail;
  size_t maxMemoryBytes = size_t(1) << 30;
  bool verbose = false;
  /// Overrides the pipeline's batch size when positive.
  int64_t batchSize = 0;
};

/// The engine's spec of the weir.pipeline `name` of `module` (after
/// weir-place-pipeline). Errors name the stage's file:line:col.
Result<pipeline::PipelineSpec> pipelineSpecOf(mlir::ModuleOp module,
                                              const std::string &name,
                                              const PipelineOptions &options);

/// Opens the pipeline `name` of `module`.
Result<std::unique_ptr<BatchSource>>
pipelineBatches(mlir::ModuleOp module, const std::string &name,
                const PipelineOptions &options);

/// `weir compile --emit=pipeline`: one line per stage of every pipeline,
/// where it runs and where it came from, and the ops moved into the model.
void printPlacement(mlir::ModuleOp module, llvm::raw_ostream &os);

} // namespace weir

#endif // WEIR_API_BATCHES_H
